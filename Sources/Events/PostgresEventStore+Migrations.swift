import Foundation
import Logging
import PostgresNIO

/// The PostgreSQL schema: one ordered list of named migrations (see `MigrationList`), made on a
/// connection of its own so that a refused connection or a wrong password is reported at once.
extension PostgresEventStore {
    static let migrations = MigrationList([
        Migration(name: "events", statements: [
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
        ]),
        Migration(name: "tokens", statements: [
            "CREATE TABLE tokens (hash TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL)",
        ]),
        // Camera-group leases of the supervisors (nodes), and their log.
        Migration(name: "group-leases", statements: [
            """
            CREATE TABLE group_leases (grp TEXT PRIMARY KEY, node TEXT NOT NULL, epoch BIGINT NOT NULL, expires_at TIMESTAMPTZ NOT NULL,
                                       renewed_at TIMESTAMPTZ NOT NULL)
            """,
            """
            CREATE TABLE lease_log (seq BIGSERIAL PRIMARY KEY, grp TEXT NOT NULL, node TEXT NOT NULL, epoch BIGINT NOT NULL,
                                    at TIMESTAMPTZ NOT NULL, action TEXT NOT NULL)
            """,
        ]),
        // Ids of events folded into another by their dedup key: publishing one again is a no-op,
        // and evidence completed for one lands on the event it was folded into.
        Migration(name: "event-aliases", statements: [
            "CREATE TABLE event_aliases (id TEXT PRIMARY KEY, into_id TEXT NOT NULL)",
        ]),
        // Linkage out (issue 21): every version of an event, written by triggers in the transaction
        // that wrote it; one cursor per subscriber under a lease; what subscribers refused. The
        // trigger takes the outbox's lock (writers take it first, see `transaction(writingEvents:)`),
        // so outbox rows commit in seq order and a cursor never passes one still to come.
        Migration(name: "outbox", statements: [
            "CREATE TABLE outbox (seq BIGSERIAL PRIMARY KEY, event_id TEXT NOT NULL, at TIMESTAMPTZ NOT NULL, inserted BOOLEAN NOT NULL, doc JSONB NOT NULL)",
            "CREATE INDEX outbox_event ON outbox (event_id, seq)",
            """
            CREATE FUNCTION retina_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_advisory_xact_lock(\(outboxLockKey), 1);
                INSERT INTO outbox (event_id, at, inserted, doc) VALUES (NEW.id, clock_timestamp(), TG_OP = 'INSERT', NEW.doc);
                RETURN NULL;
            END $$
            """,
            "CREATE TRIGGER events_outbox_insert AFTER INSERT ON events FOR EACH ROW EXECUTE FUNCTION retina_outbox()",
            """
            CREATE TRIGGER events_outbox_update AFTER UPDATE OF doc ON events FOR EACH ROW
                WHEN (OLD.doc IS DISTINCT FROM NEW.doc) EXECUTE FUNCTION retina_outbox()
            """,
            """
            CREATE TABLE relays (sink TEXT PRIMARY KEY, seq BIGINT NOT NULL, holder TEXT, lease_until TIMESTAMPTZ,
                                 delivered BIGINT NOT NULL DEFAULT 0, last_error TEXT, last_error_at TIMESTAMPTZ, updated_at TIMESTAMPTZ NOT NULL)
            """,
            """
            CREATE TABLE dead_letters (id BIGSERIAL PRIMARY KEY, sink TEXT NOT NULL, seq BIGINT NOT NULL, event_id TEXT NOT NULL,
                                       at TIMESTAMPTZ NOT NULL, attempts INTEGER NOT NULL, error TEXT NOT NULL)
            """,
        ]),
        // The zones' crowd series for the office's charts (issue 21).
        Migration(name: "zone-samples", statements: [
            "CREATE TABLE zone_samples (camera TEXT NOT NULL, zone TEXT NOT NULL, at TIMESTAMPTZ NOT NULL, doc JSONB NOT NULL)",
            "CREATE INDEX zone_samples_series ON zone_samples (camera, zone, at)",
            "CREATE INDEX zone_samples_time ON zone_samples (at)",
        ]),
    ], legacy: [
        1: ["events", "tokens"],
        2: ["events", "tokens", "group-leases"],
        3: ["events", "tokens", "group-leases", "event-aliases"],
    ])

    /// An advisory lock on the schema's name keeps two first-starting nodes from racing, and only
    /// them: stores in other schemas (tenants, the tests) migrate side by side. A node that finds
    /// the lock held waits for it in steps of `lockTimeout`, saying so each time, for up to
    /// `patience`: another node making the schema on a loaded server can take longer than one step,
    /// while a session stuck holding it is an error after `patience`, not a hang.
    static func migrate(_ url: PostgresURL, logger: Logger,
                        lockTimeout: Duration = .seconds(8), patience: Duration = .seconds(60)) async throws {
        var config = PostgresConnection.Configuration(host: url.host, port: url.port, username: url.user, password: url.password,
                                                      database: url.database, tls: try url.tls.connection())
        config.options.connectTimeout = .seconds(5)
        config.options.additionalStartupParameters = [("application_name", "retina")]
        let schema = url.schema, connection = config
        let db = try await withTimeout(seconds: 10, what: "connecting") {
            try await PostgresConnection.connect(configuration: connection, id: 0, logger: logger)
        }
        do {
            try await withTimeout(seconds: seconds(patience) + 30, what: "making schema \(schema)") {
                let start = ContinuousClock.now
                while true {
                    do {
                        return try await applyMigrations(db, schema: schema, lockTimeout: lockTimeout, logger: logger)
                    } catch is LockTimedOut {
                        try await db.query("ROLLBACK", logger: logger)
                        let waited = start.duration(to: .now)
                        guard waited + lockTimeout <= patience else {
                            throw StoreError.sql("another session has held schema \(schema)'s migration lock for \(Int(seconds(waited).rounded())) s (see pg_stat_activity)")
                        }
                        logger.warning("schema \(schema)'s migration lock is held by another session (another node making it?); still waiting after \(String(format: "%.1f", seconds(waited))) s")
                    }
                }
            }
        } catch {
            try? await db.close()
            throw error
        }
        try await db.close()
    }

    /// The server gave up waiting for the migration lock (this try's `lock_timeout`).
    struct LockTimedOut: Error {}

    private static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    /// In one transaction under the schema's lock (PostgreSQL's DDL is transactional): adopts a
    /// schema of the numbered days, then applies each missing migration in order and records it.
    /// One transaction, not one per migration: a node's first start makes a whole schema in a few
    /// round trips, and the lock is taken once.
    private static func applyMigrations(_ db: PostgresConnection, schema: String, lockTimeout: Duration, logger: Logger) async throws {
        try await db.query("BEGIN", logger: logger)
        let ms = Int(seconds(lockTimeout) * 1000)
        try await db.query(PostgresQuery(unsafeSQL: "SET LOCAL lock_timeout = '\(ms)ms'"), logger: logger)
        do {
            // Collected: a SELECT's error arrives after its row description, while the rows are read.
            _ = try await db.query("SELECT pg_advisory_xact_lock(\(migrationLockKey), hashtext(\(schema)))", logger: logger).collect()
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "55P03" {
            throw LockTimedOut()
        }
        try await db.query("CREATE SCHEMA IF NOT EXISTS \(unescaped: quoteIdentifier(schema))", logger: logger)
        try await db.query("SET LOCAL search_path TO \(unescaped: quoteIdentifier(schema))", logger: logger)
        try await db.query("""
            CREATE TABLE IF NOT EXISTS \(unescaped: MigrationList.table) (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
            """, logger: logger)
        var applied = try await db.query("SELECT name FROM \(unescaped: MigrationList.table)", logger: logger).collect()
            .map { try $0.decode(String.self) }
        if applied.isEmpty {
            // The old version number stays, raised, only so that a Retina from before named
            // migrations refuses this schema instead of making its tables again.
            try await db.query("CREATE TABLE IF NOT EXISTS retina_schema (version INTEGER NOT NULL)", logger: logger)
            let version = try await db.query("SELECT version FROM retina_schema", logger: logger).collect().first?.decode(Int.self) ?? 0
            applied = try migrations.adopted(fromVersion: version)
            for name in applied {
                try await db.query("INSERT INTO \(unescaped: MigrationList.table) (name) VALUES (\(name))", logger: logger)
            }
            try await db.query("DELETE FROM retina_schema", logger: logger)
            try await db.query("INSERT INTO retina_schema (version) VALUES (\(MigrationList.adoptedVersion))", logger: logger)
        }
        while let next = try migrations.next(applied: applied) {
            for statement in next.statements { try await db.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
            try await db.query("INSERT INTO \(unescaped: MigrationList.table) (name) VALUES (\(next.name))", logger: logger)
            applied.append(next.name)
        }
        try await db.query("COMMIT", logger: logger)
    }
}
