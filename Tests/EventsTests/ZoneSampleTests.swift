import Events
import Foundation
import Testing

/// The zones' crowd series, the same on SQLite and PostgreSQL: in time order per zone, the latest
/// of each zone, and a week kept.
@Suite struct ZoneSampleTests {
    func sample(_ zone: String, _ at: Date, _ count: Double, camera: String = "gate-1") -> ZoneSample {
        ZoneSample(camera: camera, zone: zone, group: "compound-7", at: at, count: count, value: count / 40, unit: "density", level: .yellow,
                   bands: [1.5, 2, 3.5, 5], forecast: count / 35, horizonSeconds: 300)
    }

    @Test(arguments: StoreKind.available) func aZonesSeriesIsInTimeOrderAndOldSamplesGo(_ kind: StoreKind) async throws {
        let store = try kind.open(kind.newPlace())
        let now = Date(timeIntervalSince1970: Double(Int(Date().timeIntervalSince1970)))
        // Written out of order, two zones and a second camera.
        try await store.recordZoneSamples([sample("east", now.addingTimeInterval(-20), 80), sample("east", now.addingTimeInterval(-40), 60),
                                           sample("plaza", now.addingTimeInterval(-30), 10), sample("east", now.addingTimeInterval(-10), 90, camera: "gate-2")],
                                          keep: 3600)
        try await store.recordZoneSamples([sample("east", now, 100)], keep: 3600)
        let series = try await store.zoneSeries(camera: "gate-1", zone: "east", since: now.addingTimeInterval(-60))
        #expect(series.map(\.count) == [60, 80, 100])
        #expect(series.last == sample("east", now, 100))
        #expect(try await store.zoneSeries(camera: "gate-1", zone: "east", since: now.addingTimeInterval(-25)).map(\.count) == [80, 100])
        let latest = try await store.latestZoneSamples(since: now.addingTimeInterval(-60))
        #expect(latest.map { "\($0.camera)/\($0.zone)=\(Int($0.count))" } == ["gate-1/east=100", "gate-1/plaza=10", "gate-2/east=90"])
        // A later write drops what is older than it keeps.
        try await store.recordZoneSamples([sample("east", now.addingTimeInterval(25), 110)], keep: 50)
        #expect(try await store.zoneSeries(camera: "gate-1", zone: "east", since: .distantPast).map(\.count) == [80, 100, 110])
        await store.close()
    }
}
