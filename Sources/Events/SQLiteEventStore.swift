import Foundation

/// The embedded dispatch queue: one SQLite file in WAL mode, shared by every producer process on
/// the machine. All SQLite calls run on the store's own serial queue, never on Swift's cooperative
/// pool, and each publish is one short IMMEDIATE transaction.
public final class SQLiteEventStore: EventStore, @unchecked Sendable {
    // @unchecked: `connection` is only touched on `queue`.
    private let queue: DispatchQueue
    private let connection: SQLiteConnection
    public let path: String

    static let schemaVersion = 3

    public init(path: String) throws {
        self.path = path
        queue = DispatchQueue(label: "retina.store.sqlite")
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty, !FileManager.default.fileExists(atPath: dir) {
            throw StoreError.open(path: path, reason: "folder \(dir) does not exist")
        }
        connection = try SQLiteConnection(path: path)
        try Self.migrate(connection)
        // Office tokens: only hashes are kept.
        try connection.execute("CREATE TABLE IF NOT EXISTS tokens (hash TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, created_at REAL NOT NULL)")
        // Camera-group leases of the supervisors (nodes), and their log.
        try connection.execute(Self.leaseTables)
    }

    private static func migrate(_ db: SQLiteConnection) throws {
        // WAL lets readers (the office, the CLI) work while a worker writes; FULL makes a returned
        // publish survive power loss.
        try db.execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;")
        let version = try db.prepare("PRAGMA user_version").rows { $0.int(0) }.first ?? 0
        if version > schemaVersion {
            throw StoreError.open(path: db.path, reason: "made by a newer Retina (schema \(version), this one knows \(schemaVersion))")
        }
        guard version < schemaVersion else { return }
        if version >= 1 {
            // Version 2 adds the office's workflow: claims with leases, escalation steps, legal hold;
            // version 3 remembers the ids folded into other events.
            try db.transaction {
                try db.execute((version < 2 ? Self.workflowColumns : "") + Self.aliasTable + "PRAGMA user_version = \(schemaVersion);")
            }
            return
        }
        try db.transaction {
            try db.execute("""
            CREATE TABLE IF NOT EXISTS events (
                id TEXT PRIMARY KEY,
                type TEXT NOT NULL,
                subtype TEXT,
                priority INTEGER NOT NULL,
                level TEXT,
                state TEXT NOT NULL,
                escalated INTEGER NOT NULL DEFAULT 0,
                producer TEXT NOT NULL,
                camera TEXT,
                grp TEXT,
                zone TEXT,
                dedup_key TEXT,
                incident_id TEXT,
                occurred_at REAL NOT NULL,
                published_at REAL NOT NULL,
                doc TEXT NOT NULL
            );
            CREATE INDEX IF NOT EXISTS events_queue ON events(state, priority, occurred_at);
            CREATE INDEX IF NOT EXISTS events_time ON events(occurred_at);
            CREATE INDEX IF NOT EXISTS events_camera ON events(camera, occurred_at);
            CREATE INDEX IF NOT EXISTS events_dedup ON events(dedup_key, state);
            CREATE TABLE IF NOT EXISTS event_history (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                event_id TEXT NOT NULL REFERENCES events(id),
                at REAL NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                from_state TEXT,
                to_state TEXT,
                note TEXT
            );
            CREATE INDEX IF NOT EXISTS history_event ON event_history(event_id, seq);
            \(Self.workflowColumns)
            \(Self.aliasTable)
            CREATE TABLE IF NOT EXISTS camera_health (
                camera TEXT PRIMARY KEY,
                grp TEXT,
                reported_at REAL NOT NULL,
                doc TEXT NOT NULL
            );
            PRAGMA user_version = \(schemaVersion);
            """)
        }
    }

    static let workflowColumns = """
    ALTER TABLE events ADD COLUMN claimed_by TEXT;
    ALTER TABLE events ADD COLUMN lease_until REAL;
    ALTER TABLE events ADD COLUMN escalation_step INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE events ADD COLUMN held INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX IF NOT EXISTS events_claim ON events(state, priority, occurred_at) WHERE state IN ('new', 'claimed');

    """

    /// Ids of events folded into another by their dedup key: publishing one again is a no-op.
    static let aliasTable = """
    CREATE TABLE IF NOT EXISTS event_aliases (id TEXT PRIMARY KEY, into_id TEXT NOT NULL);

    """

    func onQueue<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body(self.connection) }) }
        }
    }

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

    public func close() async {
        // The connection closes when the store is released; wait for queued work first.
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in queue.async { c.resume() } }
    }
}
