import ArgumentParser
import Logging
import RetinaConfig
import Worker

struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Serve one camera group of a configuration file in this process.",
        discussion: """
        One worker process serves one camera group; `retina run --config` serves all of them.

        SIGHUP re-reads the configuration and applies the group's camera changes
        (validated first; an invalid file is refused and the cameras run on).

        Example:
          retina worker --config cameras.yaml --group compound-7 --metrics-port 9100
        """
    )

    @Option(name: .shortAndLong, help: ArgumentHelp("Configuration file (YAML).", valueName: "file"))
    var config: String

    @Option(name: .shortAndLong, help: ArgumentHelp("The camera group to serve.", valueName: "group"))
    var group: String

    @Option(name: .long, help: ArgumentHelp("Stop after this many seconds (default: run until SIGINT/SIGTERM).", valueName: "seconds"))
    var duration: Double?

    // Set by the supervisor (`retina run --config`): the lease this worker publishes under.
    @Option(name: .long, help: ArgumentHelp("The node whose group lease this worker serves under (set by `retina run`).", valueName: "node", visibility: .hidden))
    var node: String?
    @Option(name: .long, help: ArgumentHelp("The lease's epoch (fencing token).", valueName: "n", visibility: .hidden))
    var epoch: Int?
    @Option(name: .long, help: ArgumentHelp("Stop when this process is no longer the parent.", valueName: "pid", visibility: .hidden))
    var supervisorPid: Int32?
    @Option(name: .long, help: ArgumentHelp("Resolve the config's relative paths here (the supervisor's accepted copy lives elsewhere).", valueName: "dir", visibility: .hidden))
    var configBase: String?

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var evidenceOptions: EvidenceOptions
    @OptionGroup var logOptions: LogOptions
    @OptionGroup var metricsOptions: MetricsOptions

    /// What the options say: the value a supervisor rendered (`WorkerLaunch.arguments`).
    var launch: WorkerLaunch {
        var launch = WorkerLaunch(config: config, group: group)
        launch.configBase = configBase
        launch.store = storeOptions.store
        launch.evidence = evidenceOptions.evidence
        launch.logLevel = logOptions.logLevel
        launch.ffmpegLogs = logOptions.ffmpegLogs
        launch.duration = duration
        launch.lease = node.flatMap { n in epoch.map { WorkerLaunch.Lease(node: n, epoch: $0) } }
        launch.supervisorPid = supervisorPid
        launch.metricsPort = metricsOptions.metricsPort
        launch.metricsHost = metricsOptions.metricsHost
        return launch
    }

    func run() async throws {
        logOptions.bootstrap()
        if (node == nil) != (epoch == nil) { throw CLIError("--node and --epoch go together") }
        let launch = launch
        let configuration: Configuration
        do { configuration = try ConfigLoader.load(path: config, baseDirectory: configBase) } catch { throw CLIError("invalid configuration:\n\(error)") }
        guard configuration.groups.contains(where: { $0.id == group }) else {
            throw CLIError("\(config): no camera group '\(group)' (groups: \(configuration.groups.map(\.id).joined(separator: ", ")))")
        }
        var settings = WorkerSettings(cameras: configuration.cameras(inGroup: group), label: "\(config) group \(group)",
                                      storeURL: storeOptions.url(configured: configuration.store),
                                      evidence: evidenceOptions.directory(configured: configuration.evidence))
        settings.fence = launch.fence
        settings.supervisorPid = supervisorPid
        settings.reload = WorkerSettings.ReloadSource(path: config, group: group, baseDirectory: configBase)
        try await runWorker(settings, duration: duration, metrics: metricsOptions, logger: Logger(label: "retina"))
    }
}
