import Foundation
import PostgresNIO

/// The office's bearer tokens in PostgreSQL: only their SHA-256 is kept.
extension PostgresEventStore {
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
}
