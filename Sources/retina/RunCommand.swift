import ArgumentParser
import Events
import Foundation
import Logging
import Media
import RetinaConfig
import Worker

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run cameras and publish their events (with --config: the supervisor of one node).",
        discussion: """
        With --config, this process is a node's supervisor: it takes a lease on
        each camera group nobody holds (in the store; renewed every third of
        --lease), runs one `retina worker` process per group it holds, restarts
        a worker that exits (backoff 1 s … 60 s, jittered), and stops the worker
        of a group whose lease it lost. Several nodes on one store (PostgreSQL
        across machines) share the groups: a dead node's groups are taken over
        within about one lease period, and a worker whose lease was taken is
        refused by the store (fencing) and stops.

        Without --config and --camera, runs the embedded demo configuration
        (`retina config demo` prints it) in this process: the sample streams of
        Streams/ served on rtsp://127.0.0.1:8554 by scripts/rtsp-server.py;
        scripts/demo starts both. SIGINT or SIGTERM stops gracefully: ingest
        stops, buffered frames are analysed, events are flushed.

        Examples:
          retina run --config cameras.yaml
          retina run -c cameras.yaml --store postgres://db/retina --node edge-2
          retina run --camera gate=rtsp://admin:secret@10.0.0.5/stream1 \\
                     --camera lobby=lobby.mp4
          retina run --duration 60 --store sqlite:/var/lib/retina/events.db
        """
    )

    @Option(name: .shortAndLong, help: ArgumentHelp("Configuration file (YAML).", valueName: "file"))
    var config: String?

    @Option(name: .long, help: ArgumentHelp("An ad-hoc camera as ID=URL (repeatable); URL is rtsp://, http(s):// or a file.", valueName: "id=url"))
    var camera: [String] = []

    @Option(name: .long, help: ArgumentHelp("Stop after this many seconds (default: run until SIGINT/SIGTERM).", valueName: "seconds"))
    var duration: Double?

    @Option(name: .long, help: ArgumentHelp("Also serve the security office on this port (see `retina serve`).", valueName: "port"))
    var office: Int?

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var evidenceOptions: EvidenceOptions
    @OptionGroup var logOptions: LogOptions
    @OptionGroup var metricsOptions: MetricsOptions

    @Option(name: .long, help: ArgumentHelp("This node's name in the group leases (default: host-pid).", valueName: "name"))
    var node: String?

    @Option(name: .long, help: ArgumentHelp("Group lease period: a dead node's groups move to a live one within about this long.", valueName: "seconds"))
    var lease: Double = 15

    @Option(name: .long, help: ArgumentHelp("Serve at most this many camera groups on this node.", valueName: "n"))
    var maxGroups: Int?

    @Flag(name: .long, help: "Serve every group in this one process (no worker processes, no leases).")
    var inProcess = false

    func run() async throws {
        logOptions.bootstrap()
        let (configuration, text) = try loadConfiguration()
        let evidence = evidenceOptions.directory(configured: configuration.evidence)
        let logger = Logger(label: "retina")
        let storeURL = storeOptions.url(configured: configuration.store)
        // With --config, loadConfiguration returns the file's text too.
        guard let config, let text, !inProcess else {
            var settings = WorkerSettings(cameras: configuration.cameras, label: configuration.source, storeURL: storeURL, evidence: evidence)
            settings.reload = config.map { WorkerSettings.ReloadSource(path: $0, group: nil) }
            try await runWorker(settings, office: office, linkage: configuration.linkage, duration: duration, metrics: metricsOptions, logger: logger)
            return
        }
        if lease < 3 { throw CLIError("--lease \(lease): give at least 3 seconds") }
        var settings = NodeSettings(configuration: configuration, text: text, path: config, node: node ?? Supervisor.Options.defaultNode,
                                    executable: Self.executablePath(), storeURL: storeURL, evidence: evidence)
        settings.leaseSeconds = lease
        settings.maxGroups = maxGroups
        settings.metricsBasePort = metricsOptions.metricsPort
        settings.metricsHost = metricsOptions.metricsHost
        settings.logLevel = logOptions.logLevel
        settings.ffmpegLogs = logOptions.ffmpegLogs
        let supervisor: NodeService
        do { supervisor = try NodeService(settings: settings, logger: logger) { try StoreURL.open(storeURL) } } catch { throw CLIError(error) }
        var services = ProcessServices(logger: logger)
        services.office(port: office, store: supervisor.store, evidence: evidence)
        try services.linkage(configuration.linkage, store: supervisor.store)
        services.add(main: supervisor)
        await services.reload { await supervisor.reload() }
        services.timeLimit(duration)
        try await services.run()
        await supervisor.store.close()
        logger.info("stopped; groups released")
    }

    /// This executable, for the workers it starts.
    static func executablePath() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// The configuration, and with `--config` the file's text it was parsed from.
    func loadConfiguration() throws -> (Configuration, text: String?) {
        if config != nil && !camera.isEmpty { throw CLIError("give either --config or --camera, not both") }
        if let config {
            do {
                let text = try ConfigLoader.read(path: config)
                return (try ConfigLoader.parse(text, file: config, baseDirectory: (config as NSString).deletingLastPathComponent), text)
            } catch { throw CLIError("invalid configuration:\n\(error)") }
        }
        if camera.isEmpty { return (DemoConfig.load(), nil) }
        let cameras = try camera.map { spec -> (id: String, url: String) in
            guard let eq = spec.firstIndex(of: "="), eq != spec.startIndex, spec.index(after: eq) != spec.endIndex else {
                throw CLIError("--camera expects ID=URL, got '\(StreamURL.mask(spec))'")
            }
            return (String(spec[..<eq]), String(spec[spec.index(after: eq)...]))
        }
        do {
            return (try ConfigLoader.adHoc(cameras, baseDirectory: FileManager.default.currentDirectoryPath), nil)
        } catch {
            throw CLIError(error.description)
        }
    }
}

/// Runs cameras in this process (`retina worker`, `retina run` without a supervisor) with the
/// office and metrics beside them when asked, until SIGINT, SIGTERM, the time limit or a reason of
/// the worker's own; exits with `WorkerExit.fenced` when its lease was taken.
func runWorker(_ settings: WorkerSettings, office: Int? = nil, linkage: LinkageConfig = LinkageConfig(), duration: Double?, metrics: MetricsOptions,
               logger: Logger) async throws {
    let worker: WorkerService
    do { worker = try WorkerService(settings: settings, logger: logger) { try StoreURL.open(settings.storeURL) } } catch { throw CLIError(error) }
    let store = worker.store
    var services = ProcessServices(logger: logger)
    // Before the cameras start: from here on SIGHUP reloads instead of ending the process.
    if settings.reload != nil { await services.reload { await worker.reload() } }
    services.metrics(of: worker.worker, options: metrics)
    services.office(port: office, store: store, evidence: settings.evidence)
    try services.linkage(linkage, store: store)
    services.add(main: worker)
    services.timeLimit(duration)
    try await services.run()
    await store.close()
    if worker.isFenced { throw ExitCode(WorkerExit.fenced) }
}
