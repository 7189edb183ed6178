import Foundation
import Logging
import NIOSSL
import PostgresNIO
import Synchronization

/// The dispatch queue in PostgreSQL, for workers on several machines: the same protocol and the
/// same rules as the SQLite store. Claims lock rows with `FOR UPDATE SKIP LOCKED`, so operators on
/// different machines never wait for each other's claims; a repeat of an open condition takes a
/// transaction-scoped advisory lock on its dedup key, so two producers cannot both open it.
/// PostgresNIO is asynchronous: nothing here blocks Swift's cooperative pool.
public final class PostgresEventStore: EventStore, Sendable {
    static let schemaVersion = 3
    /// The first key of the migration's advisory lock; the second is the schema name's hash.
    static let migrationLockKey: Int32 = 7263551

    let client: PostgresClient
    private let runner: Task<Void, Never>
    private let ready: Task<Void, Error>
    let logger: Logger
    /// The URL without its password, for messages.
    public let displayURL: String

    /// Opens `postgres://user[:password]@host[:port]/database[?schema=NAME&sslmode=disable|prefer|require]`.
    /// The schema (default `public`) is created when missing; a site can keep several queues apart.
    public init(url: String, logger: Logger = Logger(label: "retina.store.postgres")) throws {
        let parsed = try PostgresURL(url)
        displayURL = parsed.display
        self.logger = logger
        var config = PostgresClient.Configuration(host: parsed.host, port: parsed.port, username: parsed.user,
                                                  password: parsed.password, database: parsed.database, tls: parsed.tls.client)
        config.options.additionalStartupParameters = [("search_path", parsed.schema), ("application_name", "retina")]
        config.options.connectTimeout = .seconds(5)
        config.options.maximumConnections = 8
        // The pool retries failed connections quietly; the first connection (below) says why it failed.
        var background = logger
        background.logLevel = .error
        let client = PostgresClient(configuration: config, backgroundLogger: background)
        self.client = client
        runner = Task { await client.run() }
        let display = parsed.display
        ready = Task {
            do {
                try await Self.migrate(parsed, logger: logger)
            } catch {
                throw StoreError.open(path: display, reason: PostgresEventStore.explain(error))
            }
        }
    }

    /// Makes the schema on a connection of its own, so that a refused connection or a wrong
    /// password is reported at once. An advisory lock on the schema's name keeps two first-starting
    /// nodes from racing, and only them: stores in other schemas (tenants, the tests) migrate side by
    /// side. The server gives up waiting for it after 8 s, so a stuck session elsewhere is an error
    /// here, not a hang.
    private static func migrate(_ url: PostgresURL, logger: Logger) async throws {
        var config = PostgresConnection.Configuration(host: url.host, port: url.port, username: url.user, password: url.password,
                                                      database: url.database, tls: try url.tls.connection())
        config.options.connectTimeout = .seconds(5)
        config.options.additionalStartupParameters = [("application_name", "retina")]
        let schema = url.schema, connection = config
        try await withTimeout(seconds: 10, what: "connecting") {
            let db = try await PostgresConnection.connect(configuration: connection, id: 0, logger: logger)
            do {
                try await db.query("BEGIN", logger: logger)
                try await db.query("SET LOCAL lock_timeout = '8s'", logger: logger)
                do {
                    // Collected: a SELECT's error arrives after its row description, while the rows are read.
                    _ = try await db.query("SELECT pg_advisory_xact_lock(\(migrationLockKey), hashtext(\(schema)))", logger: logger).collect()
                } catch let error as PSQLError where error.serverInfo?[.sqlState] == "55P03" {
                    throw StoreError.sql("another session has held schema \(schema)'s migration lock for 8 s (see pg_stat_activity)")
                }
                try await db.query("CREATE SCHEMA IF NOT EXISTS \(unescaped: quoteIdentifier(schema))", logger: logger)
                try await db.query("SET LOCAL search_path TO \(unescaped: quoteIdentifier(schema))", logger: logger)
                try await db.query("CREATE TABLE IF NOT EXISTS retina_schema (version INTEGER NOT NULL)", logger: logger)
                let current = try await db.query("SELECT version FROM retina_schema", logger: logger).collect().first?.decode(Int.self) ?? 0
                if current > schemaVersion {
                    throw StoreError.unsupported("made by a newer Retina (schema \(current), this one knows \(schemaVersion))")
                }
                if current < schemaVersion {
                    // Each version's statements, from the one after `current`.
                    for statement in migrations.dropFirst(current).joined() {
                        try await db.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                    }
                    try await db.query("DELETE FROM retina_schema", logger: logger)
                    try await db.query("INSERT INTO retina_schema (version) VALUES (\(schemaVersion))", logger: logger)
                }
                try await db.query("COMMIT", logger: logger)
            } catch {
                try? await db.close()
                throw error
            }
            try await db.close()
        }
    }

    /// Version n's statements are `migrations[n - 1]`.
    static let migrations = [schemaStatements, leaseStatements, aliasStatements]

    /// Ids of events folded into another by their dedup key: publishing one again is a no-op.
    static let aliasStatements = ["CREATE TABLE event_aliases (id TEXT PRIMARY KEY, into_id TEXT NOT NULL)"]

    static let leaseStatements = [
        "CREATE TABLE group_leases (grp TEXT PRIMARY KEY, node TEXT NOT NULL, epoch BIGINT NOT NULL, expires_at TIMESTAMPTZ NOT NULL, renewed_at TIMESTAMPTZ NOT NULL)",
        """
        CREATE TABLE lease_log (seq BIGSERIAL PRIMARY KEY, grp TEXT NOT NULL, node TEXT NOT NULL, epoch BIGINT NOT NULL,
                                at TIMESTAMPTZ NOT NULL, action TEXT NOT NULL)
        """,
    ]

    static let schemaStatements = [
        """
        CREATE TABLE events (
            seq BIGSERIAL UNIQUE,
            id TEXT PRIMARY KEY,
            type TEXT NOT NULL,
            subtype TEXT,
            priority INTEGER NOT NULL,
            level TEXT,
            state TEXT NOT NULL,
            escalated BOOLEAN NOT NULL DEFAULT FALSE,
            producer TEXT NOT NULL,
            camera TEXT,
            grp TEXT,
            zone TEXT,
            dedup_key TEXT,
            incident_id TEXT,
            occurred_at TIMESTAMPTZ NOT NULL,
            published_at TIMESTAMPTZ NOT NULL,
            claimed_by TEXT,
            lease_until TIMESTAMPTZ,
            escalation_step INTEGER NOT NULL DEFAULT 0,
            held BOOLEAN NOT NULL DEFAULT FALSE,
            doc JSONB NOT NULL
        )
        """,
        "CREATE INDEX events_claim ON events (priority, occurred_at, seq) WHERE state = 'new'",
        "CREATE INDEX events_leases ON events (lease_until) WHERE state = 'claimed'",
        "CREATE INDEX events_time ON events (occurred_at)",
        "CREATE INDEX events_camera ON events (camera, occurred_at)",
        "CREATE INDEX events_open_dedup ON events (dedup_key) WHERE state IN ('new', 'claimed', 'acknowledged')",
        """
        CREATE TABLE event_history (
            seq BIGSERIAL PRIMARY KEY,
            event_id TEXT NOT NULL REFERENCES events (id),
            at TIMESTAMPTZ NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            from_state TEXT,
            to_state TEXT,
            note TEXT
        )
        """,
        "CREATE INDEX history_event ON event_history (event_id, seq)",
        "CREATE TABLE camera_health (camera TEXT PRIMARY KEY, grp TEXT, reported_at TIMESTAMPTZ NOT NULL, doc JSONB NOT NULL)",
        "CREATE TABLE tokens (hash TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL)",
    ]

    /// Runs `body` in one transaction once the schema is there.
    func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> sending T) async throws -> T {
        try await ready.value
        do {
            return try await client.withTransaction(logger: logger) { db in try await body(db) }
        } catch let error as PostgresTransactionError {
            // What the body threw (a refused transition, say) is the caller's answer, not a database error.
            if let inner = error.closureError ?? error.beginError ?? error.commitError {
                if let psql = inner as? PSQLError { throw StoreError.sql(Self.explain(psql)) }
                throw inner
            }
            throw StoreError.sql("\(error)")
        } catch let error as PSQLError {
            throw StoreError.sql(Self.explain(error))
        }
    }

    /// Runs one statement outside a transaction once the schema is there.
    func rows(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await ready.value
        do {
            return try await client.query(query, logger: logger).collect()
        } catch let error as PSQLError {
            throw StoreError.sql(Self.explain(error))
        }
    }

    // MARK: - Publishing and reading

    public func publish(_ events: [Event], by actor: String?, fence: LeaseFence?) async throws -> [PublishOutcome] {
        guard !events.isEmpty else { return [] }
        return try await transaction { db in
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

    public func close() async {
        runner.cancel()
        _ = await runner.value
    }

    // MARK: - The office's workflow

    public func claimNext(by actor: String, lease: Double, now: Date) async throws -> Event? {
        try await transaction { db in
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
        try await transaction { db in
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

    public func addEvidence(_ refs: [EvidenceRef], to id: UUID, by actor: String, now: Date) async throws {
        try await transaction { db in
            guard var event = try await Self.loadOne(db, logger, "SELECT doc::text FROM events WHERE id = \(id.uuidString.lowercased()) FOR UPDATE") else {
                throw WorkflowError.notFound(id)
            }
            guard let entry = Transitions.addEvidence(refs, to: &event, by: actor, now: now) else { return }
            try await Self.write(event, db, logger)
            try await Self.record(event.id, entry, db, logger)
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
        try await transaction { db in
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
            for table in ["event_history WHERE event_id", "event_aliases WHERE into_id"] {
                try await db.query(PostgresQuery(unsafeSQL: "DELETE FROM \(table) IN (SELECT id FROM events WHERE \(condition))", binds: binds),
                                   logger: logger)
            }
            return try await db.query(PostgresQuery(unsafeSQL: "DELETE FROM events WHERE \(condition) RETURNING 1", binds: binds),
                                      logger: logger).collect().count
        }
    }

    public func resolveId(prefix: String) async throws -> UUID? {
        let p = prefix.lowercased()
        guard !p.isEmpty, p.allSatisfy({ $0.isHexDigit || $0 == "-" }) else { return nil }
        let ids = try await rows("SELECT id FROM events WHERE id LIKE \(p + "%") ORDER BY id LIMIT 2").map { try $0.decode(String.self) }
        if ids.count > 1 { throw StoreError.sql("event id prefix '\(prefix)' is ambiguous: give more characters") }
        return ids.first.flatMap(UUID.init(uuidString:))
    }

    // MARK: - Tokens and the change feed

    public func createToken(name: String, role: Role, now: Date) async throws -> String {
        let token = Tokens.generate()
        _ = try await rows("INSERT INTO tokens (hash, name, role, created_at) VALUES (\(Tokens.hash(token)), \(name), \(role.rawValue), \(now))")
        return token
    }

    public func holder(of token: String) async throws -> TokenHolder? {
        try await rows("SELECT name, role FROM tokens WHERE hash = \(Tokens.hash(token))").first.flatMap { row in
            let (name, role) = try row.decode((String, String).self)
            return Role(rawValue: role).map { TokenHolder(name: name, role: $0) }
        }
    }

    public func tokens() async throws -> [TokenInfo] {
        try await rows("SELECT hash, name, role, created_at FROM tokens ORDER BY created_at, name").compactMap { row in
            let (hash, name, role, at) = try row.decode((String, String, String, Date).self)
            return Role(rawValue: role).map { TokenInfo(id: String(hash.prefix(12)), name: name, role: $0, createdAt: at) }
        }
    }

    public func revokeToken(id: String) async throws -> TokenInfo? {
        let prefix = try Tokens.checkedPrefix(id)
        return try await transaction { db in
            let found = try await db.query("SELECT hash, name, role, created_at FROM tokens WHERE hash LIKE \(prefix + "%") LIMIT 2 FOR UPDATE",
                                           logger: logger).collect()
            guard found.count < 2 else { throw StoreError.sql("token id '\(id)' is ambiguous: give more characters") }
            guard let row = found.first else { return nil }
            let (hash, name, role, at) = try row.decode((String, String, String, Date).self)
            try await db.query("DELETE FROM tokens WHERE hash = \(hash)", logger: logger)
            return Role(rawValue: role).map { TokenInfo(id: String(hash.prefix(12)), name: name, role: $0, createdAt: at) }
        }
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

    static func encode(_ event: Event) throws -> String {
        String(decoding: try EventJSON.encoder().encode(event), as: UTF8.self)
    }

    static func decodeEvent(_ row: PostgresRow) throws -> Event {
        try EventJSON.decoder().decode(Event.self, from: Data(try row.decode(String.self).utf8))
    }

    /// PostgreSQL's own message (PSQLError hides it from `description` by default).
    static func explain(_ error: Error) -> String {
        if let psql = error as? PSQLError {
            if let message = psql.serverInfo?[.message] { return message }
            if psql.code == .connectionError, let underlying = psql.underlying {
                return "\(underlying) — is PostgreSQL running there, and does its pg_hba.conf let this host in?"
            }
            if let underlying = psql.underlying { return "\(psql.code): \(underlying)" }
            return "\(psql.code)"
        }
        return "\(error)"
    }

    static func quoteIdentifier(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
}

/// Fails with a clear message when `body` takes longer than `seconds` (an unreachable server
/// otherwise leaves the connection pool retrying quietly). It returns then without waiting for
/// `body`, which is cancelled: a query blocked in the server does not notice cancellation, and a task
/// group would wait for it.
func withTimeout<T: Sendable>(seconds: Double, what: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let once = ResumeOnce(continuation)
        let work = Task {
            do { once.resume(.success(try await body())) } catch { once.resume(.failure(error)) }
        }
        Task {
            try? await Task.sleep(for: .seconds(seconds))
            work.cancel()
            let shown = seconds.rounded() == seconds ? "\(Int(seconds))" : "\(seconds)"
            once.resume(.failure(StoreError.sql("timed out after \(shown) s \(what)")))
        }
    }
}

/// A continuation that the first of several racers resumes.
private final class ResumeOnce<T: Sendable>: Sendable {
    private let continuation: Mutex<CheckedContinuation<T, Error>?>
    init(_ c: CheckedContinuation<T, Error>) { continuation = Mutex(c) }
    func resume(_ result: Result<T, Error>) { continuation.withLock { c in c.take() }?.resume(with: result) }
}

/// The parts of a `postgres://` store URL.
struct PostgresURL {
    var host: String
    var port: Int
    var user: String
    var password: String?
    var database: String?
    var schema: String
    var tls: TLSMode
    var display: String

    /// `sslmode`, as libpq names it.
    enum TLSMode {
        case disable, prefer, require

        var client: PostgresClient.Configuration.TLS {
            switch self {
            case .disable: .disable
            case .prefer: .prefer(.makeClientConfiguration())
            case .require: .require(.makeClientConfiguration())
            }
        }

        func connection() throws -> PostgresConnection.Configuration.TLS {
            switch self {
            case .disable: .disable
            case .prefer: .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
            case .require: .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            }
        }
    }

    init(_ url: String) throws {
        guard let c = URLComponents(string: url), c.scheme == "postgres" || c.scheme == "postgresql",
              let host = c.host, !host.isEmpty else {
            throw StoreError.badURL(url)
        }
        self.host = host
        port = c.port ?? 5432
        user = c.user.flatMap { $0.removingPercentEncoding } ?? ProcessInfo.processInfo.environment["USER"] ?? "postgres"
        password = c.password.flatMap { $0.removingPercentEncoding } ?? ProcessInfo.processInfo.environment["PGPASSWORD"]
        let path = c.path.hasPrefix("/") ? String(c.path.dropFirst()) : c.path
        database = path.isEmpty ? nil : path
        let items = Dictionary((c.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        schema = items["schema"] ?? "public"
        guard !schema.isEmpty, schema.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
            throw StoreError.badURL("\(url) (schema must be letters, digits and _)")
        }
        switch items["sslmode"] ?? "prefer" {
        case "disable": tls = .disable
        case "prefer": tls = .prefer
        case "require": tls = .require
        case let other: throw StoreError.badURL("\(url) (sslmode=\(other): use disable, prefer or require)")
        }
        var shown = c
        shown.password = nil
        display = shown.string ?? url
    }
}
