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

/// Token helpers: a token is 32 random bytes, base64url; only its SHA-256 is stored.
public enum Tokens {
    public static func generate() -> String {
        var rng = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
        return "rt_" + Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    public static func hash(_ token: String) -> String { Checksum.sha256Hex(Data(token.utf8)) }
}

/// Hex digests, as manifests and the event schema's `evidence.sha256` write them.
public enum Checksum {
    public static func sha256Hex(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }
}

extension SQLiteEventStore {
    /// Creates a token for `name` with `role`; returns the token itself (shown once, never stored).
    public func createToken(name: String, role: Role, now: Date = Date()) async throws -> String {
        let token = Tokens.generate()
        let hash = Tokens.hash(token)
        try await onQueue { db in
            try db.prepare("INSERT INTO tokens (hash, name, role, created_at) VALUES (?, ?, ?, ?)")
                .run([.text(hash), .text(name), .text(role.rawValue), .double(now.timeIntervalSince1970)])
        }
        return token
    }

    /// The holder of `token`, or nil when it is unknown.
    public func holder(of token: String) async throws -> TokenHolder? {
        let hash = Tokens.hash(token)
        return try await onQueue { db in
            try db.prepare("SELECT name, role FROM tokens WHERE hash = ?").rows([.text(hash)]) { row in
                (row.text(0) ?? "", row.text(1) ?? "")
            }.first.flatMap { name, role in Role(rawValue: role).map { TokenHolder(name: name, role: $0) } }
        }
    }

    /// History rows appended after `seq` (every change to the queue appends one), for live updates.
    public func changes(after seq: Int, limit: Int = 500) async throws -> [(seq: Int, eventId: UUID, action: String)] {
        try await onQueue { db in
            try db.prepare("SELECT seq, event_id, action FROM event_history WHERE seq > ? ORDER BY seq LIMIT ?")
                .rows([.int(seq), .int(limit)]) { row in (row.int(0), UUID(uuidString: row.text(1) ?? "") ?? UUID(), row.text(2) ?? "") }
        }
    }

    /// The newest history row's number (0 for an empty queue).
    public func lastChange() async throws -> Int {
        try await onQueue { db in try db.prepare("SELECT COALESCE(MAX(seq), 0) FROM event_history").rows { $0.int(0) }.first ?? 0 }
    }
}
