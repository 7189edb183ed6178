import ArgumentParser
import Events
import Evidence
import Foundation
import Logging
import Media
import Office
import RetinaConfig
import RetinaMetrics
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
        // With --config, loadConfiguration returns the file's text too.
        guard let config, let text, !inProcess else {
            try await serve(cameras: configuration.cameras, label: configuration.source, store: storeOptions,
                            configuredStore: configuration.store, evidence: evidence, duration: duration, officePort: office,
                            metricsPort: metricsOptions.metricsPort, metricsHost: metricsOptions.metricsHost,
                            reloadFrom: config.map { ($0, nil) })
            return
        }
        try await supervise(configuration, text: text, path: config, evidence: evidence)
    }

    /// The supervisor: one `retina worker` process per camera group this node holds a lease on.
    /// `text` is the file as `configuration` was parsed from: the workers get that, not a second read.
    private func supervise(_ configuration: Configuration, text: String, path: String, evidence: String) async throws {
        let logger = Logger(label: "retina")
        do { try GroupWorker.validate(configuration.cameras) } catch { throw CLIError("\(configuration.source): \(error)") }
        let groups = Self.servedGroups(configuration)
        guard !groups.isEmpty else { throw CLIError("\(configuration.source): no camera group with an enabled camera") }
        if lease < 3 { throw CLIError("--lease \(lease): give at least 3 seconds") }
        if let m = metricsOptions.metricsPort, m > 0, m + groups.count > 65535 { throw CLIError("--metrics-port \(m): workers take ports \(m)…\(m + groups.count - 1)") }
        let storeURL = storeOptions.url(configured: configuration.store)
        let store = try storeOptions.open(configured: configuration.store)
        let absolute = { (p: String) in URL(fileURLWithPath: p, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)).path }
        // Workers read the node's accepted copy of the file, never the file being edited: a worker
        // that (re)starts while someone saves a half-finished edit still gets the last valid one.
        let accepted = try AcceptedConfig(source: absolute(path), text: text)
        defer { accepted.remove() }
        var options = Supervisor.Options(
            node: node ?? Supervisor.Options.defaultNode, groups: groups, executable: Self.executablePath(),
            workerArguments: ["--config", accepted.path, "--config-base", accepted.baseDirectory, "--store", storeURL,
                              "--evidence", absolute(evidence),
                              "--log-level", logOptions.logLevel.rawValue] + (logOptions.ffmpegLogs ? ["--ffmpeg-logs"] : []))
        options.leaseSeconds = lease
        options.maxGroups = maxGroups
        options.metricsBasePort = metricsOptions.metricsPort
        options.metricsArguments = ["--metrics-host", metricsOptions.metricsHost]
        let supervisor = Supervisor(options: options, store: store, logger: logger)
        // SIGHUP: the file is validated here first; an invalid one changes nothing.
        let requests = Signals.reloadRequests()
        let reloads = Task {
            for await _ in requests {
                do {
                    let text = try accepted.read()
                    let fresh = try ConfigLoader.parse(text, file: path, baseDirectory: accepted.baseDirectory)
                    try GroupWorker.validate(fresh.cameras)
                    try accepted.accept(text)
                    await supervisor.reload(groups: Self.servedGroups(fresh))
                } catch {
                    // Not only configuration errors (masked already): whatever is printed here goes to the log.
                    logger.error("SIGHUP: \(path) rejected, the running configuration stays: \(StreamURL.mask("\(error)"))")
                }
            }
        }
        defer { reloads.cancel() }
        logger.info("node \(options.node): \(groups.count) camera group(s) of \(configuration.source) → store \(storeURL); lease \(Int(lease)) s")
        let officeTask = office.map { startOffice(store: store, evidence: evidence, port: $0, logger: logger) }
        let (stop, stopping) = AsyncStream<Void>.makeStream()
        let running = Task { await supervisor.run(until: stop) }
        let reason = await Signals.waitForTermination(limit: duration)
        logger.info("\(reason ?? "time limit reached"): stopping the workers (each finishes its frames and flushes its events)")
        stopping.yield()
        await running.value
        officeTask?.cancel()
        await store.close()
        logger.info("stopped; groups released")
    }

    /// The groups that have an enabled camera.
    static func servedGroups(_ configuration: Configuration) -> [String] {
        configuration.groups.map(\.id).filter { g in configuration.cameras.contains { $0.group == g && $0.enabled } }
    }

    /// This executable, for the workers it starts.
    static func executablePath() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// The configuration, and with `--config` the file's text it was parsed from.
    private func loadConfiguration() throws -> (Configuration, text: String?) {
        if config != nil && !camera.isEmpty { throw CLIError("give either --config or --camera, not both") }
        if let config {
            do {
                let text = try ConfigLoader.read(path: config)
                return (try ConfigLoader.parse(text, file: config, baseDirectory: (config as NSString).deletingLastPathComponent), text)
            } catch { throw CLIError("invalid configuration:\n\(error)") }
        }
        if camera.isEmpty { return (DemoConfig.load(), nil) }
        var yaml = "cameras:\n"
        for spec in camera {
            guard let eq = spec.firstIndex(of: "="), eq != spec.startIndex, spec.index(after: eq) != spec.endIndex else {
                throw CLIError("--camera expects ID=URL, got '\(StreamURL.mask(spec))'")
            }
            let id = spec[..<eq], url = spec[spec.index(after: eq)...]
            yaml += "  - {id: \(jsonQuoted(String(id))), url: \(jsonQuoted(String(url))), group: adhoc}\n"
        }
        do {
            return (try ConfigLoader.parse(yaml, file: "--camera", baseDirectory: FileManager.default.currentDirectoryPath), nil)
        } catch {
            throw CLIError("invalid --camera: \(StreamURL.mask(error.description))")
        }
    }

    private func jsonQuoted(_ s: String) -> String {
        String(decoding: try! JSONEncoder().encode(s), as: UTF8.self)
    }
}

/// Runs cameras in this process until a signal or the time limit, then stops gracefully.
/// A supervised worker also stops when its lease is lost (`fence`) or its supervisor is gone.
/// With `reloadFrom` (a config file, and the group served or nil for all), SIGHUP reloads the
/// cameras from that file; with a metrics port, `GET /metrics` serves Prometheus metrics.
func serve(cameras: [CameraConfig], label: String, store storeOptions: StoreOptions, configuredStore: String?,
           evidence: String, duration: Double?, officePort: Int? = nil, fence: LeaseFence? = nil,
           supervisorPid: Int32? = nil, metricsPort: Int? = nil, metricsHost: String = "127.0.0.1",
           reloadFrom: (path: String, group: String?)? = nil, configBase: String? = nil) async throws {
    let logger = Logger(label: "retina")
    do { try GroupWorker.validate(cameras) } catch { throw CLIError("\(label): \(error)") }
    let storeURL = storeOptions.url(configured: configuredStore)
    let store = try storeOptions.open(configured: configuredStore)
    let worker = GroupWorker(cameras: cameras, store: store, evidenceDirectory: evidence, fence: fence, logger: logger)
    guard !worker.cameras.isEmpty else { throw CLIError("\(label): no enabled camera to run") }
    let groups = Set(worker.cameras.map(\.group)).sorted().joined(separator: ", ")
    logger.info("running \(worker.cameras.count) camera(s) of \(label) [group \(groups)] → store \(storeURL)")
    logger.info("see events with: retina events list --store \(storeURL)   (camera health: retina status --store \(storeURL))")
    // Installed before the cameras start: from here on SIGHUP reloads instead of ending the process.
    var reloadTask: Task<Void, Never>?
    if let source = reloadFrom {
        let requests = Signals.reloadRequests()
        reloadTask = Task {
            for await _ in requests {
                logger.info("SIGHUP: reloading \(source.path)")
                switch await worker.reload(configPath: source.path, group: source.group, baseDirectory: configBase) {
                case .success(let report): logger.notice("reloaded \(source.path): \(report)")
                case .failure(let error): logger.error("\(error)")
                }
            }
        }
    }
    worker.start()
    var metricsTask: Task<Void, Never>?
    if let port = metricsPort, port > 0 {
        let metrics = WorkerMetrics(worker: worker)
        metrics.bootstrapMetricsSystem()
        let host = metricsHost
        metricsTask = Task {
            do {
                try await MetricsServer(metrics: metrics, host: host, port: port).run { port in
                    logger.info("metrics on http://\(host):\(port)/metrics")
                }
            } catch {
                logger.error("metrics server on \(host):\(port) failed: \(error); the cameras run on without metrics")
            }
        }
    }
    let officeTask = officePort.map { startOffice(store: store, evidence: evidence, port: $0, logger: logger) }

    let progress = Task {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(10))
            if Task.isCancelled { break }
            for h in worker.health {
                logger.info("\(h.camera): \(h.state.rawValue) decoded \(String(format: "%.1f", h.decodedFps)) fps, analysed \(String(format: "%.1f", h.analysedFps)) fps, dropped \(h.droppedFrames), reconnects/h \(h.reconnectsLastHour)\(h.state == .streaming ? "" : h.lastError.map { " — \($0)" } ?? "")")
            }
        }
    }
    let publisher = worker.publisher
    let reason = await Signals.waitForTermination(limit: duration) {
        if publisher.isFenced { return "lease lost" }
        // Orphaned (the supervisor was killed): stop rather than serve a group nobody supervises.
        if let supervisorPid, getppid() != supervisorPid { return "supervisor \(supervisorPid) gone" }
        return nil
    }
    progress.cancel()
    officeTask?.cancel()
    reloadTask?.cancel()
    logger.info("\(reason ?? "time limit reached"): stopping (finishing buffered frames, flushing events)")
    await worker.stop()
    metricsTask?.cancel()
    await store.close()
    logger.info("stopped; \(worker.publisher.publishedCount) event(s) published. See them: retina events list --store \(storeURL)")
    if publisher.isFenced { throw ExitCode(WorkerExit.fenced) }
}

/// Exit statuses a supervisor reads.
enum WorkerExit {
    /// The store refused the worker's lease: another node serves the group now.
    static let fenced: Int32 = 3
}

/// The security office beside the cameras (`--office PORT`); cancelling the task stops it gracefully.
func startOffice(store: any EventStore, evidence: String, port: Int, logger: Logger) -> Task<Void, Error> {
    Task {
        try await OfficeServer(store: store, evidence: EvidenceRoot(path: evidence), port: port).run { port in
            logger.info("security office on http://127.0.0.1:\(port)/ (tokens: retina tokens create --role operator)")
        }
    }
}

/// A supervisor's private copy of the configuration it last accepted (mode 0600: camera URLs carry
/// credentials), in a folder of its own that goes when the node stops.
struct AcceptedConfig: Sendable {
    let source: String
    let path: String
    var baseDirectory: String { (source as NSString).deletingLastPathComponent }

    /// Starts with `text`, the file as it was validated.
    init(source: String, text: String) throws {
        self.source = source
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("retina-node-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        path = dir + "/" + (source as NSString).lastPathComponent
        try accept(text)
    }

    /// The source file as it is now.
    func read() throws -> String {
        guard let data = FileManager.default.contents(atPath: source) else { throw CLIError("\(source): cannot be read") }
        return String(decoding: data, as: UTF8.self)
    }

    /// Replaces the copy at once (write and rename), so a worker reads either the old or the new one.
    func accept(_ text: String) throws {
        let tmp = path + ".new"
        guard FileManager.default.createFile(atPath: tmp, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CLIError("cannot write \(tmp)")
        }
        guard rename(tmp, path) == 0 else { throw CLIError("cannot replace \(path): \(String(cString: strerror(errno)))") }
    }

    func remove() { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
}
