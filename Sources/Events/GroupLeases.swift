import Foundation

/// A node's time-limited hold on a camera group: only the holder's worker may serve the group.
/// `epoch` is the fencing token: it rises each time the group changes hands, and a publish carries
/// the epoch it was started under, so a worker whose node lost the lease is refused by the store.
public struct GroupLease: Sendable, Codable, Equatable {
    public var group: String
    public var node: String
    public var epoch: Int
    public var expiresAt: Date
    public var renewedAt: Date

    public init(group: String, node: String, epoch: Int, expiresAt: Date, renewedAt: Date) {
        self.group = group
        self.node = node
        self.epoch = epoch
        self.expiresAt = expiresAt
        self.renewedAt = renewedAt
    }

    public var fence: LeaseFence { LeaseFence(group: group, node: node, epoch: epoch) }
}

/// What a worker's publishes are checked against: its node still holds the group at this epoch.
public struct LeaseFence: Sendable, Codable, Equatable, CustomStringConvertible {
    public var group: String
    public var node: String
    public var epoch: Int

    public init(group: String, node: String, epoch: Int) {
        self.group = group
        self.node = node
        self.epoch = epoch
    }

    public var description: String { "group \(group) node \(node) epoch \(epoch)" }
    /// Written on the `published` history row: which holder published it.
    var note: String { "node \(node) epoch \(epoch)" }
}

/// One change of a group's holder, for `retina status` and the failover tests.
public struct LeaseChange: Sendable, Codable, Equatable {
    public var group: String
    public var node: String
    public var epoch: Int
    public var at: Date
    /// `acquired`, `taken_over` (from an expired holder) or `released`.
    public var action: String
}

/// The leases' share of a store: every store implements it, so a supervisor works the same on one
/// machine (SQLite) and across machines (PostgreSQL, whose clock is the one every node trusts).
public protocol GroupLeaseStore: Sendable {
    /// Renews this node's live leases among `groups` and takes those nobody holds (never held, or
    /// expired), until the node holds `limit` (nil: no limit). Returns what the node holds now.
    func acquireLeases(node: String, groups: [String], ttl: Double, limit: Int?) async throws -> [GroupLease]
    /// Gives the groups back at once (a graceful stop), so another node need not wait for expiry.
    func releaseLeases(node: String, groups: [String]) async throws
    /// Every lease, live or expired.
    func leases() async throws -> [GroupLease]
    /// The newest changes of holder, oldest first.
    func leaseLog(limit: Int) async throws -> [LeaseChange]
}
