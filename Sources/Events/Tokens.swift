import Crypto
import Foundation

/// Who may do what at the office API. Roles are checked per endpoint; `admin` may do everything,
/// a `supervisor` everything an `operator` may.
public enum Role: String, Sendable, Codable, CaseIterable {
    case operator_ = "operator", supervisor, liaison, producer, admin

    /// Whether this role may act as `required`.
    public func allows(_ required: Role) -> Bool {
        self == required || self == .admin || (self == .supervisor && required == .operator_)
    }
}

/// A bearer token's holder.
public struct TokenHolder: Sendable, Equatable {
    public var name: String
    public var role: Role
    public init(name: String, role: Role) { self.name = name; self.role = role }
}

/// A token as an admin sees it: never the token itself, only an id made from its hash.
public struct TokenInfo: Sendable, Codable, Equatable {
    /// The first 12 hex digits of the token's SHA-256: enough to name it, useless to use it.
    public var id: String
    public var name: String
    public var role: Role
    public var createdAt: Date

    public init(id: String, name: String, role: Role, createdAt: Date) {
        self.id = id
        self.name = name
        self.role = role
        self.createdAt = createdAt
    }
}

/// Token helpers: a token is 32 random bytes, base64url; only its SHA-256 is stored.
public enum Tokens {
    public static func generate() -> String {
        var rng = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
        return "rt_" + Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    public static func hash(_ token: String) -> String { Checksum.sha256Hex(Data(token.utf8)) }

    /// A token id as typed: at least 8 hex digits (a shorter one could name many tokens).
    public static func checkedPrefix(_ id: String) throws -> String {
        let p = id.lowercased()
        guard p.count >= 8, p.allSatisfy(\.isHexDigit) else {
            throw StoreError.unsupported("token id '\(id)': expected at least 8 hex digits, as `retina tokens list` shows them")
        }
        return p
    }
}

/// Hex digests, as manifests and the event schema's `evidence.sha256` write them.
public enum Checksum {
    public static func sha256Hex(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }
}

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

    public func changes(after seq: Int, limit: Int) async throws -> [(seq: Int, eventId: UUID, action: String)] {
        try await onQueue { db in
            try db.prepare("SELECT seq, event_id, action FROM event_history WHERE seq > ? ORDER BY seq LIMIT ?")
                .rows([.int(seq), .int(limit)]) { row in (row.int(0), UUID(uuidString: row.text(1) ?? "") ?? UUID(), row.text(2) ?? "") }
        }
    }

    public func lastChange() async throws -> Int {
        try await onQueue { db in try db.prepare("SELECT COALESCE(MAX(seq), 0) FROM event_history").rows { $0.int(0) }.first ?? 0 }
    }
}
