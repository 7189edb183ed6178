import Events
import Foundation
import GracefulService
import Hummingbird
import Logging
import ServiceLifecycle

/// The security office's HTTP server: a JSON API over the dispatch queue, a live stream of queue
/// changes (server-sent events), and the operator's web page. Every endpoint checks the bearer
/// token's role: 401 without a valid token, 403 with the wrong role; actions are recorded in the
/// history under the token's name.
public struct OfficeServer: Sendable {
    public let store: any EventStore
    public let host: String
    public let port: Int
    /// Where `POST /api/exports` writes evidence packages, and the key that signs them; nil: exports are off.
    public var exports: OfficeExports?
    let logger: Logger

    public init(store: any EventStore, host: String = "127.0.0.1", port: Int = 8080, logger: Logger = Logger(label: "retina.office")) {
        self.store = store
        self.host = host
        self.port = port
        self.logger = logger
    }

    /// Serves until the task is cancelled (or, with `handleSignals`, SIGINT/SIGTERM); both shut the
    /// server down gracefully. `onRunning` is called once the port is open.
    public func run(handleSignals: Bool = false, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let app = Application(
            router: router(),
            configuration: .init(address: .hostname(host, port: port), serverName: "retina"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: logger
        )
        let group = ServiceGroup(services: [app], gracefulShutdownSignals: handleSignals ? [.sigterm, .sigint] : [], logger: logger)
        try await group.runShuttingDownOnCancel()
    }

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        let api = OfficeAPI(store: store)
        router.get("/") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: OfficePage.html)))
        }
        router.get("/api/events") { request, _ in try await api.list(request) }
        router.post("/api/events") { request, context in try await api.publish(request, context) }
        router.get("/api/events/:id") { request, context in try await api.show(request, context) }
        router.post("/api/events/:id/:action") { request, context in try await api.act(request, context) }
        router.post("/api/queue/claim") { request, _ in try await api.claim(request) }
        router.get("/api/health") { request, _ in try await api.health(request) }
        router.get("/api/groups") { request, _ in try await api.groups(request) }
        router.get("/api/tokens") { request, _ in try await api.listTokens(request) }
        router.post("/api/tokens") { request, _ in try await api.createToken(request) }
        router.delete("/api/tokens/:id") { request, context in try await api.revokeToken(request, context) }
        router.get("/api/snapshots/:id") { request, context in try await api.snapshot(request, context) }
        router.get("/api/stream") { request, _ in try await api.stream(request) }
        router.post("/api/exports") { [exports] request, _ in try await api.createExport(request, exports: exports) }
        return router
    }
}
