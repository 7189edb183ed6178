@testable import Events
import Foundation
import Logging
import PostgresNIO
import Testing

/// The stores the queue's contract is checked on: a SQLite file always, PostgreSQL when a server
/// is given (`scripts/test` starts one on loopback and sets RETINA_TEST_POSTGRES).
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres

    var testDescription: String { rawValue }

    static var postgresURL: String? { ProcessInfo.processInfo.environment["RETINA_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 } }

    /// SQLite always; PostgreSQL only with a server to talk to.
    static var available: [StoreKind] { postgresURL == nil ? [.sqlite] : [.sqlite, .postgres] }

    /// A place for one test's queue: a new SQLite file, or a new PostgreSQL schema. Opening the
    /// same place twice gives two stores over one queue, as two processes or machines would have.
    func newPlace() -> String {
        switch self {
        case .sqlite:
            return "sqlite:" + FileManager.default.temporaryDirectory.appendingPathComponent("queue-\(UUID()).db").path
        case .postgres:
            let url = Self.postgresURL!
            let schema = "t_" + UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: "")
            return url + (url.contains("?") ? "&" : "?") + "schema=\(schema)"
        }
    }

    func open(_ place: String) throws -> any EventStore { try StoreURL.open(place) }

    /// A plain connection to a PostgreSQL place, as another node or an older Retina would have,
    /// and the place's parsed URL (its schema).
    static func connect(to place: String, id: Int, logger: Logger) async throws -> (url: PostgresURL, db: PostgresConnection) {
        let url = try PostgresURL(place)
        let config = PostgresConnection.Configuration(host: url.host, port: url.port, username: url.user, password: url.password,
                                                      database: url.database, tls: .disable)
        return (url, try await PostgresConnection.connect(configuration: config, id: id, logger: logger))
    }
}

/// Says so, once, where the PostgreSQL half of the contract does not run.
@Suite struct PostgresAvailability {
    @Test(.disabled(if: StoreKind.postgresURL == nil,
                    "PostgreSQL store tests skipped: set RETINA_TEST_POSTGRES=postgres://… (scripts/test starts a server with scripts/test-postgres.sh)"))
    func postgresServerAnswers() async throws {
        let store = try StoreKind.postgres.open(StoreKind.postgres.newPlace())
        #expect(try await store.list(EventQuery()).isEmpty)
        await store.close()
    }
}
