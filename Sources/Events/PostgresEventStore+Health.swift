import Foundation
import PostgresNIO

/// Camera health in PostgreSQL: one row per camera, the latest report wins.
extension PostgresEventStore {
    public func reportHealth(_ records: [CameraHealthRecord]) async throws {
        guard !records.isEmpty else { return }
        let encoder = EventJSON.encoder()
        try await transaction { db in
            for r in records {
                let doc = String(decoding: try encoder.encode(r), as: UTF8.self)
                try await db.query("""
                    INSERT INTO camera_health (camera, grp, reported_at, doc) VALUES (\(r.camera), \(r.group), \(r.reportedAt), \(doc)::jsonb)
                    ON CONFLICT (camera) DO UPDATE SET grp = excluded.grp, reported_at = excluded.reported_at, doc = excluded.doc
                    """, logger: logger)
            }
        }
    }

    public func health() async throws -> [CameraHealthRecord] {
        let decoder = EventJSON.decoder()
        return try await rows("SELECT doc::text FROM camera_health ORDER BY grp, camera").map { row in
            try decoder.decode(CameraHealthRecord.self, from: Data(try row.decode(String.self).utf8))
        }
    }
}
