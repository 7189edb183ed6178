import Events
import Foundation
import Testing

/// Camera-group leases and fencing, the same on SQLite and PostgreSQL: a group has one holder,
/// a lapsed holder's publishes are refused, a released group is free at once.
@Suite struct LeaseTests {
    func crowd() -> Event {
        Event(type: "crowd.density", priority: .p3, source: EventSource(producer: "retina", group: "g1"), occurredAt: Date())
    }

    @Test(arguments: StoreKind.available) func aGroupHasOneHolderAndALapsedOneIsFenced(_ kind: StoreKind) async throws {
        let place = kind.newPlace()
        let a = try kind.open(place), b = try kind.open(place)
        let held = try await a.acquireLeases(node: "node-a", groups: ["g1", "g2"], ttl: 3.0, limit: nil)
        #expect(held.map(\.group) == ["g1", "g2"] && held.allSatisfy { $0.epoch == 1 && $0.node == "node-a" })
        #expect(try await b.acquireLeases(node: "node-b", groups: ["g1", "g2"], ttl: 3.0, limit: nil).isEmpty)
        let fenceA = try #require(held.first).fence
        #expect(try await a.publish([crowd()], fence: fenceA) == [.inserted])

        // node-a stops renewing (paused, dead): after the lease period node-b takes over.
        try await Task.sleep(for: .milliseconds(3300))
        let taken = try await b.acquireLeases(node: "node-b", groups: ["g1", "g2"], ttl: 10, limit: nil)
        #expect(taken.map(\.group) == ["g1", "g2"] && taken.allSatisfy { $0.epoch == 2 && $0.node == "node-b" })
        await #expect(throws: StoreError.self) { try await a.publish([self.crowd()], fence: fenceA) }
        #expect(try await b.publish([crowd()], fence: try #require(taken.first).fence) == [.inserted])
        // node-a, resumed, gets nothing back while node-b renews.
        #expect(try await a.acquireLeases(node: "node-a", groups: ["g1", "g2"], ttl: 2.0, limit: nil).isEmpty)
        #expect(try await a.list(EventQuery()).count == 2)  // the fenced publish added nothing

        let log = try await a.leaseLog(limit: 10)
        #expect(log.map(\.action) == ["acquired", "acquired", "taken_over", "taken_over"])
        let history = try await a.history(of: try #require(try await a.list(EventQuery()).first).id)
        #expect(history.first?.note == "node node-b epoch 2")
        await a.close()
        await b.close()
    }

    @Test(arguments: StoreKind.available) func renewalKeepsALeaseAndALimitCapsIt(_ kind: StoreKind) async throws {
        let place = kind.newPlace()
        let a = try kind.open(place), b = try kind.open(place)
        let groups = ["g1", "g2", "g3", "g4"]
        #expect(try await a.acquireLeases(node: "a", groups: groups, ttl: 4.0, limit: 2).map(\.group) == ["g1", "g2"])
        #expect(try await b.acquireLeases(node: "b", groups: groups, ttl: 4.0, limit: 2).map(\.group) == ["g3", "g4"])
        // Renewing every second keeps a 4 s lease across 5 s. The 3 s to spare are for a loaded
        // machine (CI runs suites side by side): a renewal that arrives after expiry is rightly a new epoch.
        for _ in 0..<5 {
            try await Task.sleep(for: .seconds(1))
            #expect(try await a.acquireLeases(node: "a", groups: groups, ttl: 4.0, limit: 2).map(\.epoch) == [1, 1])
            #expect(try await b.acquireLeases(node: "b", groups: groups, ttl: 4.0, limit: 2).map(\.epoch) == [1, 1])
        }
        // A graceful stop gives the groups back: they are free at once.
        try await a.releaseLeases(node: "a", groups: groups)
        let more = try await b.acquireLeases(node: "b", groups: groups, ttl: 2.0, limit: nil)
        #expect(more.map(\.group) == groups)
        #expect(more.first { $0.group == "g1" }?.epoch == 2)
        #expect(try await a.leases().allSatisfy { $0.node == "b" })
        await a.close()
        await b.close()
    }
}
