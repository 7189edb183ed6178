import Foundation
import NIOSSL
import PostgresNIO

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
