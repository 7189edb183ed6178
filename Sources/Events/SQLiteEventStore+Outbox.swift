import Foundation

/// The outbox, relay cursors and dead letters on SQLite. One writer at a time (the file's lock),
/// so the outbox's seq order is the order of commits.
extension SQLiteEventStore {
    public func outbox(after seq: Int, limit: Int) async throws -> [OutboxEntry] {
        try await onQueue { db in
            let decoder = EventJSON.decoder()
            return try db.prepare("""
                SELECT o.seq, o.at, o.inserted, o.doc,
                       (SELECT p.doc FROM outbox p WHERE p.event_id = o.event_id AND p.seq < o.seq ORDER BY p.seq DESC LIMIT 1)
                FROM outbox o WHERE o.seq > ? ORDER BY o.seq LIMIT ?
                """).rows([.int(seq), .int(limit)]) { row in
                OutboxEntry(seq: row.int(0), at: Date(timeIntervalSince1970: row.double(1)), inserted: row.int(2) != 0,
                            before: try row.text(4).map { try decoder.decode(Event.self, from: Data($0.utf8)) },
                            after: try decoder.decode(Event.self, from: Data((row.text(3) ?? "{}").utf8)))
            }
        }
    }

    public func outboxEnd() async throws -> Int {
        try await onQueue { db in try db.prepare("SELECT COALESCE(MAX(seq), 0) FROM outbox").rows { $0.int(0) }.first ?? 0 }
    }

    public func holdRelay(_ sink: String, holder: String, ttl: Double, now: Date) async throws -> Int? {
        try await onQueue { db in
            try db.transaction {
                let t = now.timeIntervalSince1970
                return try db.prepare("""
                    INSERT INTO relays (sink, seq, holder, lease_until, updated_at)
                    VALUES (?1, (SELECT COALESCE(MAX(seq), 0) FROM outbox), ?2, ?3, ?4)
                    ON CONFLICT (sink) DO UPDATE SET holder = ?2, lease_until = ?3
                        WHERE relays.holder = ?2 OR relays.holder IS NULL OR relays.lease_until < ?4
                    RETURNING seq
                    """).rows([.text(sink), .text(holder), .double(t + ttl), .double(t)]) { $0.int(0) }.first
            }
        }
    }

    public func advanceRelay(_ sink: String, holder: String, to seq: Int, delivered: Int, error: String?, now: Date) async throws {
        try await onQueue { db in
            try db.transaction { try Self.advance(sink, holder: holder, to: seq, delivered: delivered, error: error, now: now, db) }
        }
    }

    public func deadLetter(_ sink: String, holder: String, entry: OutboxEntry, attempts: Int, error: String, now: Date) async throws {
        try await onQueue { db in
            try db.transaction {
                try Self.advance(sink, holder: holder, to: entry.seq, delivered: 0, error: error, now: now, db)
                try db.prepare("INSERT INTO dead_letters (sink, seq, event_id, at, attempts, error) VALUES (?, ?, ?, ?, ?, ?)")
                    .run([.text(sink), .int(entry.seq), .text(entry.after.id.uuidString.lowercased()), .double(now.timeIntervalSince1970),
                          .int(attempts), .text(error)])
            }
        }
    }

    public func deadLetters(limit: Int) async throws -> [DeadLetter] {
        try await onQueue { db in
            try db.prepare("SELECT id, sink, seq, event_id, at, attempts, error FROM dead_letters ORDER BY id DESC LIMIT ?")
                .rows([.int(limit)]) { row in
                    DeadLetter(id: row.int(0), sink: row.text(1) ?? "", seq: row.int(2), eventId: UUID(uuidString: row.text(3) ?? "") ?? UUID(),
                               at: Date(timeIntervalSince1970: row.double(4)), attempts: row.int(5), error: row.text(6) ?? "")
                }
        }
    }

    public func relays() async throws -> [RelayState] {
        try await onQueue { db in
            try db.prepare("""
                SELECT sink, seq, (SELECT COALESCE(MAX(seq), 0) FROM outbox), holder, lease_until, delivered, last_error, last_error_at, updated_at
                FROM relays ORDER BY sink
                """).rows { row in
                RelayState(sink: row.text(0) ?? "", seq: row.int(1), end: row.int(2), holder: row.text(3),
                           leaseUntil: row.optionalDouble(4).map(Date.init(timeIntervalSince1970:)), delivered: row.int(5),
                           lastError: row.text(6), lastErrorAt: row.optionalDouble(7).map(Date.init(timeIntervalSince1970:)),
                           updatedAt: Date(timeIntervalSince1970: row.double(8)))
            }
        }
    }

    /// Inside a transaction: the cursor moves only for its holder, and never back.
    static func advance(_ sink: String, holder: String, to seq: Int, delivered: Int, error: String?, now: Date, _ db: SQLiteConnection) throws {
        let t = now.timeIntervalSince1970
        try db.prepare("""
            UPDATE relays SET seq = MAX(seq, ?1), delivered = delivered + ?2, updated_at = ?3,
                   last_error = COALESCE(?4, last_error), last_error_at = CASE WHEN ?4 IS NULL THEN last_error_at ELSE ?3 END
            WHERE sink = ?5 AND holder = ?6
            """).run([.int(seq), .int(delivered), .double(t), SQLValue(error), .text(sink), .text(holder)])
        if db.changes != 1 { throw StoreError.relayLost(sink: sink) }
    }
}
