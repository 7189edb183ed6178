import Events
import Foundation
import Logging
import Synchronization

/// `retina run --config`: one node. It holds camera-group leases in the store (renewed every third
/// of the lease period), runs one `retina worker` process per group it holds, restarts a worker
/// that exits with a backoff (jittered per group, so a store outage is not followed by every
/// worker at once), stops the worker of a group it lost, and on stop ends them gracefully and
/// gives its groups back.
public final class Supervisor: Sendable {
    public struct Options: Sendable {
        /// This node's name in the leases (unique per process: host name and pid by default).
        public var node: String
        public var groups: [String]
        /// Seconds a lease lasts without renewal: a dead node's groups move within about this long.
        public var leaseSeconds: Double = 15
        /// At most this many groups on this node (nil: all it can get).
        public var maxGroups: Int?
        /// The `retina` executable, and the launch every worker gets (config, store, evidence…);
        /// the supervisor sets each one's group, lease, its own pid and the metrics port.
        public var executable: String
        public var worker: WorkerLaunch
        /// Worker n (in group order) serves metrics on this port + n.
        public var metricsBasePort: Int?
        /// Delays after consecutive crashes; the last repeats. Each is jittered by ±25 %.
        public var restartBackoff: [Double] = [1, 2, 5, 10, 30, 60]
        /// A worker that ran this long before exiting starts its backoff from the beginning.
        public var healthyAfter: Double = 60
        /// How long a worker has to stop after SIGTERM before it is killed.
        public var stopTimeout: Double = 30

        public init(node: String, groups: [String], executable: String, worker: WorkerLaunch) {
            self.node = node
            self.groups = groups
            self.executable = executable
            self.worker = worker
        }

        /// `host-pid`: two nodes on one machine never share a name.
        public static var defaultNode: String { "\(ProcessInfo.processInfo.hostName)-\(getpid())" }
    }

    /// One group's worker process, or its wait to restart.
    struct Child {
        var lease: GroupLease
        var process: Process?
        var startedAt = Date()
        var crashes = 0
        var restartAt: Date?
    }

    public let options: Options
    private let store: any GroupLeaseStore
    private let logger: Logger
    private let children = Mutex<[String: Child]>([:])
    /// The groups this node competes for; a reload may change them.
    private let groups: Mutex<[String]>

    public init(options: Options, store: any GroupLeaseStore, logger: Logger = Logger(label: "retina.supervisor")) {
        self.options = options
        self.store = store
        groups = Mutex(options.groups)
        var logger = logger
        logger[metadataKey: "node"] = "\(options.node)"
        self.logger = logger
    }

    /// Runs until the task is cancelled or `stop` yields; then stops every worker and releases the leases.
    public func run(until stop: AsyncStream<Void>) async {
        let stopper = Task { for await _ in stop { return } }
        let main = Task { [self] in
            var nextLease = Date.distantPast
            while !Task.isCancelled {
                let now = Date()
                if now >= nextLease {
                    nextLease = now.addingTimeInterval(options.leaseSeconds / 3)
                    await renewLeases()
                }
                restartDueWorkers(now: now)
                try? await Task.sleep(for: .milliseconds(250))
            }
        }
        await withTaskCancellationHandler { await stopper.value } onCancel: { stopper.cancel() }
        main.cancel()
        await main.value
        await stopAll()
    }

    // MARK: - Leases

    /// A reloaded configuration: workers of groups that are gone stop and their leases go back;
    /// new groups are competed for at the next renewal; every running worker gets SIGHUP and
    /// reloads its own group's cameras (it validates the file again, and keeps its cameras if that fails).
    public func reload(groups newGroups: [String]) async {
        let removed = groups.withLock { g -> [String] in
            let gone = g.filter { !newGroups.contains($0) }
            g = newGroups
            return gone
        }
        let stopping = children.withLock { c -> [(String, Process)] in
            let r = removed.compactMap { g in c[g]?.process.map { (g, $0) } }
            for g in removed { c[g] = nil }
            return r
        }
        for (group, process) in stopping {
            logger.info("group \(group): no longer in the configuration; stopping its worker")
            terminate(process)
        }
        if !removed.isEmpty {
            do { try await store.releaseLeases(node: options.node, groups: removed) } catch {
                logger.warning("could not release the leases of removed groups (they lapse in \(Int(options.leaseSeconds)) s): \(error)")
            }
        }
        let running = children.withLock { c in c.values.compactMap(\.process) }
        for p in running where p.isRunning { kill(p.processIdentifier, SIGHUP) }
        logger.info("reloaded: \(newGroups.count) group(s); \(removed.count) removed; \(running.count) worker(s) told to reload")
    }

    private func renewLeases() async {
        let held: [GroupLease]
        let groups = groups.withLock { $0 }
        do {
            held = try await store.acquireLeases(node: options.node, groups: groups, ttl: options.leaseSeconds,
                                                 limit: options.maxGroups)
        } catch {
            // The store is away: workers keep running (their publishes retry), and their leases
            // lapse only after the lease period; nothing is restarted because of it.
            logger.warning("could not renew group leases: \(error)")
            return
        }
        let heldByGroup = Dictionary(held.map { ($0.group, $0) }, uniquingKeysWith: { a, _ in a })
        var toStop: [(String, Process)] = []
        var toStart: [String] = []
        children.withLock { children in
            for (group, child) in children {
                guard let lease = heldByGroup[group], lease.epoch == child.lease.epoch else {
                    // Lost, or lapsed and taken again under a new epoch: this worker's fence is stale.
                    if let p = child.process { toStop.append((group, p)) }
                    children[group] = nil
                    continue
                }
                children[group]?.lease = lease
            }
            for lease in held where children[lease.group] == nil {
                children[lease.group] = Child(lease: lease)
                toStart.append(lease.group)
            }
        }
        for (group, process) in toStop {
            logger.warning("group \(group): lease lost; stopping its worker (pid \(process.processIdentifier))")
            terminate(process)
        }
        for group in toStart {
            logger.info("group \(group): lease taken (epoch \(heldByGroup[group]?.epoch ?? 0)); starting its worker")
            launch(group)
        }
    }

    // MARK: - Workers

    private func launch(_ group: String) {
        guard let lease = children.withLock({ $0[group]?.lease }) else { return }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: options.executable)
        process.arguments = launchDescription(group, lease: lease).arguments
        process.terminationHandler = { [weak self] p in self?.exited(group, p) }
        do {
            try process.run()
        } catch {
            logger.error("group \(group): could not start \(options.executable): \(error)")
            children.withLock { c in
                let crashes = (c[group]?.crashes ?? 0) + 1
                c[group]?.crashes = crashes
                c[group]?.restartAt = Date().addingTimeInterval(backoff(crashes: crashes))
            }
            return
        }
        children.withLock { c in
            c[group]?.process = process
            c[group]?.startedAt = Date()
            c[group]?.restartAt = nil
        }
    }

    /// What the worker of `group` is started with.
    func launchDescription(_ group: String, lease: GroupLease) -> WorkerLaunch {
        var launch = options.worker
        launch.group = group
        launch.lease = .init(node: lease.node, epoch: lease.epoch)
        launch.supervisorPid = getpid()
        launch.metricsPort = nil
        if let base = options.metricsBasePort, base > 0, let index = groups.withLock({ $0.firstIndex(of: group) }) {
            launch.metricsPort = base + index
        }
        return launch
    }

    private func exited(_ group: String, _ process: Process) {
        let status = process.terminationStatus
        let restart: Double? = children.withLock { c in
            // Only the worker this child still refers to: an old one stopped after a lost lease is done.
            guard var child = c[group], child.process === process else { return nil }
            let ranFor = Date().timeIntervalSince(child.startedAt)
            child.crashes = ranFor >= options.healthyAfter ? 1 : child.crashes + 1
            let delay = backoff(crashes: child.crashes)
            child.process = nil
            child.restartAt = Date().addingTimeInterval(delay)
            c[group] = child
            return delay
        }
        if let restart {
            let how = process.terminationReason == .uncaughtSignal ? "killed by signal \(status)" : "exited with status \(status)"
            logger.warning("group \(group): worker \(how); restarting in \(String(format: "%.1f", restart)) s")
        }
    }

    private func restartDueWorkers(now: Date) {
        let due = children.withLock { c in c.filter { $0.value.process == nil && ($0.value.restartAt ?? .distantFuture) <= now }.map(\.key) }
        for group in due.sorted() { launch(group) }
    }

    func backoff(crashes: Int) -> Double {
        let steps = options.restartBackoff
        let base = steps[min(max(crashes, 1), steps.count) - 1]
        return base * Double.random(in: 0.75...1.25)
    }

    private func terminate(_ process: Process) {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        let pid = process.processIdentifier, timeout = options.stopTimeout
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
            if process.isRunning { kill(pid, SIGKILL) }
        }
    }

    /// SIGTERM to every worker (each stops reading, finishes its frames, flushes its events), a
    /// wait for all of them, then the leases go back.
    private func stopAll() async {
        let running = children.withLock { c -> [(String, Process)] in
            let r = c.compactMap { g, child in child.process.map { (g, $0) } }
            c.removeAll()
            return r
        }
        for (_, p) in running { terminate(p) }
        let deadline = Date().addingTimeInterval(options.stopTimeout + 2)
        while running.contains(where: { $0.1.isRunning }), Date() < deadline {
            try? await Task.sleep(for: .milliseconds(100))
        }
        for (group, p) in running where !p.isRunning {
            logger.info("group \(group): worker stopped (status \(p.terminationStatus))")
        }
        do {
            try await store.releaseLeases(node: options.node, groups: groups.withLock { $0 })
        } catch {
            logger.warning("could not release group leases (they lapse in \(Int(options.leaseSeconds)) s): \(error)")
        }
    }
}
