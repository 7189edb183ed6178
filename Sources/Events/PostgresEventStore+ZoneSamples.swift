import Foundation
import PostgresNIO

/// The zones' crowd series in PostgreSQL.
extension PostgresEventStore {
    public func recordZoneSamples(_ samples: [ZoneSample], keep: Double) async throws {
        guard !samples.isEmpty else { return }
        let logger = logger
        try await transaction { db in
            for s in samples {
                try await db.query("INSERT INTO zone_samples (camera, zone, at, doc) VALUES (\(s.camera), \(s.zone), \(s.at), \(try Self.encodeSample(s))::jsonb)",
                                   logger: logger)
            }
            let cutoff = (samples.map(\.at).max() ?? Date()).addingTimeInterval(-keep)
            try await db.query("DELETE FROM zone_samples WHERE at < \(cutoff)", logger: logger)
        }
    }

    public func zoneSeries(camera: String, zone: String, since: Date) async throws -> [ZoneSample] {
        try await rows("SELECT doc::text FROM zone_samples WHERE camera = \(camera) AND zone = \(zone) AND at >= \(since) ORDER BY at LIMIT 20000")
            .map(Self.decodeSample)
    }

    public func latestZoneSamples(since: Date) async throws -> [ZoneSample] {
        try await rows("""
            SELECT DISTINCT ON (camera, zone) doc::text FROM zone_samples WHERE at >= \(since) ORDER BY camera, zone, at DESC
            """).map(Self.decodeSample)
    }

    static func encodeSample(_ s: ZoneSample) throws -> String { String(decoding: try EventJSON.encoder().encode(s), as: UTF8.self) }
    static func decodeSample(_ row: PostgresRow) throws -> ZoneSample {
        try EventJSON.decoder().decode(ZoneSample.self, from: Data(try row.decode(String.self).utf8))
    }
}
