import Foundation

/// Camera-group leases on the SQLite file: every node on this machine shares its clock, and each
/// change is one IMMEDIATE transaction, so two nodes never both take a group.
extension SQLiteEventStore {
    public func acquireLeases(node: String, groups: [String], ttl: Double, limit: Int?) async throws -> [GroupLease] {
        try await onQueue { db in
            try db.transaction { () -> [GroupLease] in
                let now = Date().timeIntervalSince1970
                let all = try Self.leaseRows(db, where: "1 = 1", [])
                var held = all.filter { $0.node == node && $0.expiresAt.timeIntervalSince1970 > now && groups.contains($0.group) }
                let renew = try db.prepare("UPDATE group_leases SET expires_at = ?, renewed_at = ? WHERE grp = ? AND node = ? AND epoch = ?")
                for i in held.indices {
                    try renew.run([.double(now + ttl), .double(now), .text(held[i].group), .text(node), .int(held[i].epoch)])
                    held[i].expiresAt = Date(timeIntervalSince1970: now + ttl)
                    held[i].renewedAt = Date(timeIntervalSince1970: now)
                }
                let byGroup = Dictionary(all.map { ($0.group, $0) }, uniquingKeysWith: { a, _ in a })
                let take = try db.prepare("""
                    INSERT INTO group_leases (grp, node, epoch, expires_at, renewed_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT(grp) DO UPDATE SET node = excluded.node, epoch = excluded.epoch,
                        expires_at = excluded.expires_at, renewed_at = excluded.renewed_at
                    """)
                let log = try db.prepare("INSERT INTO lease_log (grp, node, epoch, at, action) VALUES (?, ?, ?, ?, ?)")
                for group in groups where !held.contains(where: { $0.group == group }) {
                    if let limit, held.count >= limit { break }
                    let current = byGroup[group]
                    if let current, current.expiresAt.timeIntervalSince1970 > now { continue }  // someone else's, live
                    let epoch = (current?.epoch ?? 0) + 1
                    try take.run([.text(group), .text(node), .int(epoch), .double(now + ttl), .double(now)])
                    try log.run([.text(group), .text(node), .int(epoch), .double(now),
                                 .text(current == nil || current?.node == "" ? "acquired" : "taken_over")])
                    held.append(GroupLease(group: group, node: node, epoch: epoch, expiresAt: Date(timeIntervalSince1970: now + ttl),
                                           renewedAt: Date(timeIntervalSince1970: now)))
                }
                return held.sorted { $0.group < $1.group }
            }
        }
    }

    public func releaseLeases(node: String, groups: [String]) async throws {
        try await onQueue { db in
            try db.transaction {
                let now = Date().timeIntervalSince1970
                for lease in try Self.leaseRows(db, where: "node = ?", [.text(node)]) where groups.contains(lease.group) {
                    // Expired at once, the epoch kept: the next holder's epoch is higher.
                    try db.prepare("UPDATE group_leases SET node = '', expires_at = ? WHERE grp = ? AND node = ?")
                        .run([.double(now), .text(lease.group), .text(node)])
                    try db.prepare("INSERT INTO lease_log (grp, node, epoch, at, action) VALUES (?, ?, ?, ?, 'released')")
                        .run([.text(lease.group), .text(node), .int(lease.epoch), .double(now)])
                }
            }
        }
    }

    public func leases() async throws -> [GroupLease] {
        try await onQueue { db in try Self.leaseRows(db, where: "1 = 1", []) }
    }

    public func leaseLog(limit: Int) async throws -> [LeaseChange] {
        try await onQueue { db in
            try db.prepare("SELECT grp, node, epoch, at, action FROM (SELECT * FROM lease_log ORDER BY seq DESC LIMIT ?) ORDER BY seq")
                .rows([.int(limit)]) { r in
                    LeaseChange(group: r.text(0) ?? "", node: r.text(1) ?? "", epoch: r.int(2), at: Date(timeIntervalSince1970: r.double(3)),
                                action: r.text(4) ?? "")
                }
        }
    }

    static func checkFence(_ fence: LeaseFence, _ db: SQLiteConnection, now: Date) throws {
        let live = try db.prepare("SELECT 1 FROM group_leases WHERE grp = ? AND node = ? AND epoch = ? AND expires_at > ?")
            .rows([.text(fence.group), .text(fence.node), .int(fence.epoch), .double(now.timeIntervalSince1970)]) { _ in true }
        if live.isEmpty { throw StoreError.fenced(fence) }
    }

    static func leaseRows(_ db: SQLiteConnection, where clause: String, _ values: [SQLValue]) throws -> [GroupLease] {
        try db.prepare("SELECT grp, node, epoch, expires_at, renewed_at FROM group_leases WHERE \(clause) ORDER BY grp").rows(values) { r in
            GroupLease(group: r.text(0) ?? "", node: r.text(1) ?? "", epoch: r.int(2),
                       expiresAt: Date(timeIntervalSince1970: r.double(3)), renewedAt: Date(timeIntervalSince1970: r.double(4)))
        }
    }
}
