import Events
import Foundation
import Logging
import RetinaConfig
import ServiceLifecycle

/// What a process serving cameras runs with: `retina worker` (one group of a file), or `retina run`
/// without a supervisor (a file's cameras, `--camera` ones, the demo).
public struct WorkerSettings: Sendable {
    /// SIGHUP reloads the cameras from `path` (only `group`'s, or all with nil); relative paths in
    /// it resolve against `baseDirectory` when given.
    public struct ReloadSource: Sendable {
        public var path: String
        public var group: String?
        public var baseDirectory: String?

        public init(path: String, group: String?, baseDirectory: String? = nil) {
            self.path = path
            self.group = group
            self.baseDirectory = baseDirectory
        }
    }

    public var cameras: [CameraConfig]
    /// Where the cameras come from, for logs and errors: a file, a file's group, `--camera`, the demo.
    public var label: String
    public var storeURL: String
    public var evidence: String
    /// The lease a supervised worker publishes under: it stops once the store refuses it.
    public var fence: LeaseFence?
    /// A supervised worker stops when this process is no longer its parent.
    public var supervisorPid: Int32?
    public var reload: ReloadSource?
    /// Seconds between the cameras' progress lines in the log.
    public var progressEvery: Double = 10

    public init(cameras: [CameraConfig], label: String, storeURL: String, evidence: String) {
        self.cameras = cameras
        self.label = label
        self.storeURL = storeURL
        self.evidence = evidence
    }
}

/// Exit statuses a supervisor reads.
public enum WorkerExit {
    /// The store refused the worker's lease: another node serves the group now.
    public static let fenced: Int32 = 3
}

/// Runs cameras in this process as a service: until a graceful shutdown (SIGINT, SIGTERM, the time
/// limit) or a reason of its own (its lease lost, its supervisor gone); then ingest stops, buffered
/// frames are analysed and events flushed. `reload()` applies the reload source's camera changes.
public final class WorkerService: Service, Sendable {
    public let settings: WorkerSettings
    public let worker: GroupWorker
    /// The store the cameras publish to, opened once the cameras passed their checks.
    public let store: any EventStore
    private let logger: Logger

    /// Checks the cameras (model files), then opens the store.
    public init(settings: WorkerSettings, logger: Logger, openStore: () throws -> any EventStore) throws {
        do { try GroupWorker.validate(settings.cameras) } catch {
            throw WorkerError(message: "\(settings.label): \(error)")
        }
        guard settings.cameras.contains(where: \.enabled) else { throw WorkerError(message: "\(settings.label): no enabled camera to run") }
        store = try openStore()
        self.settings = settings
        self.logger = logger
        worker = GroupWorker(cameras: settings.cameras, store: store, evidenceDirectory: settings.evidence, fence: settings.fence, logger: logger)
    }

    /// The store refused this worker's lease: the process should exit with `WorkerExit.fenced`.
    public var isFenced: Bool { worker.publisher.isFenced }

    public func run() async {
        let storeURL = settings.storeURL
        let groups = Set(worker.cameras.map(\.group)).sorted().joined(separator: ", ")
        logger.info("running \(worker.cameras.count) camera(s) of \(settings.label) [group \(groups)] → store \(storeURL)")
        logger.info("see events with: retina events list --store \(storeURL)   (camera health: retina status --store \(storeURL))")
        worker.start()
        let progress = Task { [worker, logger, every = settings.progressEvery] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(every))
                if Task.isCancelled { break }
                for h in worker.health {
                    logger.info("\(h.camera): \(h.state.rawValue) decoded \(String(format: "%.1f", h.decodedFps)) fps, analysed \(String(format: "%.1f", h.analysedFps)) fps, dropped \(h.droppedFrames), reconnects/h \(h.reconnectsLastHour)\(h.state == .streaming ? "" : h.lastError.map { " — \($0)" } ?? "")")
                }
            }
        }
        let reason = await untilShutdown { [self] in ownReason() }
        progress.cancel()
        logger.info("\(reason ?? "shutting down"): stopping (finishing buffered frames, flushing events)")
        await worker.stop()
        // A repeat of a condition still open (a second demo on the same store) is folded into it, not new.
        let published = worker.publisher.publishedCount, merged = worker.publisher.mergedCount
        logger.info("stopped; \(published) event(s) published\(merged > 0 ? ", \(merged) more folded into open events of the same condition as repeats" : ""). See them: retina events list --store \(storeURL)")
    }

    /// A reason to stop that is not a shutdown request.
    private func ownReason() -> String? {
        if isFenced { return "lease lost" }
        // Orphaned (the supervisor was killed): stop rather than serve a group nobody supervises.
        if let pid = settings.supervisorPid, getppid() != pid { return "supervisor \(pid) gone" }
        return nil
    }

    /// SIGHUP: the reload source's cameras, validated, applied without restarting untouched ones.
    public func reload() async {
        guard let source = settings.reload else { return }
        logger.info("SIGHUP: reloading \(source.path)")
        switch await worker.reload(configPath: source.path, group: source.group, baseDirectory: source.baseDirectory) {
        case .success(let report): logger.notice("reloaded \(source.path): \(report)")
        case .failure(let error): logger.error("\(error)")
        }
    }
}

/// Waits for a graceful shutdown (or cancellation) of the calling service, or for `check` (asked
/// every 250 ms) to give a reason to stop, which it returns; nil for a shutdown.
func untilShutdown(orOwnReason check: (@Sendable () -> String?)? = nil) async -> String? {
    let (reasons, continuation) = AsyncStream<String?>.makeStream()
    let checker = check.map { check in
        Task {
            while !Task.isCancelled {
                if let reason = check() { continuation.yield(reason); return }
                try? await Task.sleep(for: .milliseconds(250))
            }
        }
    }
    defer { checker?.cancel() }
    return await withTaskCancellationOrGracefulShutdownHandler {
        for await reason in reasons { return reason }
        return nil
    } onCancelOrGracefulShutdown: {
        continuation.yield(nil)
    }
}
