import Foundation
import PostgresNIO

/// The outbox, relay cursors and dead letters in PostgreSQL. Writers of events take the outbox's
/// lock first (`transaction(writingEvents:)`), so the outbox's seq order is the order of commits
/// and a cursor never passes an entry still to come. Relay leases run on the server's clock.
extension PostgresEventStore {
    public func outbox(after seq: Int, limit: Int) async throws -> [OutboxEntry] {
        try await rows("""
            SELECT o.seq, o.at, o.inserted, o.doc::text,
                   (SELECT p.doc::text FROM outbox p WHERE p.event_id = o.event_id AND p.seq < o.seq ORDER BY p.seq DESC LIMIT 1)
            FROM outbox o WHERE o.seq > \(seq) ORDER BY o.seq LIMIT \(limit)
            """).map { row in
            let (seq, at, inserted, doc, before) = try row.decode((Int, Date, Bool, String, String?).self)
            let decoder = EventJSON.decoder()
            return OutboxEntry(seq: seq, at: at, inserted: inserted,
                               before: try before.map { try decoder.decode(Event.self, from: Data($0.utf8)) },
                               after: try decoder.decode(Event.self, from: Data(doc.utf8)))
        }
    }

    public func outboxEnd() async throws -> Int {
        try await rows("SELECT COALESCE(MAX(seq), 0)::bigint FROM outbox").first?.decode(Int.self) ?? 0
    }

    public func holdRelay(_ sink: String, holder: String, ttl: Double, now: Date) async throws -> Int? {
        try await rows("""
            INSERT INTO relays AS r (sink, seq, holder, lease_until, updated_at)
            VALUES (\(sink), (SELECT COALESCE(MAX(seq), 0) FROM outbox), \(holder), clock_timestamp() + make_interval(secs => \(ttl)), \(now))
            ON CONFLICT (sink) DO UPDATE SET holder = excluded.holder, lease_until = excluded.lease_until
                WHERE r.holder = excluded.holder OR r.holder IS NULL OR r.lease_until < clock_timestamp()
            RETURNING seq
            """).first?.decode(Int.self)
    }

    public func advanceRelay(_ sink: String, holder: String, to seq: Int, delivered: Int, error: String?, now: Date) async throws {
        let logger = logger
        try await transaction { db in try await Self.advance(sink, holder: holder, to: seq, delivered: delivered, error: error, now: now, db, logger) }
    }

    public func deadLetter(_ sink: String, holder: String, entry: OutboxEntry, attempts: Int, error: String, now: Date) async throws {
        let logger = logger
        try await transaction { db in
            try await Self.advance(sink, holder: holder, to: entry.seq, delivered: 0, error: error, now: now, db, logger)
            try await db.query("""
                INSERT INTO dead_letters (sink, seq, event_id, at, attempts, error)
                VALUES (\(sink), \(entry.seq), \(entry.after.id.uuidString.lowercased()), \(now), \(attempts), \(error))
                """, logger: logger)
        }
    }

    public func deadLetters(limit: Int) async throws -> [DeadLetter] {
        try await rows("SELECT id, sink, seq, event_id, at, attempts, error FROM dead_letters ORDER BY id DESC LIMIT \(limit)").map { row in
            let (id, sink, seq, event, at, attempts, error) = try row.decode((Int, String, Int, String, Date, Int, String).self)
            return DeadLetter(id: id, sink: sink, seq: seq, eventId: UUID(uuidString: event) ?? UUID(), at: at, attempts: attempts, error: error)
        }
    }

    public func relays() async throws -> [RelayState] {
        try await rows("""
            SELECT sink, seq, (SELECT COALESCE(MAX(seq), 0)::bigint FROM outbox), holder, lease_until, delivered, last_error, last_error_at, updated_at
            FROM relays ORDER BY sink
            """).map { row in
            let (sink, seq, end, holder, lease, delivered, error, errorAt, updated) =
                try row.decode((String, Int, Int, String?, Date?, Int, String?, Date?, Date).self)
            return RelayState(sink: sink, seq: seq, end: end, holder: holder, leaseUntil: lease, delivered: delivered,
                              lastError: error, lastErrorAt: errorAt, updatedAt: updated)
        }
    }

    /// Inside a transaction: the cursor moves only for its holder, and never back.
    static func advance(_ sink: String, holder: String, to seq: Int, delivered: Int, error: String?, now: Date,
                        _ db: PostgresConnection, _ logger: Logger) async throws {
        let moved = try await db.query("""
            UPDATE relays SET seq = GREATEST(seq, \(seq)), delivered = delivered + \(delivered), updated_at = \(now),
                   last_error = COALESCE(\(error), last_error),
                   last_error_at = CASE WHEN \(error)::text IS NULL THEN last_error_at ELSE \(now) END
            WHERE sink = \(sink) AND holder = \(holder) RETURNING 1
            """, logger: logger).collect()
        if moved.isEmpty { throw StoreError.relayLost(sink: sink) }
    }
}
