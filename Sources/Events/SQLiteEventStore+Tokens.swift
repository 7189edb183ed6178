import Foundation

/// The office's bearer tokens in the SQLite file: only their SHA-256 is kept.
extension SQLiteEventStore {
    public func createToken(name: String, role: Role, now: Date) async throws -> String {
        let token = Tokens.generate()
        let hash = Tokens.hash(token)
        try await onQueue { db in
            try db.prepare("INSERT INTO tokens (hash, name, role, created_at) VALUES (?, ?, ?, ?)")
                .run([.text(hash), .text(name), .text(role.rawValue), .double(now.timeIntervalSince1970)])
        }
        return token
    }

    public func holder(of token: String) async throws -> TokenHolder? {
        let hash = Tokens.hash(token)
        return try await onQueue { db in
            try db.prepare("SELECT name, role FROM tokens WHERE hash = ?").rows([.text(hash)]) { row in
                (row.text(0) ?? "", row.text(1) ?? "")
            }.first.flatMap { name, role in Role(rawValue: role).map { TokenHolder(name: name, role: $0) } }
        }
    }

    public func tokens() async throws -> [TokenInfo] {
        try await onQueue { db in
            try db.prepare("SELECT hash, name, role, created_at FROM tokens ORDER BY created_at, name").rows { row in
                (row.text(0) ?? "", row.text(1) ?? "", row.text(2) ?? "", row.double(3))
            }.compactMap { hash, name, role, at in
                Role(rawValue: role).map { TokenInfo(id: String(hash.prefix(12)), name: name, role: $0, createdAt: Date(timeIntervalSince1970: at)) }
            }
        }
    }

    public func revokeToken(id: String) async throws -> TokenInfo? {
        let prefix = try Tokens.checkedPrefix(id)
        return try await onQueue { db in
            try db.transaction { () -> TokenInfo? in
                let rows = try db.prepare("SELECT hash, name, role, created_at FROM tokens WHERE hash LIKE ? LIMIT 2")
                    .rows([.text(prefix + "%")]) { row in (row.text(0) ?? "", row.text(1) ?? "", row.text(2) ?? "", row.double(3)) }
                guard rows.count < 2 else { throw StoreError.sql("token id '\(id)' is ambiguous: give more characters") }
                guard let (hash, name, role, at) = rows.first, let r = Role(rawValue: role) else { return nil }
                try db.prepare("DELETE FROM tokens WHERE hash = ?").run([.text(hash)])
                return TokenInfo(id: String(hash.prefix(12)), name: name, role: r, createdAt: Date(timeIntervalSince1970: at))
            }
        }
    }
}
