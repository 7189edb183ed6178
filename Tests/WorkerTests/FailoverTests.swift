import Events
import Foundation
import Testing

/// Nodes (`retina run --config` processes) sharing camera groups through a real PostgreSQL:
/// a killed node's groups move to a live one within a lease period; a paused node finds its groups
/// gone when it wakes and stops its workers; no group ever has two holders.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["RETINA_TEST_POSTGRES"] != nil,
                             "node failover tests skipped: set RETINA_TEST_POSTGRES=postgres://… (scripts/test starts a server)"))
struct FailoverTests {
    static let lease = 3.0

    /// Two groups whose cameras refuse connections: the workers run their reconnect loops, cost
    /// nothing, and each publishes one camera.offline after a second.
    func setUp() throws -> (config: String, store: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("failover-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let yaml = """
        defaults: {openTimeout: 1s, offlineAfter: 1s, backoff: [1s]}
        groups:
          - {id: g1}
          - {id: g2}
        cameras:
          - {id: cam-1, url: "rtsp://127.0.0.1:9/none", group: g1}
          - {id: cam-2, url: "rtsp://127.0.0.1:9/none", group: g2}
        """
        let config = dir.appendingPathComponent("cameras.yaml").path
        try yaml.write(toFile: config, atomically: true, encoding: .utf8)
        let base = ProcessInfo.processInfo.environment["RETINA_TEST_POSTGRES"]!
        let schema = "f_" + UUID().uuidString.prefix(8).lowercased()
        return (config, base + (base.contains("?") ? "&" : "?") + "schema=\(schema)")
    }

    func node(_ name: String, _ config: String, _ store: String) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.retina)
        p.arguments = ["run", "--config", config, "--store", store, "--node", name, "--lease", String(Self.lease),
                       "--evidence", FileManager.default.temporaryDirectory.appendingPathComponent("failover-evidence").path,
                       "--log-level", "warning"]
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        return p
    }

    /// The `retina` built beside the test bundle.
    static var retina: String {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("retina").path
    }

    /// Waits until `node` holds every group; returns the seconds it took, nil after `limit`.
    func waitUntil(_ node: String, holds groups: Set<String>, in store: any EventStore, limit: Double) async throws -> Double? {
        let start = Date()
        while Date().timeIntervalSince(start) < limit {
            let live = try await store.leases().filter { $0.node == node && $0.expiresAt > Date() }
            if Set(live.map(\.group)) == groups { return Date().timeIntervalSince(start) }
            try await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }

    /// Worker processes started by the supervisor with this pid.
    func workers(of supervisor: Int32) -> [Int32] {
        let procs = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return procs.compactMap(Int32.init).filter { pid in
            guard let cmd = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            let args = String(decoding: cmd, as: UTF8.self).split(separator: "\0").map(String.init)
            return args.contains("worker") && args.contains("--supervisor-pid") && args.contains(String(supervisor))
        }
    }

    /// The groups of those workers, sorted.
    func workerGroups(of supervisor: Int32) -> [String] {
        workers(of: supervisor).compactMap { pid -> String? in
            guard let cmd = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return nil }
            let args = String(decoding: cmd, as: UTF8.self).split(separator: "\0").map(String.init)
            return args.firstIndex(of: "--group").flatMap { args.indices.contains($0 + 1) ? args[$0 + 1] : nil }
        }.sorted()
    }

    /// Per group, every change of holder raised the epoch and named one node.
    func expectOneHolderAtATime(_ store: any EventStore) async throws {
        let log = try await store.leaseLog(limit: 100).filter { $0.action != "released" }
        for group in ["g1", "g2"] {
            let epochs = log.filter { $0.group == group }.map(\.epoch)
            #expect(epochs == epochs.sorted() && Set(epochs).count == epochs.count, "group \(group) epochs \(epochs)")
        }
    }

    @Test func aKilledNodesGroupsMoveWithinALeasePeriod() async throws {
        let (config, url) = try setUp()
        let a = try node("node-a", config, url)
        defer { if a.isRunning { kill(a.processIdentifier, SIGKILL) } }
        let store = try StoreURL.open(url)
        #expect(try await waitUntil("node-a", holds: ["g1", "g2"], in: store, limit: 20) != nil)
        let b = try node("node-b", config, url)
        defer { if b.isRunning { kill(b.processIdentifier, SIGTERM); b.waitUntilExit() } }
        try await Task.sleep(for: .seconds(1.5))
        #expect(try await store.leases().allSatisfy { $0.node == "node-a" })  // b takes nothing held

        let orphans = workers(of: a.processIdentifier)
        #expect(orphans.count == 2)
        kill(a.processIdentifier, SIGKILL)
        let moved = try await waitUntil("node-b", holds: ["g1", "g2"], in: store, limit: 3 * Self.lease)
        let seconds = try #require(moved)
        #expect(seconds <= Self.lease + Self.lease / 3 + 1.5)
        // The dead node's workers notice their supervisor is gone and stop.
        try await Task.sleep(for: .seconds(2))
        #expect(orphans.allSatisfy { kill($0, 0) != 0 })
        #expect(workers(of: b.processIdentifier).count == 2)
        try await expectOneHolderAtATime(store)
        await store.close()
    }

    @Test func aPausedNodeWakesToFindItsGroupsGone() async throws {
        let (config, url) = try setUp()
        let a = try node("node-a", config, url)
        defer { if a.isRunning { kill(a.processIdentifier, SIGCONT); kill(a.processIdentifier, SIGKILL) } }
        let store = try StoreURL.open(url)
        #expect(try await waitUntil("node-a", holds: ["g1", "g2"], in: store, limit: 20) != nil)
        let b = try node("node-b", config, url)
        defer { if b.isRunning { kill(b.processIdentifier, SIGTERM); b.waitUntilExit() } }
        let pausedWorkers = workers(of: a.processIdentifier)

        kill(a.processIdentifier, SIGSTOP)
        #expect(try await waitUntil("node-b", holds: ["g1", "g2"], in: store, limit: 3 * Self.lease) != nil)
        kill(a.processIdentifier, SIGCONT)
        // Its next renewal finds the groups held by node-b at a higher epoch: it stops its workers
        // and takes nothing back.
        try await Task.sleep(for: .seconds(Self.lease / 3 + 2))
        #expect(pausedWorkers.allSatisfy { kill($0, 0) != 0 })
        #expect(workers(of: a.processIdentifier).isEmpty)
        #expect(try await store.leases().allSatisfy { $0.node == "node-b" })

        // A graceful stop gives the groups back at once.
        kill(b.processIdentifier, SIGTERM)
        b.waitUntilExit()
        #expect(b.terminationStatus == 0)
        #expect(try await store.leases().allSatisfy { $0.node == "" || $0.expiresAt <= Date() })
        try await expectOneHolderAtATime(store)
        await store.close()
    }
}
