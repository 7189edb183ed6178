import Events
import Foundation
import Hummingbird

/// The crowd charts' data: every zone's latest sample, and one zone's series with its level bands
/// and forecast, as the workers recorded them.
extension OfficeAPI {
    /// `GET /api/zones?minutes=60`: each zone seen in the last `minutes`, with its latest sample.
    func zones(_ request: Request, _ context: OfficeContext) async throws -> Response {
        let (since, _) = try Self.window(request)
        return try json(try await store.latestZoneSamples(since: since))
    }

    /// `GET /api/zones/{camera}/{zone}/series?minutes=60`: the zone's samples, oldest first.
    func zoneSeries(_ request: Request, _ context: OfficeContext) async throws -> Response {
        let (since, minutes) = try Self.window(request)
        let camera = try context.parameters.require("camera"), zone = try context.parameters.require("zone")
        let series = try await store.zoneSeries(camera: camera, zone: zone, since: since)
        if series.isEmpty { throw OfficeError(.notFound, "no samples of zone '\(zone)' on camera '\(camera)' in the last \(minutes) minutes") }
        return try json(series)
    }

    /// `?minutes=N` (1 to a week, default the last hour) as the moment the window starts.
    private static func window(_ request: Request) throws -> (since: Date, minutes: Int) {
        let minutes = try OfficeQuery(request, allowed: ["minutes"]).integer("minutes", in: 1...10_080, fallback: 60)
        return (Date().addingTimeInterval(-Double(minutes) * 60), minutes)
    }
}
