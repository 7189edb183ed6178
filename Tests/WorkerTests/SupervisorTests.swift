import Events
import Foundation
import Testing

/// `retina run --config` as a node's supervisor on the embedded SQLite store: one worker process
/// per group, a crashed worker restarted, SIGHUP applied to the set of groups, a graceful stop.
@Suite(.serialized) struct SupervisorTests {
    func write(_ groups: [String], to path: String) throws {
        var yaml = "defaults: {openTimeout: 1s, backoff: [1s]}\ngroups:\n"
        for g in groups { yaml += "  - {id: \(g)}\n" }
        yaml += "cameras:\n"
        for g in groups { yaml += "  - {id: cam-\(g), url: \"rtsp://127.0.0.1:9/none\", group: \(g)}\n" }
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
    }

    func waitFor(_ what: String, limit: Double, _ condition: () async throws -> Bool) async throws {
        let start = Date()
        while Date().timeIntervalSince(start) < limit {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("not within \(limit) s: \(what)")
    }

    @Test func restartsACrashedWorkerAndAppliesAReload() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("supervisor-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let config = dir + "/cameras.yaml", url = "sqlite:" + dir + "/queue.db"
        try write(["g1", "g2"], to: config)
        let node = Process()
        node.executableURL = URL(fileURLWithPath: FailoverTests.retina)
        node.arguments = ["run", "--config", config, "--store", url, "--node", "n1", "--lease", "3", "--evidence", dir + "/ev", "--log-level", "error"]
        try node.run()
        defer { if node.isRunning { kill(node.processIdentifier, SIGKILL) } }
        let store = try StoreURL.open(url)
        let failover = FailoverTests()
        try await waitFor("two workers", limit: 20) { failover.workerGroups(of: node.processIdentifier) == ["g1", "g2"] }

        // kill -9 of one worker: the supervisor starts another within its first backoff step (1 s ±25 %).
        let before = failover.workers(of: node.processIdentifier)
        kill(before[0], SIGKILL)
        try await waitFor("a replacement worker", limit: 8) {
            let now = failover.workers(of: node.processIdentifier)
            return now.count == 2 && !now.contains(before[0])
        }

        // SIGHUP with g2 gone and g3 new: g2's worker stops and its lease goes back; g3 is taken.
        try write(["g1", "g3"], to: config)
        kill(node.processIdentifier, SIGHUP)
        try await waitFor("g3 held and g2 released", limit: 10) {
            let leases = try await store.leases()
            let live = Set(leases.filter { $0.node == "n1" && $0.expiresAt > Date() }.map(\.group))
            return live == ["g1", "g3"]
        }
        try await waitFor("workers of g1 and g3 only", limit: 15) { failover.workerGroups(of: node.processIdentifier) == ["g1", "g3"] }
        #expect(node.isRunning)

        // An invalid file is refused: the node keeps running what it has.
        try "groups: [{id: g1}]\ncameras:\n  - {id: x, url: \"ftp://nope\", group: g1}\n".write(toFile: config, atomically: true, encoding: .utf8)
        kill(node.processIdentifier, SIGHUP)
        try await Task.sleep(for: .seconds(2))
        #expect(node.isRunning && failover.workerGroups(of: node.processIdentifier) == ["g1", "g3"])
        // A worker that restarts now reads the node's accepted copy, not the broken file.
        kill(failover.workers(of: node.processIdentifier)[0], SIGKILL)
        try await Task.sleep(for: .seconds(0.5))
        try await waitFor("the killed worker back, with the accepted configuration", limit: 10) {
            failover.workerGroups(of: node.processIdentifier) == ["g1", "g3"]
        }
        let restarted = Set(failover.workers(of: node.processIdentifier))
        try await Task.sleep(for: .seconds(2))  // a worker refusing its configuration exits well within this
        #expect(Set(failover.workers(of: node.processIdentifier)) == restarted)

        // SIGTERM: the workers stop, the node exits 0 and gives its groups back.
        let workers = failover.workers(of: node.processIdentifier)
        kill(node.processIdentifier, SIGTERM)
        node.waitUntilExit()
        #expect(node.terminationStatus == 0)
        #expect(workers.allSatisfy { kill($0, 0) != 0 })
        #expect(try await store.leases().allSatisfy { $0.node == "" })
        await store.close()
    }
}
