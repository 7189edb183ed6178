import Events
import Evidence
import GracefulService
import Logging
import Office
import RetinaConfig
import RetinaMetrics
import ServiceLifecycle
import Worker

/// The services of one `run` or `worker` process, in one `ServiceGroup`: SIGINT or SIGTERM shuts
/// them down gracefully, the last added first: the time limit and SIGHUP, then the cameras or the
/// node (ingest stops, buffered frames are analysed, events flushed), then the office and metrics.
struct ProcessServices {
    let logger: Logger
    private var servers: [ServiceGroupConfiguration.ServiceConfiguration] = []
    private var main: [ServiceGroupConfiguration.ServiceConfiguration] = []
    private var signals: [ServiceGroupConfiguration.ServiceConfiguration] = []

    init(logger: Logger) { self.logger = logger }

    /// What the process is for; its end (a worker's lost lease, say) ends the others gracefully.
    mutating func add(main service: any Service) {
        main.append(.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup))
    }

    /// SIGHUP runs `reload`: trapped from here on, before any camera starts.
    mutating func reload(_ reload: @escaping @Sendable () async -> Void) async {
        signals.append(.init(service: await HangupService.trappingHangups(reload: reload), successTerminationBehavior: .ignore))
    }

    /// `--duration`.
    mutating func timeLimit(_ seconds: Double?) {
        guard let seconds else { return }
        signals.append(.init(service: TimeLimit(seconds: seconds, logger: logger), successTerminationBehavior: .gracefullyShutdownGroup))
    }

    /// `GET /metrics` of a worker (`--metrics-port`); if it cannot serve, the cameras run on without.
    mutating func metrics(of worker: GroupWorker, options: MetricsOptions) {
        guard let port = options.metricsPort, port > 0 else { return }
        let metrics = WorkerMetrics(worker: worker)
        metrics.bootstrapMetricsSystem()
        let (host, logger) = (options.metricsHost, logger)
        server(CancellingService("metrics") {
            do {
                try await MetricsServer(metrics: metrics, host: host, port: port).run { port in
                    logger.info("metrics on http://\(host):\(port)/metrics")
                }
            } catch {
                logger.error("metrics server on \(host):\(port) failed: \(error); the cameras run on without metrics")
            }
        })
    }

    /// The security office beside the cameras (`--office PORT`).
    mutating func office(port: Int?, store: any EventStore, evidence: String) {
        guard let port else { return }
        let logger = logger
        server(CancellingService("office") {
            do {
                try await OfficeServer(store: store, evidence: EvidenceRoot(path: evidence), port: port).run { port in
                    logger.info("security office on http://127.0.0.1:\(port)/ (tokens: retina tokens create --role operator)")
                }
            } catch {
                logger.error("security office on port \(port) failed: \(error)")
            }
        })
    }

    /// The configuration's `linkage:` (MQTT, webhooks), relayed from the store's outbox.
    mutating func linkage(_ config: LinkageConfig, store: any EventStore) throws {
        guard let service = try linkageService(config, store: store, logger: logger) else { return }
        server(service)
    }

    private mutating func server(_ service: any Service) {
        servers.append(.init(service: service, successTerminationBehavior: .ignore))
    }

    /// Runs every service until the group has shut down.
    func run() async throws {
        try await ServiceGroup.process(servers + main + signals, logger: logger).run()
    }
}
