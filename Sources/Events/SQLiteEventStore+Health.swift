import Foundation

/// Camera health in the SQLite file: one row per camera, the latest report wins.
extension SQLiteEventStore {
    public func reportHealth(_ records: [CameraHealthRecord]) async throws {
        guard !records.isEmpty else { return }
        try await onQueue { connection in
            let encoder = EventJSON.encoder()
            try connection.transaction {
                let upsert = try connection.prepare("""
                INSERT INTO camera_health (camera, grp, reported_at, doc) VALUES (?, ?, ?, ?)
                ON CONFLICT(camera) DO UPDATE SET grp = excluded.grp, reported_at = excluded.reported_at, doc = excluded.doc
                """)
                for r in records {
                    try upsert.run([.text(r.camera), SQLValue(r.group), .double(r.reportedAt.timeIntervalSince1970),
                                    .text(String(decoding: try encoder.encode(r), as: UTF8.self))])
                }
            }
        }
    }

    public func health() async throws -> [CameraHealthRecord] {
        try await onQueue { connection in
            let decoder = EventJSON.decoder()
            return try connection.prepare("SELECT doc FROM camera_health ORDER BY grp, camera").rows { row in
                try decoder.decode(CameraHealthRecord.self, from: Data((row.text(0) ?? "{}").utf8))
            }
        }
    }
}
