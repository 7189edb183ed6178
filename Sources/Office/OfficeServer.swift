import Evidence
import Events
import Foundation
import GracefulService
import Hummingbird
import Logging
import ServiceLifecycle

/// The security office's HTTP server: a JSON API over the dispatch queue, a live stream of queue
/// changes (server-sent events), and the operator's web page. Who may call what is one table
/// (`OfficeRoute.table`); actions are recorded in the history under the token's name.
public struct OfficeServer: Sendable {
    public let store: any EventStore
    public let host: String
    public let port: Int
    /// The folder snapshots are served from and producers' uploads are stored in (the workers' `evidence:`).
    public var evidence: EvidenceRoot
    /// Where `POST /api/exports` writes evidence packages, and the key that signs them; nil: exports are off.
    public var exports: OfficeExports?
    /// What producers may publish (clock skew, payload depth).
    public var limits: ProducerEvents.Limits = .standard
    public var sessions = OfficeSessions()
    let logger: Logger

    public init(store: any EventStore, evidence: EvidenceRoot, host: String = "127.0.0.1", port: Int = 8080,
                logger: Logger = Logger(label: "retina.office")) {
        self.store = store
        self.evidence = evidence
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

    func router() -> Router<OfficeContext> {
        let api = OfficeAPI(store: store, sessions: sessions, evidence: evidence, exports: exports, limits: limits)
        return OfficeRoute.router(api, sessions: sessions)
    }
}
