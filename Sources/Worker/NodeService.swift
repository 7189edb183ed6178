import Events
import Foundation
import Logging
import Media
import RetinaConfig
import ServiceLifecycle

/// What a node's supervisor (`retina run --config`) runs with.
public struct NodeSettings: Sendable {
    public var configuration: Configuration
    /// The file as `configuration` was parsed from: the workers get that, not a second read.
    public var text: String
    /// The configuration file, as named on the command line.
    public var path: String
    /// This node's name in the group leases.
    public var node: String
    /// The `retina` executable the workers run.
    public var executable: String
    public var storeURL: String
    public var evidence: String
    public var leaseSeconds: Double = 15
    public var maxGroups: Int?
    /// Worker n (in group order) serves metrics on this port + n.
    public var metricsBasePort: Int?
    public var metricsHost = WorkerLaunch.defaultMetricsHost
    public var logLevel: Logger.Level = .info
    public var ffmpegLogs = false

    public init(configuration: Configuration, text: String, path: String, node: String, executable: String,
                storeURL: String, evidence: String) {
        self.configuration = configuration
        self.text = text
        self.path = path
        self.node = node
        self.executable = executable
        self.storeURL = storeURL
        self.evidence = evidence
    }

    /// The groups that have an enabled camera.
    public static func servedGroups(_ configuration: Configuration) -> [String] {
        configuration.groups.map(\.id).filter { g in configuration.cameras.contains { $0.group == g && $0.enabled } }
    }
}

/// A node's supervisor as a service: one `retina worker` process per camera group it holds a lease
/// on (`Supervisor`), over the node's accepted copy of the configuration. `reload()` (SIGHUP)
/// validates the file first; an invalid one changes nothing.
public final class NodeService: Service, Sendable {
    public let settings: NodeSettings
    public let supervisor: Supervisor
    /// The store of the leases (and of the office, where one runs beside), opened once the file passed its checks.
    public let store: any EventStore
    private let accepted: AcceptedConfig
    private let logger: Logger

    public init(settings: NodeSettings, logger: Logger, openStore: () throws -> any EventStore) throws {
        let configuration = settings.configuration
        do { try GroupWorker.validate(configuration.cameras) } catch { throw WorkerError(message: "\(configuration.source): \(error)") }
        let groups = NodeSettings.servedGroups(configuration)
        guard !groups.isEmpty else { throw WorkerError(message: "\(configuration.source): no camera group with an enabled camera") }
        if let m = settings.metricsBasePort, m > 0, m + groups.count > 65535 {
            throw WorkerError(message: "--metrics-port \(m): workers take ports \(m)…\(m + groups.count - 1)")
        }
        store = try openStore()
        let absolute = { (p: String) in URL(fileURLWithPath: p, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)).path }
        // Workers read the node's accepted copy of the file, never the file being edited: a worker
        // that (re)starts while someone saves a half-finished edit still gets the last valid one.
        accepted = try AcceptedConfig(source: absolute(settings.path), text: settings.text)
        var worker = WorkerLaunch(config: accepted.path, group: "")
        worker.configBase = accepted.baseDirectory
        worker.store = settings.storeURL
        worker.evidence = absolute(settings.evidence)
        worker.logLevel = settings.logLevel
        worker.ffmpegLogs = settings.ffmpegLogs
        worker.metricsHost = settings.metricsHost
        var options = Supervisor.Options(node: settings.node, groups: groups, executable: settings.executable, worker: worker)
        options.leaseSeconds = settings.leaseSeconds
        options.maxGroups = settings.maxGroups
        options.metricsBasePort = settings.metricsBasePort
        supervisor = Supervisor(options: options, store: store, logger: logger)
        self.settings = settings
        self.logger = logger
    }

    /// Supervises until a graceful shutdown; then every worker stops (each finishes its frames and
    /// flushes its events) and the groups go back.
    public func run() async {
        let options = supervisor.options
        logger.info("node \(options.node): \(options.groups.count) camera group(s) of \(settings.configuration.source) → store \(settings.storeURL); lease \(Int(options.leaseSeconds)) s")
        let (stop, stopping) = AsyncStream<Void>.makeStream()
        let running = Task { await supervisor.run(until: stop) }
        _ = await untilShutdown()
        logger.info("shutting down: stopping the workers (each finishes its frames and flushes its events)")
        stopping.yield()
        await running.value
        accepted.remove()
    }

    /// SIGHUP: the file validated, then accepted (the workers' copy replaced) and its groups applied.
    public func reload() async {
        let path = settings.path
        do {
            let text = try accepted.read()
            let fresh = try ConfigLoader.parse(text, file: path, baseDirectory: accepted.baseDirectory)
            try GroupWorker.validate(fresh.cameras)
            try accepted.accept(text)
            await supervisor.reload(groups: NodeSettings.servedGroups(fresh))
        } catch {
            // Not only configuration errors (masked already): whatever is printed here goes to the log.
            logger.error("SIGHUP: \(path) rejected, the running configuration stays: \(StreamURL.mask("\(error)"))")
        }
    }
}
