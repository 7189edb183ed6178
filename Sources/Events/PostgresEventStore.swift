import Foundation
import Logging
import PostgresNIO

/// The dispatch queue in PostgreSQL, for workers on several machines: the same protocol and the
/// same rules as the SQLite store. Claims lock rows with `FOR UPDATE SKIP LOCKED`, so operators on
/// different machines never wait for each other's claims; a repeat of an open condition takes a
/// transaction-scoped advisory lock on its dedup key, so two producers cannot both open it.
/// PostgresNIO is asynchronous: nothing here blocks Swift's cooperative pool.
public final class PostgresEventStore: EventStore, Sendable {
    /// The first key of the migration's advisory lock; the second is the schema name's hash.
    static let migrationLockKey: Int32 = 7263551
    /// The first key of the outbox's advisory lock (the second is 1).
    static let outboxLockKey: Int32 = 7263552

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

    /// Runs `body` in one transaction once the schema is there.
    /// - Parameter writingEvents: the body may write events, so the outbox's trigger runs: take its
    ///   lock first, before any row or dedup lock, so that no two writers wait for each other.
    func transaction<T: Sendable>(writingEvents: Bool = false, _ body: (PostgresConnection) async throws -> sending T) async throws -> T {
        try await ready.value
        let logger = logger
        do {
            return try await client.withTransaction(logger: logger) { db in
                if writingEvents { try await db.query("SELECT pg_advisory_xact_lock(\(Self.outboxLockKey), 1)", logger: logger) }
                return try await body(db)
            }
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

    public func close() async {
        runner.cancel()
        _ = await runner.value
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
