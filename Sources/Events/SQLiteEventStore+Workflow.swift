import Foundation

/// The security office's workflow on the SQLite queue. Each operation is one short IMMEDIATE
/// transaction, so concurrent operators and producers never interleave inside it; every change
/// appends a history row.
extension SQLiteEventStore {
    /// Claims the most urgent waiting event — priority first, then age — for `lease` seconds.
    /// Expired claims return to the queue first, so a P1 whose claimer vanished is offered again.
    public func claimNext(by actor: String, lease: Double = 120, now: Date = Date()) async throws -> Event? {
        try await onQueue { db in
            try db.transaction { () -> Event? in
                try Self.expireLeases(db, now: now)
                let next = try db.prepare("SELECT doc FROM events WHERE state = 'new' ORDER BY priority, occurred_at, rowid LIMIT 1")
                    .rows { $0.text(0) ?? "{}" }.first
                guard let next else { return nil }
                var event = try EventJSON.decoder().decode(Event.self, from: Data(next.utf8))
                try Self.apply(.claim, to: &event, by: actor, note: nil, lease: lease, now: now, db)
                return event
            }
        }
    }

    /// Applies an operator's action to one event; throws `WorkflowError` when the state forbids it.
    public func perform(_ action: WorkflowAction, on id: UUID, by actor: String, overridingClaims: Bool, note: String?,
                        lease: Double, now: Date) async throws -> Event {
        try await onQueue { db in
            try db.transaction { () -> Event in
                try Self.expireLeases(db, now: now)
                guard let doc = try db.prepare("SELECT doc FROM events WHERE id = ?").rows([.text(id.uuidString.lowercased())], { $0.text(0) ?? "{}" }).first else {
                    throw WorkflowError.notFound(id)
                }
                var event = try EventJSON.decoder().decode(Event.self, from: Data(doc.utf8))
                try Transitions.checkClaim(action, on: event, by: actor, overriding: overridingClaims)
                try Self.apply(action, to: &event, by: actor, note: note, lease: lease, now: now, db)
                return event
            }
        }
    }

    /// An event's history, oldest first.
    public func history(of id: UUID) async throws -> [HistoryEntry] {
        try await onQueue { db in
            try db.prepare("SELECT at, actor, action, from_state, to_state, note FROM event_history WHERE event_id = ? ORDER BY seq")
                .rows([.text(id.uuidString.lowercased())]) { row in
                    HistoryEntry(at: Date(timeIntervalSince1970: row.double(0)), actor: row.text(1) ?? "", action: row.text(2) ?? "",
                                 from: row.text(3).flatMap(EventState.init(rawValue:)), to: row.text(4).flatMap(EventState.init(rawValue:)),
                                 note: row.text(5))
                }
        }
    }

    /// Escalates every P1 still unacknowledged past a step of `policy`; returns the events that
    /// reached a new step. Safe to run from several processes: a step is only ever raised.
    public func escalateOverdue(policy: EscalationPolicy = .standard, now: Date = Date()) async throws -> [Event] {
        try await onQueue { db in
            try db.transaction { () -> [Event] in
                let docs = try db.prepare("""
                SELECT doc FROM events WHERE priority = 1 AND state IN ('new', 'claimed') AND escalation_step < ?
                """).rows([.int(policy.steps.count)]) { $0.text(0) ?? "{}" }
                var raised: [Event] = []
                for doc in docs {
                    var event = try EventJSON.decoder().decode(Event.self, from: Data(doc.utf8))
                    guard let entry = Transitions.escalateIfOverdue(&event, policy: policy, now: now) else { continue }
                    try Self.write(event, db)
                    try Self.record(event.id, entry, db)
                    raised.append(event)
                }
                return raised
            }
        }
    }

    /// Deletes resolved and false-alarm events older than `cutoff`, never escalated or held ones
    /// (legal hold); returns how many went. The workflow itself never deletes anything.
    public func applyRetention(olderThan cutoff: Date) async throws -> Int {
        try await onQueue { db in
            try db.transaction { () -> Int in
                let condition = "state IN ('resolved', 'false_alarm') AND escalated = 0 AND held = 0 AND occurred_at < ?"
                for table in ["event_history WHERE event_id", "event_aliases WHERE into_id", "outbox WHERE event_id"] {
                    try db.prepare("DELETE FROM \(table) IN (SELECT id FROM events WHERE \(condition))").run([.double(cutoff.timeIntervalSince1970)])
                }
                try db.prepare("DELETE FROM events WHERE \(condition)").run([.double(cutoff.timeIntervalSince1970)])
                return db.changes
            }
        }
    }

    // MARK: - Inside a transaction

    static func expireLeases(_ db: SQLiteConnection, now: Date) throws {
        let expired = try db.prepare("SELECT doc FROM events WHERE state = 'claimed' AND lease_until < ?")
            .rows([.double(now.timeIntervalSince1970)]) { $0.text(0) ?? "{}" }
        for doc in expired {
            var event = try EventJSON.decoder().decode(Event.self, from: Data(doc.utf8))
            let entry = Transitions.expireLease(of: &event, now: now)
            try write(event, db)
            try record(event.id, entry, db)
        }
    }

    static func apply(_ action: WorkflowAction, to event: inout Event, by actor: String, note: String?, lease: Double,
                      now: Date, _ db: SQLiteConnection) throws {
        let entry = try Transitions.apply(action, to: &event, by: actor, note: note, lease: lease, now: now)
        try write(event, db)
        try record(event.id, entry, db)
    }

    static func write(_ event: Event, _ db: SQLiteConnection) throws {
        let doc = String(decoding: try EventJSON.encoder().encode(event), as: UTF8.self)
        try db.prepare("""
        UPDATE events SET state = ?, escalated = ?, claimed_by = ?, lease_until = ?, escalation_step = ?, priority = ?, held = ?, doc = ?
        WHERE id = ?
        """).run([.text(event.state.rawValue), .int(event.escalated ? 1 : 0), SQLValue(event.claimedBy),
                  event.leaseUntil.map { .double($0.timeIntervalSince1970) } ?? .null, .int(event.escalationStep),
                  .int(event.priority.rawValue), .int(event.held ? 1 : 0), .text(doc), .text(event.id.uuidString.lowercased())])
    }

    static func record(_ id: UUID, _ entry: HistoryEntry, _ db: SQLiteConnection) throws {
        try db.prepare("INSERT INTO event_history (event_id, at, actor, action, from_state, to_state, note) VALUES (?, ?, ?, ?, ?, ?, ?)")
            .run([.text(id.uuidString.lowercased()), .double(entry.at.timeIntervalSince1970), .text(entry.actor), .text(entry.action),
                  SQLValue(entry.from?.rawValue), SQLValue(entry.to?.rawValue), SQLValue(entry.note)])
    }
}
