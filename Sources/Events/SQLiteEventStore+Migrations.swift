import Foundation

/// The SQLite file's schema: one ordered list of named migrations (see `MigrationList`).
extension SQLiteEventStore {
    static let migrations = MigrationList([
        Migration(name: "events", statements: [
            """
            CREATE TABLE events (
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
            )
            """,
            "CREATE INDEX events_queue ON events(state, priority, occurred_at)",
            "CREATE INDEX events_time ON events(occurred_at)",
            "CREATE INDEX events_camera ON events(camera, occurred_at)",
            "CREATE INDEX events_dedup ON events(dedup_key, state)",
            """
            CREATE TABLE event_history (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                event_id TEXT NOT NULL REFERENCES events(id),
                at REAL NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                from_state TEXT,
                to_state TEXT,
                note TEXT
            )
            """,
            "CREATE INDEX history_event ON event_history(event_id, seq)",
            "CREATE TABLE camera_health (camera TEXT PRIMARY KEY, grp TEXT, reported_at REAL NOT NULL, doc TEXT NOT NULL)",
        ]),
        // The office's workflow: claims with leases, escalation steps, legal hold.
        Migration(name: "workflow", statements: [
            "ALTER TABLE events ADD COLUMN claimed_by TEXT",
            "ALTER TABLE events ADD COLUMN lease_until REAL",
            "ALTER TABLE events ADD COLUMN escalation_step INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE events ADD COLUMN held INTEGER NOT NULL DEFAULT 0",
            "CREATE INDEX events_claim ON events(state, priority, occurred_at) WHERE state IN ('new', 'claimed')",
        ]),
        // Ids of events folded into another by their dedup key: publishing one again is a no-op,
        // and evidence completed for one lands on the event it was folded into.
        Migration(name: "event-aliases", statements: [
            "CREATE TABLE event_aliases (id TEXT PRIMARY KEY, into_id TEXT NOT NULL)",
        ]),
        // IF NOT EXISTS: before named migrations these tables were made unversioned on every open,
        // so a file of schema version 1 to 3 may have them or not.
        Migration(name: "tokens", statements: [
            "CREATE TABLE IF NOT EXISTS tokens (hash TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, created_at REAL NOT NULL)",
        ]),
        Migration(name: "group-leases", statements: [
            """
            CREATE TABLE IF NOT EXISTS group_leases (
                grp TEXT PRIMARY KEY, node TEXT NOT NULL, epoch INTEGER NOT NULL, expires_at REAL NOT NULL, renewed_at REAL NOT NULL
            )
            """,
            """
            CREATE TABLE IF NOT EXISTS lease_log (
                seq INTEGER PRIMARY KEY AUTOINCREMENT, grp TEXT NOT NULL, node TEXT NOT NULL, epoch INTEGER NOT NULL,
                at REAL NOT NULL, action TEXT NOT NULL
            )
            """,
        ]),
        // Linkage out (issue 21): every version of an event, written by triggers in the transaction
        // that wrote it; one cursor per subscriber under a lease; what subscribers refused.
        Migration(name: "outbox", statements: [
            "CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL, at REAL NOT NULL, inserted INTEGER NOT NULL, doc TEXT NOT NULL)",
            "CREATE INDEX outbox_event ON outbox(event_id, seq)",
            """
            CREATE TRIGGER events_outbox_insert AFTER INSERT ON events BEGIN
                INSERT INTO outbox (event_id, at, inserted, doc) VALUES (NEW.id, (julianday('now') - 2440587.5) * 86400.0, 1, NEW.doc);
            END
            """,
            """
            CREATE TRIGGER events_outbox_update AFTER UPDATE OF doc ON events WHEN NEW.doc IS NOT OLD.doc BEGIN
                INSERT INTO outbox (event_id, at, inserted, doc) VALUES (NEW.id, (julianday('now') - 2440587.5) * 86400.0, 0, NEW.doc);
            END
            """,
            """
            CREATE TABLE relays (sink TEXT PRIMARY KEY, seq INTEGER NOT NULL, holder TEXT, lease_until REAL,
                                 delivered INTEGER NOT NULL DEFAULT 0, last_error TEXT, last_error_at REAL, updated_at REAL NOT NULL)
            """,
            """
            CREATE TABLE dead_letters (id INTEGER PRIMARY KEY AUTOINCREMENT, sink TEXT NOT NULL, seq INTEGER NOT NULL,
                                       event_id TEXT NOT NULL, at REAL NOT NULL, attempts INTEGER NOT NULL, error TEXT NOT NULL)
            """,
        ]),
        // The zones' crowd series for the office's charts (issue 21).
        Migration(name: "zone-samples", statements: [
            "CREATE TABLE zone_samples (camera TEXT NOT NULL, zone TEXT NOT NULL, at REAL NOT NULL, doc TEXT NOT NULL)",
            "CREATE INDEX zone_samples_series ON zone_samples(camera, zone, at)",
            "CREATE INDEX zone_samples_time ON zone_samples(at)",
        ]),
    ], legacy: [
        1: ["events"],
        2: ["events", "workflow"],
        3: ["events", "workflow", "event-aliases"],
    ])

    static func migrate(_ db: SQLiteConnection) throws {
        // WAL lets readers (the office, the CLI) work while a worker writes; FULL makes a returned
        // publish survive power loss. (journal_mode cannot change inside a transaction.)
        try db.execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;")
        // One IMMEDIATE transaction per migration: a process opening the same file at the same
        // time waits for it, then finds it applied.
        while try db.transaction({ try applyNextMigration(db) }) {}
    }

    /// Applies the first missing migration and records it; false when none is missing.
    private static func applyNextMigration(_ db: SQLiteConnection) throws -> Bool {
        try db.execute("CREATE TABLE IF NOT EXISTS \(MigrationList.table) (name TEXT PRIMARY KEY, applied_at REAL NOT NULL)")
        let record = try db.prepare("INSERT INTO \(MigrationList.table) (name, applied_at) VALUES (?, ?)")
        let now = Date().timeIntervalSince1970
        var applied = try db.prepare("SELECT name FROM \(MigrationList.table) ORDER BY rowid").rows { $0.text(0) ?? "" }
        if applied.isEmpty {
            let version = try db.prepare("PRAGMA user_version").rows { $0.int(0) }.first ?? 0
            applied = try migrations.adopted(fromVersion: version)
            for name in applied { try record.run([.text(name), .double(now)]) }
            try db.execute("PRAGMA user_version = \(MigrationList.adoptedVersion)")
        }
        guard let next = try migrations.next(applied: applied) else { return false }
        for statement in next.statements { try db.execute(statement) }
        try record.run([.text(next.name), .double(now)])
        return true
    }
}
