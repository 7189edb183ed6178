import Foundation
import PostgresNIO

/// Camera-group leases in PostgreSQL, timed by the server's clock (`clock_timestamp()`), so nodes
/// whose clocks disagree still agree on who holds what. A takeover is an UPDATE of the lease row
/// under its row lock, so two nodes never both take a group.
extension PostgresEventStore {
    public func acquireLeases(node: String, groups: [String], ttl: Double, limit: Int?) async throws -> [GroupLease] {
        try await transaction { db in
            try await db.query("""
                UPDATE group_leases SET expires_at = clock_timestamp() + make_interval(secs => \(ttl)), renewed_at = clock_timestamp()
                WHERE node = \(node) AND grp = ANY(\(groups)) AND expires_at > clock_timestamp()
                """, logger: logger)
            var held = try await Self.leaseRows(db, logger, "SELECT grp, node, epoch, expires_at, renewed_at FROM group_leases WHERE node = \(node) AND grp = ANY(\(groups)) AND expires_at > clock_timestamp() ORDER BY grp")
            for group in groups where !held.contains(where: { $0.group == group }) {
                if let limit, held.count >= limit { break }
                // Takes the group when it has no row, or its holder's lease has run out.
                let taken = try await Self.leaseRows(db, logger, """
                    INSERT INTO group_leases AS l (grp, node, epoch, expires_at, renewed_at)
                    VALUES (\(group), \(node), 1, clock_timestamp() + make_interval(secs => \(ttl)), clock_timestamp())
                    ON CONFLICT (grp) DO UPDATE SET node = excluded.node, epoch = l.epoch + 1,
                        expires_at = excluded.expires_at, renewed_at = excluded.renewed_at
                    WHERE l.expires_at <= clock_timestamp()
                    RETURNING grp, node, epoch, expires_at, renewed_at
                    """)
                guard let lease = taken.first else { continue }
                try await db.query("""
                    INSERT INTO lease_log (grp, node, epoch, at, action)
                    VALUES (\(group), \(node), \(lease.epoch), clock_timestamp(), \(lease.epoch == 1 ? "acquired" : "taken_over"))
                    """, logger: logger)
                held.append(lease)
            }
            return held.sorted { $0.group < $1.group }
        }
    }

    public func releaseLeases(node: String, groups: [String]) async throws {
        try await transaction { db in
            let released = try await Self.leaseRows(db, logger, """
                UPDATE group_leases SET node = '', expires_at = clock_timestamp() WHERE node = \(node) AND grp = ANY(\(groups))
                RETURNING grp, \(node)::text, epoch, expires_at, renewed_at
                """)
            for lease in released {
                try await db.query("""
                    INSERT INTO lease_log (grp, node, epoch, at, action) VALUES (\(lease.group), \(node), \(lease.epoch), clock_timestamp(), 'released')
                    """, logger: logger)
            }
        }
    }

    public func leases() async throws -> [GroupLease] {
        try await rows("SELECT grp, node, epoch, expires_at, renewed_at FROM group_leases ORDER BY grp").map(Self.lease)
    }

    public func leaseLog(limit: Int) async throws -> [LeaseChange] {
        try await rows("SELECT grp, node, epoch, at, action FROM (SELECT * FROM lease_log ORDER BY seq DESC LIMIT \(limit)) AS l ORDER BY seq").map { row in
            let (group, node, epoch, at, action) = try row.decode((String, String, Int, Date, String).self)
            return LeaseChange(group: group, node: node, epoch: epoch, at: at, action: action)
        }
    }

    static func leaseRows(_ db: PostgresConnection, _ logger: Logger, _ query: PostgresQuery) async throws -> [GroupLease] {
        try await db.query(query, logger: logger).collect().map(lease)
    }

    static func lease(_ row: PostgresRow) throws -> GroupLease {
        let (group, node, epoch, expires, renewed) = try row.decode((String, String, Int, Date, Date).self)
        return GroupLease(group: group, node: node, epoch: epoch, expiresAt: expires, renewedAt: renewed)
    }
}
