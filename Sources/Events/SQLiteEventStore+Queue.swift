import Foundation

/// Publishing and reading the queue on SQLite, and its feed of changes. A publish is one IMMEDIATE
/// transaction: a repeat of an open condition folds into its event, and its id becomes an alias.
extension SQLiteEventStore {
    public func publish(_ events: [Event], by actor: String?, fence: LeaseFence?) async throws -> [PublishOutcome] {
        guard !events.isEmpty else { return [] }
        return try await onQueue { connection in
            let encoder = EventJSON.encoder()
            return try connection.transaction {
                if let fence { try Self.checkFence(fence, connection, now: Date()) }
                let insert = try connection.prepare("""
                INSERT INTO events (id, type, subtype, priority, level, state, escalated, producer, camera, grp, zone,
                                    dedup_key, incident_id, occurred_at, published_at, doc)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING
                """)
                let history = try connection.prepare(
                    "INSERT INTO event_history (event_id, at, actor, action, from_state, to_state, note) VALUES (?, ?, ?, 'published', NULL, ?, ?)"
                )
                let openByKey = try connection.prepare(
                    "SELECT id, doc FROM events WHERE dedup_key = ? AND state IN ('new', 'claimed', 'acknowledged') ORDER BY rowid DESC LIMIT 1"
                )
                let exists = try connection.prepare("SELECT 1 FROM events WHERE id = ?1 UNION ALL SELECT 1 FROM event_aliases WHERE id = ?1")
                let alias = try connection.prepare("INSERT OR IGNORE INTO event_aliases (id, into_id) VALUES (?, ?)")
                let update = try connection.prepare("UPDATE events SET priority = ?, level = ?, doc = ? WHERE id = ?")
                let decoder = EventJSON.decoder()
                let now = Date()
                var outcomes: [PublishOutcome] = []
                for var event in events {
                    event.publishedAt = now
                    let id = event.id.uuidString.lowercased()
                    if try !exists.rows([.text(id)], { _ in true }).isEmpty {
                        outcomes.append(.duplicate)
                        continue
                    }
                    if let key = event.dedupKey,
                       let open = try openByKey.rows([.text(key)], { row in (row.text(0) ?? "", row.text(1) ?? "{}") }).first {
                        // The same condition again while its event is open: fold it in.
                        var existing = try decoder.decode(Event.self, from: Data(open.1.utf8))
                        Transitions.fold(event, into: &existing)
                        try update.run([.int(existing.priority.rawValue), SQLValue(existing.level?.rawValue),
                                        .text(String(decoding: try encoder.encode(existing), as: UTF8.self)), .text(open.0)])
                        try alias.run([.text(id), .text(open.0)])
                        outcomes.append(.merged(into: existing.id))
                        continue
                    }
                    let doc = String(decoding: try encoder.encode(event), as: UTF8.self)
                    try insert.run([
                        .text(event.id.uuidString.lowercased()), .text(event.type.rawValue), SQLValue(event.subtype?.rawValue),
                        .int(event.priority.rawValue), SQLValue(event.level?.rawValue), .text(event.state.rawValue),
                        .int(event.escalated ? 1 : 0), .text(event.source.producer), SQLValue(event.source.camera),
                        SQLValue(event.source.group), SQLValue(event.source.zone), SQLValue(event.dedupKey),
                        SQLValue(event.incidentId), .double(event.occurredAt.timeIntervalSince1970),
                        .double(now.timeIntervalSince1970), .text(doc),
                    ])
                    if connection.changes == 1 {
                        try history.run([.text(event.id.uuidString.lowercased()), .double(now.timeIntervalSince1970),
                                         .text(actor ?? event.source.producer), .text(event.state.rawValue), SQLValue(fence?.note)])
                        outcomes.append(.inserted)
                    } else {
                        outcomes.append(.duplicate)
                    }
                }
                return outcomes
            }
        }
    }

    public func list(_ query: EventQuery) async throws -> [Event] {
        try await onQueue { connection in
            var clauses: [String] = []
            var values: [SQLValue] = []
            if !query.types.isEmpty {
                clauses.append("type IN (\(query.types.map { _ in "?" }.joined(separator: ",")))")
                values += query.types.map { .text($0.rawValue) }
            }
            if !query.states.isEmpty {
                clauses.append("state IN (\(query.states.map { _ in "?" }.joined(separator: ",")))")
                values += query.states.map { .text($0.rawValue) }
            }
            if let camera = query.camera { clauses.append("camera = ?"); values.append(.text(camera)) }
            if let group = query.group { clauses.append("grp = ?"); values.append(.text(group)) }
            if let incident = query.incidentId { clauses.append("incident_id = ?"); values.append(.text(incident)) }
            if let since = query.since { clauses.append("occurred_at >= ?"); values.append(.double(since.timeIntervalSince1970)) }
            if let until = query.until { clauses.append("occurred_at < ?"); values.append(.double(until.timeIntervalSince1970)) }
            if !query.priorities.isEmpty {
                clauses.append("priority IN (\(query.priorities.map { _ in "?" }.joined(separator: ",")))")
                values += query.priorities.map { .int($0.rawValue) }
            }
            let whereSQL = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
            values.append(.int(max(0, query.limit)))
            let decoder = EventJSON.decoder()
            let order = query.queueOrder ? "priority, occurred_at, rowid" : "occurred_at DESC, rowid DESC"
            return try connection.prepare("SELECT doc FROM events \(whereSQL) ORDER BY \(order) LIMIT ?")
                .rows(values) { row in try decoder.decode(Event.self, from: Data((row.text(0) ?? "{}").utf8)) }
        }
    }

    public func event(id: UUID) async throws -> Event? {
        try await onQueue { connection in
            let decoder = EventJSON.decoder()
            return try connection.prepare("SELECT doc FROM events WHERE id = ?")
                .rows([.text(id.uuidString.lowercased())]) { row in
                    try decoder.decode(Event.self, from: Data((row.text(0) ?? "{}").utf8))
                }.first
        }
    }

    public func changes(after seq: Int, limit: Int) async throws -> [(seq: Int, eventId: UUID, action: String)] {
        try await onQueue { db in
            try db.prepare("SELECT seq, event_id, action FROM event_history WHERE seq > ? ORDER BY seq LIMIT ?")
                .rows([.int(seq), .int(limit)]) { row in (row.int(0), UUID(uuidString: row.text(1) ?? "") ?? UUID(), row.text(2) ?? "") }
        }
    }

    public func lastChange() async throws -> Int {
        try await onQueue { db in try db.prepare("SELECT COALESCE(MAX(seq), 0) FROM event_history").rows { $0.int(0) }.first ?? 0 }
    }

    public func resolveId(prefix: String) async throws -> UUID? {
        let p = prefix.lowercased()
        guard !p.isEmpty, p.allSatisfy({ $0.isHexDigit || $0 == "-" }) else { return nil }
        let ids = try await onQueue { db in
            try db.prepare("SELECT id FROM events WHERE id >= ? AND id < ? ORDER BY id LIMIT 2")
                .rows([.text(p), .text(p + "\u{10FFFF}")]) { $0.text(0) ?? "" }
        }
        if ids.count > 1 { throw StoreError.sql("event id prefix '\(prefix)' is ambiguous: give more characters") }
        return ids.first.flatMap(UUID.init(uuidString:))
    }
}
