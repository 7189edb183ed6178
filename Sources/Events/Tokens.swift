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
    public static func sha256Hex(_ data: Data) -> String { hex(SHA256.hash(data: data)) }

    private static let digits = Array("0123456789abcdef".utf8)

    /// Lower-case hex of any bytes (`String(format:)` per byte cost more than hashing a snapshot).
    public static func hex<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// The office's bearer tokens: only their hashes are stored.
public protocol TokenStore: Sendable {
    /// Creates a token for `name` with `role`; returns the token itself (shown once, never stored).
    func createToken(name: String, role: Role, now: Date) async throws -> String
    /// The holder of `token`, or nil when it is unknown.
    func holder(of token: String) async throws -> TokenHolder?
    /// Every token, oldest first (ids and holders only).
    func tokens() async throws -> [TokenInfo]
    /// Removes the token whose id starts with `id`; nil when there is none.
    func revokeToken(id: String) async throws -> TokenInfo?
}

extension TokenStore {
    public func createToken(name: String, role: Role) async throws -> String {
        try await createToken(name: name, role: role, now: Date())
    }
}
