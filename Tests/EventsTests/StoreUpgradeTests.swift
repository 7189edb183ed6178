@testable import Events
import Foundation
import Logging
import PostgresNIO
import Testing

/// Databases made before named migrations, built by hand from the SQL text of their old schema
/// (SQLite `user_version` 1 to 3, PostgreSQL `retina_schema` version 1 to 3): the store adopts
/// them, keeps their data, and publishes into them. A database made by a newer Retina is refused.
@Suite struct StoreUpgradeTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    /// An open P2 as an old Retina stored it, with its token holder.
    var old: Event {
        var e = Event(id: UUID(uuidString: "0e0e0e0e-1111-4222-8333-444455556666")!, type: "motion.anomaly", priority: .p2,
                      source: EventSource(producer: "retina", camera: "gate"), occurredAt: t0, detectedAt: t0, dedupKey: "retina:gate:running")
        e.publishedAt = t0
        return e
    }
    var oldDoc: String { String(decoding: try! EventJSON.encoder().encode(old), as: UTF8.self) }
    let oldToken = "rt_made-by-an-old-retina"

    // MARK: - SQLite, as versions 1 to 3 left a file

    static let sqliteV1 = [
        """
        CREATE TABLE events (id TEXT PRIMARY KEY, type TEXT NOT NULL, subtype TEXT, priority INTEGER NOT NULL, level TEXT,
            state TEXT NOT NULL, escalated INTEGER NOT NULL DEFAULT 0, producer TEXT NOT NULL, camera TEXT, grp TEXT, zone TEXT,
            dedup_key TEXT, incident_id TEXT, occurred_at REAL NOT NULL, published_at REAL NOT NULL, doc TEXT NOT NULL)
        """,
        "CREATE INDEX events_queue ON events(state, priority, occurred_at); CREATE INDEX events_time ON events(occurred_at)",
        "CREATE INDEX events_camera ON events(camera, occurred_at); CREATE INDEX events_dedup ON events(dedup_key, state)",
        """
        CREATE TABLE event_history (seq INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL REFERENCES events(id), at REAL NOT NULL,
            actor TEXT NOT NULL, action TEXT NOT NULL, from_state TEXT, to_state TEXT, note TEXT);
        CREATE INDEX history_event ON event_history(event_id, seq);
        CREATE TABLE camera_health (camera TEXT PRIMARY KEY, grp TEXT, reported_at REAL NOT NULL, doc TEXT NOT NULL)
        """,
    ]
    /// Version 2 added the workflow's columns; its Retina made the tokens table, unversioned.
    static let sqliteV2 = sqliteV1 + [
        """
        ALTER TABLE events ADD COLUMN claimed_by TEXT; ALTER TABLE events ADD COLUMN lease_until REAL;
        ALTER TABLE events ADD COLUMN escalation_step INTEGER NOT NULL DEFAULT 0; ALTER TABLE events ADD COLUMN held INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX events_claim ON events(state, priority, occurred_at) WHERE state IN ('new', 'claimed');
        CREATE TABLE tokens (hash TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, created_at REAL NOT NULL)
        """,
    ]
    /// Version 3 added the aliases; its Retina made the lease tables, unversioned.
    static let sqliteV3 = sqliteV2 + [
        """
        CREATE TABLE event_aliases (id TEXT PRIMARY KEY, into_id TEXT NOT NULL);
        CREATE TABLE group_leases (grp TEXT PRIMARY KEY, node TEXT NOT NULL, epoch INTEGER NOT NULL, expires_at REAL NOT NULL, renewed_at REAL NOT NULL);
        CREATE TABLE lease_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, grp TEXT NOT NULL, node TEXT NOT NULL, epoch INTEGER NOT NULL,
            at REAL NOT NULL, action TEXT NOT NULL)
        """,
    ]

    func oldSQLiteFile(version: Int) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("old-v\(version)-\(UUID()).db").path
        let db = try SQLiteConnection(path: path)
        for statement in [Self.sqliteV1, Self.sqliteV2, Self.sqliteV3][version - 1] { try db.execute(statement) }
        try db.prepare("""
            INSERT INTO events (id, type, priority, state, producer, camera, dedup_key, occurred_at, published_at, doc)
            VALUES (?, 'motion.anomaly', 2, 'new', 'retina', 'gate', ?, ?, ?, ?)
            """).run([.text(old.id.uuidString.lowercased()), .text(old.dedupKey!), .double(t0.timeIntervalSince1970),
                      .double(t0.timeIntervalSince1970), .text(oldDoc)])
        try db.prepare("INSERT INTO event_history (event_id, at, actor, action, to_state) VALUES (?, ?, 'retina', 'published', 'new')")
            .run([.text(old.id.uuidString.lowercased()), .double(t0.timeIntervalSince1970)])
        if version >= 2 {
            try db.prepare("INSERT INTO tokens (hash, name, role, created_at) VALUES (?, 'ana', 'operator', ?)")
                .run([.text(Tokens.hash(oldToken)), .double(t0.timeIntervalSince1970)])
        }
        try db.execute("PRAGMA user_version = \(version)")
        return path
    }

    @Test(arguments: [1, 2, 3]) func anOldSQLiteFileIsAdoptedWithItsData(_ version: Int) async throws {
        let path = try oldSQLiteFile(version: version)
        let store = try SQLiteEventStore(path: path)
        try await expectUpgraded(store, tokens: version >= 2)
        await store.close()
        let db = try SQLiteConnection(path: path)
        // What the version had is recorded as applied, the rest ran: every migration once, in order.
        #expect(try db.prepare("SELECT name FROM retina_migrations ORDER BY rowid").rows { $0.text(0) ?? "" }
            == ["events", "workflow", "event-aliases", "tokens", "group-leases", "outbox", "zone-samples"])
        #expect(try db.prepare("PRAGMA user_version").rows { $0.int(0) } == [MigrationList.adoptedVersion])
        // Opened again: nothing left to run.
        let again = try SQLiteEventStore(path: path)
        #expect(try await again.event(id: old.id) != nil)
        await again.close()
    }

    @Test func aSQLiteFileOfANewerRetinaIsRefused() throws {
        let path = try oldSQLiteFile(version: 3)
        _ = try SQLiteEventStore(path: path)
        try SQLiteConnection(path: path).execute("INSERT INTO retina_migrations (name, applied_at) VALUES ('camera-zones', 0)")
        do {
            _ = try SQLiteEventStore(path: path)
            Issue.record("a file with an unknown migration was opened")
        } catch {
            #expect("\(error)".contains("made by a newer Retina") && "\(error)".contains("camera-zones"), "\(error)")
        }
        let numbered = try oldSQLiteFile(version: 3)
        try SQLiteConnection(path: numbered).execute("PRAGMA user_version = 4")
        do {
            _ = try SQLiteEventStore(path: numbered)
            Issue.record("a schema version 4 was opened")
        } catch {
            #expect("\(error)".contains("made by a newer Retina (schema version 4"), "\(error)")
        }
    }

    // MARK: - PostgreSQL, as versions 1 to 3 left a schema

    static let postgresV1 = [
        """
        CREATE TABLE events (seq BIGSERIAL UNIQUE, id TEXT PRIMARY KEY, type TEXT NOT NULL, subtype TEXT, priority INTEGER NOT NULL,
            level TEXT, state TEXT NOT NULL, escalated BOOLEAN NOT NULL DEFAULT FALSE, producer TEXT NOT NULL, camera TEXT, grp TEXT,
            zone TEXT, dedup_key TEXT, incident_id TEXT, occurred_at TIMESTAMPTZ NOT NULL, published_at TIMESTAMPTZ NOT NULL,
            claimed_by TEXT, lease_until TIMESTAMPTZ, escalation_step INTEGER NOT NULL DEFAULT 0, held BOOLEAN NOT NULL DEFAULT FALSE,
            doc JSONB NOT NULL)
        """,
        "CREATE INDEX events_claim ON events (priority, occurred_at, seq) WHERE state = 'new'",
        "CREATE INDEX events_open_dedup ON events (dedup_key) WHERE state IN ('new', 'claimed', 'acknowledged')",
        """
        CREATE TABLE event_history (seq BIGSERIAL PRIMARY KEY, event_id TEXT NOT NULL REFERENCES events (id), at TIMESTAMPTZ NOT NULL,
            actor TEXT NOT NULL, action TEXT NOT NULL, from_state TEXT, to_state TEXT, note TEXT)
        """,
        "CREATE TABLE camera_health (camera TEXT PRIMARY KEY, grp TEXT, reported_at TIMESTAMPTZ NOT NULL, doc JSONB NOT NULL)",
        "CREATE TABLE tokens (hash TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL)",
    ]
    static let postgresV2 = postgresV1 + [
        """
        CREATE TABLE group_leases (grp TEXT PRIMARY KEY, node TEXT NOT NULL, epoch BIGINT NOT NULL, expires_at TIMESTAMPTZ NOT NULL,
            renewed_at TIMESTAMPTZ NOT NULL)
        """,
        """
        CREATE TABLE lease_log (seq BIGSERIAL PRIMARY KEY, grp TEXT NOT NULL, node TEXT NOT NULL, epoch BIGINT NOT NULL,
            at TIMESTAMPTZ NOT NULL, action TEXT NOT NULL)
        """,
    ]
    static let postgresV3 = postgresV2 + ["CREATE TABLE event_aliases (id TEXT PRIMARY KEY, into_id TEXT NOT NULL)"]

    /// A new schema of the test server, made as Retina of `version` left it; returns the store URL.
    func oldPostgresSchema(version: Int, raisedTo recorded: Int? = nil) async throws -> String {
        let place = StoreKind.postgres.newPlace(), logger = Logger(label: "test.upgrade")
        let (url, db) = try await StoreKind.connect(to: place, id: 2, logger: logger)
        do {
            try await db.query("CREATE SCHEMA \(unescaped: url.schema)", logger: logger)
            try await db.query("SET search_path TO \(unescaped: url.schema)", logger: logger)
            for statement in [Self.postgresV1, Self.postgresV2, Self.postgresV3][version - 1] {
                try await db.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
            let id = old.id.uuidString.lowercased()
            try await db.query("""
                INSERT INTO events (id, type, priority, state, producer, camera, dedup_key, occurred_at, published_at, doc)
                VALUES (\(id), 'motion.anomaly', 2, 'new', 'retina', 'gate', \(old.dedupKey!), \(t0), \(t0), \(oldDoc)::jsonb)
                """, logger: logger)
            try await db.query("INSERT INTO event_history (event_id, at, actor, action, to_state) VALUES (\(id), \(t0), 'retina', 'published', 'new')",
                               logger: logger)
            try await db.query("INSERT INTO tokens (hash, name, role, created_at) VALUES (\(Tokens.hash(oldToken)), 'ana', 'operator', \(t0))",
                               logger: logger)
            try await db.query("CREATE TABLE retina_schema (version INTEGER NOT NULL)", logger: logger)
            try await db.query("INSERT INTO retina_schema (version) VALUES (\(recorded ?? version))", logger: logger)
        } catch {
            try? await db.close()
            throw error
        }
        try await db.close()
        return place
    }

    @Test(.disabled(if: StoreKind.postgresURL == nil, "needs RETINA_TEST_POSTGRES"), arguments: [1, 2, 3])
    func anOldPostgresSchemaIsAdoptedWithItsData(_ version: Int) async throws {
        let place = try await oldPostgresSchema(version: version)
        let store = try StoreKind.postgres.open(place)
        try await expectUpgraded(store, tokens: true)
        await store.close()
        let again = try StoreKind.postgres.open(place)
        #expect(try await again.event(id: old.id) != nil)
        await again.close()
    }

    @Test(.disabled(if: StoreKind.postgresURL == nil, "needs RETINA_TEST_POSTGRES"))
    func aPostgresSchemaOfANewerRetinaIsRefused() async throws {
        let store = try StoreKind.postgres.open(try await oldPostgresSchema(version: 3, raisedTo: 4))
        do {
            _ = try await store.list(EventQuery())
            Issue.record("a schema version 4 was opened")
        } catch {
            #expect("\(error)".contains("made by a newer Retina (schema version 4"), "\(error)")
        }
        await store.close()
    }

    // MARK: - What an adopted database must still do

    func expectUpgraded(_ store: any EventStore, tokens: Bool) async throws {
        #expect(try await store.event(id: old.id) == old)
        #expect(try await store.history(of: old.id).map(\.action) == ["published"])
        if tokens { #expect(try await store.holder(of: oldToken) == TokenHolder(name: "ana", role: .operator_)) }
        // Publishing works: a new event goes in, a repeat of the old open one folds into it, and
        // a clip completed for the repeat lands on the old event.
        let fresh = Event(type: "fall.detected", priority: .p1, source: EventSource(producer: "fall-detection"), occurredAt: t0)
        var repeated = Event(type: "motion.anomaly", priority: .p2, source: old.source, occurredAt: t0.addingTimeInterval(30), dedupKey: old.dedupKey)
        repeated.pendingEvidence = [PendingEvidence(kind: "clip", eventId: repeated.id)]
        #expect(try await store.publish([fresh, repeated]) == [.inserted, .merged(into: old.id)])
        let clip = EvidenceRef(kind: .clip, uri: "clips/gate/r.mp4", mime: "video/mp4")
        try await store.completeEvidence(eventId: repeated.id, .recorded(clip), by: "retina", now: t0)
        let merged = try #require(try await store.event(id: old.id))
        #expect(merged.repeats == 1 && merged.evidence == [clip] && merged.pendingEvidence.isEmpty)
        #expect(try await store.claimNext(by: "op", lease: 60, now: t0.addingTimeInterval(60))?.id == fresh.id)
        _ = try await store.createToken(name: "ben", role: .supervisor)
        #expect(try await store.acquireLeases(node: "n1", groups: ["mall"], ttl: 30, limit: nil).map(\.group) == ["mall"])
    }
}
