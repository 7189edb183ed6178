import Foundation

/// The zones' crowd series on SQLite.
extension SQLiteEventStore {
    public func recordZoneSamples(_ samples: [ZoneSample], keep: Double) async throws {
        guard !samples.isEmpty else { return }
        try await onQueue { db in
            let encoder = EventJSON.encoder()
            try db.transaction {
                let insert = try db.prepare("INSERT INTO zone_samples (camera, zone, at, doc) VALUES (?, ?, ?, ?)")
                for s in samples {
                    try insert.run([.text(s.camera), .text(s.zone), .double(s.at.timeIntervalSince1970),
                                    .text(String(decoding: try encoder.encode(s), as: UTF8.self))])
                }
                let cutoff = (samples.map(\.at).max() ?? Date()).timeIntervalSince1970 - keep
                try db.prepare("DELETE FROM zone_samples WHERE at < ?").run([.double(cutoff)])
            }
        }
    }

    public func zoneSeries(camera: String, zone: String, since: Date) async throws -> [ZoneSample] {
        try await onQueue { db in
            let decoder = EventJSON.decoder()
            return try db.prepare("SELECT doc FROM zone_samples WHERE camera = ? AND zone = ? AND at >= ? ORDER BY at LIMIT 20000")
                .rows([.text(camera), .text(zone), .double(since.timeIntervalSince1970)]) {
                    try decoder.decode(ZoneSample.self, from: Data(($0.text(0) ?? "{}").utf8))
                }
        }
    }

    public func latestZoneSamples(since: Date) async throws -> [ZoneSample] {
        try await onQueue { db in
            let decoder = EventJSON.decoder()
            return try db.prepare("""
                SELECT s.doc FROM zone_samples s
                JOIN (SELECT camera, zone, MAX(at) AS at FROM zone_samples WHERE at >= ? GROUP BY camera, zone) l
                  ON s.camera = l.camera AND s.zone = l.zone AND s.at = l.at
                ORDER BY s.camera, s.zone
                """).rows([.double(since.timeIntervalSince1970)]) {
                    try decoder.decode(ZoneSample.self, from: Data(($0.text(0) ?? "{}").utf8))
                }
        }
    }
}
