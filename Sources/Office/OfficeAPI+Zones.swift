import Evidence
import Events
import Foundation
import Hummingbird

/// The crowd charts' data: every zone's latest sample, and one zone's series with its level bands
/// and forecast, as the workers recorded them.
extension OfficeAPI {
    /// `GET /api/zones?minutes=60`: each zone seen in the last `minutes`, with its latest sample.
    func zones(_ request: Request, _ context: OfficeContext) async throws -> Response {
        let q = try OfficeQuery(request, allowed: ["minutes"])
        let minutes = try q.integer("minutes", in: 1...10_080, fallback: 60)
        return try json(try await store.latestZoneSamples(since: Date().addingTimeInterval(-Double(minutes) * 60)))
    }

    /// `GET /api/zones/{camera}/{zone}/series?minutes=60`: the zone's samples, oldest first.
    func zoneSeries(_ request: Request, _ context: OfficeContext) async throws -> Response {
        let q = try OfficeQuery(request, allowed: ["minutes"])
        let minutes = try q.integer("minutes", in: 1...10_080, fallback: 60)
        let camera = try context.parameters.require("camera"), zone = try context.parameters.require("zone")
        let series = try await store.zoneSeries(camera: camera, zone: zone, since: Date().addingTimeInterval(-Double(minutes) * 60))
        if series.isEmpty { throw OfficeError(.notFound, "no samples of zone '\(zone)' on camera '\(camera)' in the last \(minutes) minutes") }
        return try json(series)
    }
}

/// The live wall: each camera's latest analysed picture.
extension OfficeAPI {
    /// `GET /api/cameras/{camera}/live`: the camera's latest analysed picture (refreshed every few
    /// seconds by its worker, masked zones black; none for home cameras), never cached.
    func livePicture(_ request: Request, _ context: OfficeContext) async throws -> Response {
        let camera = try context.parameters.require("camera")
        guard let relative = LivePicture.relativePath(camera: camera) else {
            throw OfficeError(.badRequest, "'\(camera)' is not a camera id (letters, digits, '-', '_' and '.')")
        }
        let root = evidence
        let data: Data
        do {
            data = try await EvidenceRoot.offPool { () throws(EvidenceFileError) -> Data in try root.readUnhashed(uri: relative, limit: 8 << 20) }
        } catch EvidenceFileError.missing {
            throw OfficeError(.notFound, "no live picture of camera '\(camera)' (not running here, a home camera, or no evidence folder)")
        } catch {
            context.logger.error("live picture of \(camera) refused: \(error)")
            throw OfficeError(.conflict, "the live picture of '\(camera)' is not a regular file of the evidence folder")
        }
        guard MediaSniff.mime(of: data.prefix(16)) == "image/jpeg" else {
            throw OfficeError(.conflict, "the live picture of '\(camera)' is not a JPEG")
        }
        return Response(status: .ok, headers: [.contentType: "image/jpeg", .cacheControl: "no-store"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
