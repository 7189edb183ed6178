import Foundation
import Logging
import PostgresNIO

/// The security office's workflow in PostgreSQL. Claims lock rows with `FOR UPDATE SKIP LOCKED`,
/// so operators on different machines never wait for each other's claims; every change appends a
/// history row in the same transaction.
extension PostgresEventStore {
    public func claimNext(by actor: String, lease: Double, now: Date) async throws -> Event? {
        try await transaction(writingEvents: true) { db in
            try await Self.expireLeases(db, logger, now: now)
            // SKIP LOCKED: a row another operator is claiming right now is passed over, not waited for.
            guard var event = try await Self.loadOne(db, logger, """
                SELECT doc::text FROM events WHERE state = 'new' ORDER BY priority, occurred_at, seq LIMIT 1 FOR UPDATE SKIP LOCKED
                """) else { return nil }
            let entry = try Transitions.apply(.claim, to: &event, by: actor, note: nil, lease: lease, now: now)
            try await Self.write(event, db, logger)
            try await Self.record(event.id, entry, db, logger)
            return event
        }
    }

    public func perform(_ action: WorkflowAction, on id: UUID, by actor: String, overridingClaims: Bool, note: String?, lease: Double,
                        now: Date) async throws -> Event {
        try await transaction(writingEvents: true) { db in
            try await Self.expireLeases(db, logger, now: now)
            guard var event = try await Self.loadOne(db, logger, "SELECT doc::text FROM events WHERE id = \(id.uuidString.lowercased()) FOR UPDATE") else {
                throw WorkflowError.notFound(id)
            }
            try Transitions.checkClaim(action, on: event, by: actor, overriding: overridingClaims)
            let entry = try Transitions.apply(action, to: &event, by: actor, note: note, lease: lease, now: now)
            try await Self.write(event, db, logger)
            try await Self.record(event.id, entry, db, logger)
            return event
        }
    }

    public func history(of id: UUID) async throws -> [HistoryEntry] {
        try await rows("""
            SELECT at, actor, action, from_state, to_state, note FROM event_history WHERE event_id = \(id.uuidString.lowercased()) ORDER BY seq
            """).map { row in
            let (at, actor, action, from, to, note) = try row.decode((Date, String, String, String?, String?, String?).self)
            return HistoryEntry(at: at, actor: actor, action: action, from: from.flatMap(EventState.init(rawValue:)),
                                to: to.flatMap(EventState.init(rawValue:)), note: note)
        }
    }

    public func escalateOverdue(policy: EscalationPolicy, now: Date) async throws -> [Event] {
        try await transaction(writingEvents: true) { db in
            let due = try await db.query("""
                SELECT doc::text FROM events WHERE priority = 1 AND state IN ('new', 'claimed') AND escalation_step < \(policy.steps.count)
                FOR UPDATE SKIP LOCKED
                """, logger: logger).collect().map(Self.decodeEvent)
            var raised: [Event] = []
            for var event in due {
                guard let entry = Transitions.escalateIfOverdue(&event, policy: policy, now: now) else { continue }
                try await Self.write(event, db, logger)
                try await Self.record(event.id, entry, db, logger)
                raised.append(event)
            }
            return raised
        }
    }

    public func applyRetention(olderThan cutoff: Date) async throws -> Int {
        try await transaction { db in
            let condition = "state IN ('resolved', 'false_alarm') AND NOT escalated AND NOT held AND occurred_at < $1"
            var binds = PostgresBindings()
            binds.append(cutoff)
            for table in ["event_history WHERE event_id", "event_aliases WHERE into_id", "outbox WHERE event_id"] {
                try await db.query(PostgresQuery(unsafeSQL: "DELETE FROM \(table) IN (SELECT id FROM events WHERE \(condition))", binds: binds),
                                   logger: logger)
            }
            return try await db.query(PostgresQuery(unsafeSQL: "DELETE FROM events WHERE \(condition) RETURNING 1", binds: binds),
                                      logger: logger).collect().count
        }
    }

    // MARK: - Inside a transaction

    static func expireLeases(_ db: PostgresConnection, _ logger: Logger, now: Date) async throws {
        let expired = try await db.query("""
            SELECT doc::text FROM events WHERE state = 'claimed' AND lease_until < \(now) FOR UPDATE SKIP LOCKED
            """, logger: logger).collect().map(decodeEvent)
        for var event in expired {
            let entry = Transitions.expireLease(of: &event, now: now)
            try await write(event, db, logger)
            try await record(event.id, entry, db, logger)
        }
    }

    static func loadOne(_ db: PostgresConnection, _ logger: Logger, _ query: PostgresQuery) async throws -> Event? {
        try await db.query(query, logger: logger).collect().first.map(decodeEvent)
    }

    static func write(_ event: Event, _ db: PostgresConnection, _ logger: Logger) async throws {
        let doc = try encode(event)
        try await db.query("""
            UPDATE events SET state = \(event.state.rawValue), escalated = \(event.escalated), claimed_by = \(event.claimedBy),
                lease_until = \(event.leaseUntil), escalation_step = \(event.escalationStep), priority = \(event.priority.rawValue),
                level = \(event.level?.rawValue), held = \(event.held), doc = \(doc)::jsonb
            WHERE id = \(event.id.uuidString.lowercased())
            """, logger: logger)
    }

    static func record(_ id: UUID, _ entry: HistoryEntry, _ db: PostgresConnection, _ logger: Logger) async throws {
        try await db.query("""
            INSERT INTO event_history (event_id, at, actor, action, from_state, to_state, note)
            VALUES (\(id.uuidString.lowercased()), \(entry.at), \(entry.actor), \(entry.action), \(entry.from?.rawValue),
                    \(entry.to?.rawValue), \(entry.note))
            """, logger: logger)
    }
}
