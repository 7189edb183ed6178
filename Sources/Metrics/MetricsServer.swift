import GracefulService
import Hummingbird
import Logging
import ServiceLifecycle

/// Serves a worker's metrics on `GET /metrics` in the Prometheus text format (0.0.4), and polls
/// the worker while it runs.
public struct MetricsServer: Sendable {
    public let metrics: WorkerMetrics
    public let host: String
    /// 0: any free port (`run`'s `onRunning` says which).
    public let port: Int
    let logger: Logger

    public init(metrics: WorkerMetrics, host: String = "127.0.0.1", port: Int, logger: Logger = Logger(label: "retina.metrics")) {
        self.metrics = metrics
        self.host = host
        self.port = port
        self.logger = logger
    }

    /// Serves until the task is cancelled, then shuts down gracefully. `onRunning` is called with
    /// the port once it is open.
    public func run(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let app = Application(
            router: router(),
            configuration: .init(address: .hostname(host, port: port), serverName: "retina-metrics"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: logger
        )
        metrics.startPolling()
        defer { metrics.stopPolling() }
        let group = ServiceGroup(services: [app], gracefulShutdownSignals: [], logger: logger)
        try await group.runShuttingDownOnCancel()
    }

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/metrics") { [metrics] _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(bytes: metrics.exposition())))
        }
        return router
    }
}
