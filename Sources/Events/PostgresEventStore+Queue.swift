import Foundation
import Logging
import PostgresNIO

/// Publishing and reading the queue in PostgreSQL, and its feed of changes. Runs of events without a
/// dedup key go in one multi-row INSERT; a repeat of an open condition folds into its event under a
/// transaction-scoped advisory lock on its key, and its id becomes an alias.
extension PostgresEventStore {
    public func publish(_ events: [Event], by actor: String?, fence: LeaseFence?) async throws -> [PublishOutcome] {
        guard !events.isEmpty else { return [] }
        return try await transaction(writingEvents: true) { db in
            if let fence {
                // FOR SHARE: a takeover (an UPDATE of this row) waits until this publish commits,
                // and a publish after the takeover finds another epoch.
                let live = try await db.query("""
                    SELECT 1 FROM group_leases WHERE grp = \(fence.group) AND node = \(fence.node) AND epoch = \(fence.epoch)
                        AND expires_at > clock_timestamp() FOR SHARE
                    """, logger: logger).collect()
                if live.isEmpty { throw StoreError.fenced(fence) }
            }
            let now = Date()
            var outcomes: [PublishOutcome] = []
            outcomes.reserveCapacity(events.count)
            // Runs of events without a dedup key go in one multi-row INSERT each (one round trip,
            // not two per event); a dedup key needs its own lock-and-fold.
            var run: [Event] = []
            for var event in events {
                event.publishedAt = now
                guard let key = event.dedupKey else { run.append(event); continue }
                outcomes += try await Self.insertMany(run, actor: actor, now: now, note: fence?.note, db, logger)
                run.removeAll()
                outcomes.append(try await Self.publishDeduplicated(event, key: key, actor: actor, now: now, note: fence?.note, db, logger))
            }
            outcomes += try await Self.insertMany(run, actor: actor, now: now, note: fence?.note, db, logger)
            return outcomes
        }
    }

    /// A repeat of an open condition folds into its event; a transaction-scoped advisory lock on the
    /// key serialises producers of the same condition until the transaction ends.
    static func publishDeduplicated(_ event: Event, key: String, actor: String?, now: Date, note: String?, _ db: PostgresConnection,
                                    _ logger: Logger) async throws -> PublishOutcome {
        let id = event.id.uuidString.lowercased()
        try await db.query("SELECT pg_advisory_xact_lock(hashtextextended(\(key), 0))", logger: logger)
        let exists = try await db.query("SELECT 1 FROM events WHERE id = \(id)", logger: logger).collect()
        if exists.isEmpty, var open = try await loadOne(db, logger, """
            SELECT doc::text FROM events WHERE dedup_key = \(key) AND state IN ('new', 'claimed', 'acknowledged')
            ORDER BY seq DESC LIMIT 1 FOR UPDATE
            """) {
            // An id folded in before is a no-op, as a published one is (ON CONFLICT: a concurrent
            // publish of the same id waits on the key's lock above, then finds the alias).
            let alias = try await db.query("""
                INSERT INTO event_aliases (id, into_id) VALUES (\(id), \(open.id.uuidString.lowercased())) ON CONFLICT (id) DO NOTHING RETURNING id
                """, logger: logger).collect()
            guard !alias.isEmpty else { return .duplicate }
            Transitions.fold(event, into: &open)
            try await write(open, db, logger)
            return .merged(into: open.id)
        }
        return try await insertMany([event], actor: actor, now: now, note: note, db, logger)[0]
    }

    /// Inserts events (ignoring ids already there) and their `published` history rows, in chunks
    /// that keep under PostgreSQL's 65,535 bind parameters.
    static func insertMany(_ events: [Event], actor: String?, now: Date, note: String?, _ db: PostgresConnection,
                           _ logger: Logger) async throws -> [PublishOutcome] {
        guard !events.isEmpty else { return [] }
        // Ids folded into another event before are not inserted again.
        let ids = events.map { $0.id.uuidString.lowercased() }
        let aliased = Set(try await db.query("SELECT id FROM event_aliases WHERE id = ANY(\(ids))", logger: logger).collect()
            .map { try $0.decode(String.self) })
        let fresh = events.filter { !aliased.contains($0.id.uuidString.lowercased()) }
        var inserted = Set<String>()
        for chunk in stride(from: 0, to: fresh.count, by: 1000).map({ fresh[$0..<min($0 + 1000, fresh.count)] }) {
            var binds = PostgresBindings()
            var rows: [String] = []
            for event in chunk {
                let first = binds.count + 1
                binds.append(event.id.uuidString.lowercased()); binds.append(event.type.rawValue); binds.append(event.subtype?.rawValue)
                binds.append(event.priority.rawValue); binds.append(event.level?.rawValue); binds.append(event.state.rawValue)
                binds.append(event.escalated); binds.append(event.source.producer); binds.append(event.source.camera)
                binds.append(event.source.group); binds.append(event.source.zone); binds.append(event.dedupKey)
                binds.append(event.incidentId); binds.append(event.occurredAt); binds.append(now); binds.append(try encode(event))
                rows.append("(" + (first..<first + 15).map { "$\($0)" }.joined(separator: ", ") + ", $\(first + 15)::jsonb)")
            }
            let query = PostgresQuery(unsafeSQL: """
                INSERT INTO events (id, type, subtype, priority, level, state, escalated, producer, camera, grp, zone,
                                    dedup_key, incident_id, occurred_at, published_at, doc)
                VALUES \(rows.joined(separator: ", ")) ON CONFLICT (id) DO NOTHING RETURNING id
                """, binds: binds)
            for row in try await db.query(query, logger: logger).collect() { inserted.insert(try row.decode(String.self)) }
        }
        // History in the events' order; an id given twice in one batch is inserted once.
        var recorded = Set<String>()
        var outcomes: [PublishOutcome] = []
        var history: [Event] = []
        for (event, id) in zip(events, ids) {
            if inserted.contains(id), recorded.insert(id).inserted {
                outcomes.append(.inserted)
                history.append(event)
            } else {
                outcomes.append(.duplicate)
            }
        }
        for chunk in stride(from: 0, to: history.count, by: 5000).map({ history[$0..<min($0 + 5000, history.count)] }) {
            var binds = PostgresBindings()
            var rows: [String] = []
            binds.append(now)
            binds.append(note)
            for event in chunk {
                let first = binds.count + 1
                binds.append(event.id.uuidString.lowercased()); binds.append(actor ?? event.source.producer); binds.append(event.state.rawValue)
                rows.append("($\(first), $1, $\(first + 1), 'published', NULL, $\(first + 2), $2)")
            }
            try await db.query(PostgresQuery(unsafeSQL: """
                INSERT INTO event_history (event_id, at, actor, action, from_state, to_state, note) VALUES \(rows.joined(separator: ", "))
                """, binds: binds), logger: logger)
        }
        return outcomes
    }

    public func list(_ query: EventQuery) async throws -> [Event] {
        var binds = PostgresBindings()
        var clauses: [String] = []
        func bind<T: PostgresNonThrowingEncodable>(_ value: T) -> String { binds.append(value); return "$\(binds.count)" }
        if !query.types.isEmpty { clauses.append("type = ANY(\(bind(query.types.map(\.rawValue))))") }
        if !query.states.isEmpty { clauses.append("state = ANY(\(bind(query.states.map(\.rawValue))))") }
        if let camera = query.camera { clauses.append("camera = \(bind(camera))") }
        if let group = query.group { clauses.append("grp = \(bind(group))") }
        if let incident = query.incidentId { clauses.append("incident_id = \(bind(incident))") }
        if let since = query.since { clauses.append("occurred_at >= \(bind(since))") }
        if let until = query.until { clauses.append("occurred_at < \(bind(until))") }
        if !query.priorities.isEmpty { clauses.append("priority = ANY(\(bind(query.priorities.map(\.rawValue))))") }
        let whereSQL = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        let order = query.queueOrder ? "priority, occurred_at, seq" : "occurred_at DESC, seq DESC"
        let limit = bind(max(0, query.limit))
        return try await rows(PostgresQuery(unsafeSQL: "SELECT doc::text FROM events \(whereSQL) ORDER BY \(order) LIMIT \(limit)", binds: binds))
            .map(Self.decodeEvent)
    }

    public func event(id: UUID) async throws -> Event? {
        try await rows("SELECT doc::text FROM events WHERE id = \(id.uuidString.lowercased())").first.map(Self.decodeEvent)
    }

    public func resolveId(prefix: String) async throws -> UUID? {
        let p = prefix.lowercased()
        guard !p.isEmpty, p.allSatisfy({ $0.isHexDigit || $0 == "-" }) else { return nil }
        let ids = try await rows("SELECT id FROM events WHERE id LIKE \(p + "%") ORDER BY id LIMIT 2").map { try $0.decode(String.self) }
        if ids.count > 1 { throw StoreError.sql("event id prefix '\(prefix)' is ambiguous: give more characters") }
        return ids.first.flatMap(UUID.init(uuidString:))
    }

    public func changes(after seq: Int, limit: Int) async throws -> [(seq: Int, eventId: UUID, action: String)] {
        try await rows("SELECT seq, event_id, action FROM event_history WHERE seq > \(seq) ORDER BY seq LIMIT \(limit)").map { row in
            let (seq, id, action) = try row.decode((Int, String, String).self)
            return (seq, UUID(uuidString: id) ?? UUID(), action)
        }
    }

    public func lastChange() async throws -> Int {
        try await rows("SELECT COALESCE(MAX(seq), 0) FROM event_history").first?.decode(Int.self) ?? 0
    }
}
