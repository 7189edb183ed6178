import Events
import Foundation
import Logging
import Media
import RetinaConfig
import Synchronization

/// Serves a set of cameras (one camera group, or an ad-hoc list) in this process: one pipeline
/// per camera, one batching publisher, and a periodic duty that reports outages and health.
/// `apply(_:)` changes the set of cameras while it runs (config reload).
public final class GroupWorker: Sendable {
    /// The enabled cameras served now, in configuration order.
    public var cameras: [CameraConfig] { pipelines.map(\.camera) }
    /// One pipeline per camera; a reload replaces the pipelines of changed cameras only.
    public var pipelines: [CameraPipeline] { state.withLock { $0.pipelines } }
    public let publisher: EventPublisher
    private let state: Mutex<State>
    private let evidence: EvidenceWriter?
    /// apply and stop run one after another: a pipeline is never stopped twice, nor before it started.
    private let serial = SerialTasks()
    private let store: any EventQueue & CameraHealthStore
    private let logger: Logger
    private let healthInterval: Double
    private let duty = DutyTask()

    /// - Parameters:
    ///   - evidenceDirectory: where event snapshots are written (nil: no snapshots).
    ///   - fence: the group lease a supervised worker publishes under; `onFenced` is called once
    ///     the store refuses it (another node took the group over).
    public init(cameras: [CameraConfig], store: any EventQueue & CameraHealthStore, evidenceDirectory: String? = nil, healthInterval: Double = 5,
                fence: LeaseFence? = nil, onFenced: @escaping @Sendable () -> Void = {},
                logger: Logger = Logger(label: "retina.worker"), load: NodeLoad = .process) {
        let enabled = cameras.filter(\.enabled)
        let publisher = EventPublisher(store: store, fence: fence, onFenced: onFenced, logger: logger)
        self.store = store
        self.logger = logger
        self.healthInterval = healthInterval
        self.publisher = publisher
        let evidence = evidenceDirectory.map(EvidenceWriter.init(directory:))
        self.evidence = evidence
        // The cameras start a little apart (`StreamDefaults.startSpacing`), in their order.
        state = Mutex(State(pipelines: enabled.enumerated().map { index, camera in
            CameraPipeline(camera: camera, publisher: publisher, evidence: evidence, logger: logger,
                           startDelay: Double(index) * StreamDefaults.startSpacing, load: load)
        }))
    }

    public func start() {
        // Started under the lock: a reload that follows sees every pipeline it may stop running.
        let starting = state.withLock { s in
            guard s.phase == .idle else { return false }
            s.phase = .running
            publisher.start()
            for p in s.pipelines { p.start() }
            return true
        }
        guard starting else { return }
        duty.start { [self] in
            var lastHealth = Date.distantPast
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(500))
                let now = Date()
                for p in pipelines { p.tick(now: now) }
                if now.timeIntervalSince(lastHealth) >= healthInterval {
                    lastHealth = now
                    await reportHealth()
                    // Unacknowledged P1s escalate on time even when no office server runs; every
                    // worker may do it, a step is only ever raised once.
                    do {
                        for e in try await store.escalateOverdue(policy: .standard, now: now) {
                            logger.warning("P1 \(e.type) \(e.id) unacknowledged: escalation step \(e.escalationStep)")
                        }
                    } catch {
                        logger.warning("could not check escalations: \(error)")
                    }
                }
            }
        }
    }

    /// Graceful stop: ingest stops, analysis finishes buffered frames, every event is flushed.
    /// Waits for a reload in progress; a reload after it changes nothing.
    public func stop() async {
        await serial.run { [self] in
            let (running, phase) = state.withLock { s in
                defer { s.phase = .stopped }
                return (s.pipelines, s.phase)
            }
            guard phase != .stopped else { return }
            let wasRunning = phase == .running
            duty.cancel()
            // Pipelines that never started have no thread to stop.
            if wasRunning { await Self.stop(running) }
            await publisher.stop()
            await reportHealth()
        }
    }

    public var health: [CameraHealthRecord] { pipelines.map(\.health) }

    /// Checks what would otherwise fail only once a camera's analysis starts (model files).
    public static func validate(_ cameras: [CameraConfig]) throws {
        for camera in cameras where camera.enabled {
            do { _ = try DetectorFactory.detectors(for: camera) } catch { throw WorkerError(message: "camera \(camera.id): \(error)") }
        }
    }

    private func reportHealth(_ records: [CameraHealthRecord]? = nil) async {
        do { try await store.reportHealth(records ?? health) } catch { logger.warning("could not record camera health: \(error)") }
    }

    private enum Phase { case idle, running, stopped }

    private struct State {
        var pipelines: [CameraPipeline]
        var phase = Phase.idle
    }

    private static func stop(_ pipelines: [CameraPipeline]) async {
        await withTaskGroup(of: Void.self) { group in
            for p in pipelines { group.addTask { await p.stop() } }
        }
    }
}

// MARK: - Reload

/// What `GroupWorker.apply(_:)` changed, by camera id.
public struct ReloadReport: Sendable, Equatable, CustomStringConvertible {
    public var added: [String] = []
    public var removed: [String] = []
    /// Cameras whose configuration differs: their pipeline was replaced.
    public var changed: [String] = []
    /// Cameras whose pipeline kept running untouched.
    public var unchanged: [String] = []

    public init(added: [String] = [], removed: [String] = [], changed: [String] = [], unchanged: [String] = []) {
        self.added = added
        self.removed = removed
        self.changed = changed
        self.unchanged = unchanged
    }

    public var isEmpty: Bool { added.isEmpty && removed.isEmpty && changed.isEmpty }

    public var description: String {
        func list(_ ids: [String]) -> String { ids.isEmpty ? "none" : ids.joined(separator: ", ") }
        return "added \(list(added)); removed \(list(removed)); changed \(list(changed)); \(unchanged.count) unchanged"
    }
}

extension GroupWorker {
    /// Makes `cameras` (the enabled ones) the worker's set: pipelines of removed and changed cameras
    /// stop gracefully (buffered frames analysed, their events flushed), then added and changed ones
    /// start; pipelines of unchanged cameras are kept as they are. Check the cameras with
    /// `validate(_:)` first. After `stop()` it changes nothing.
    public func apply(_ cameras: [CameraConfig]) async -> ReloadReport {
        await serial.run { [self] in await applyNow(cameras) }
    }

    private func applyNow(_ cameras: [CameraConfig]) async -> ReloadReport {
        var seen = Set<String>()
        let wanted = cameras.filter { $0.enabled && seen.insert($0.id).inserted }
        let (report, retired, added, running) = state.withLock { s -> (ReloadReport, [CameraPipeline], [CameraPipeline], Bool) in
            guard s.phase != .stopped else { return (ReloadReport(), [], [], false) }
            var report = ReloadReport()
            var current = Dictionary(s.pipelines.map { ($0.camera.id, $0) }, uniquingKeysWith: { first, _ in first })
            var next: [CameraPipeline] = [], retired: [CameraPipeline] = [], added: [CameraPipeline] = []
            for camera in wanted {
                if let old = current.removeValue(forKey: camera.id) {
                    if old.camera == camera {
                        next.append(old)
                        report.unchanged.append(camera.id)
                        continue
                    }
                    retired.append(old)
                    report.changed.append(camera.id)
                } else {
                    report.added.append(camera.id)
                }
                let p = CameraPipeline(camera: camera, publisher: publisher, evidence: evidence, logger: logger)
                next.append(p)
                added.append(p)
            }
            let gone = s.pipelines.filter { p in !next.contains { $0 === p } && !retired.contains { $0 === p } }
            report.removed = gone.map(\.camera.id)
            retired += gone
            s.pipelines = next
            return (report, retired, added, s.phase == .running)
        }
        guard running else { return report }
        // Old pipelines first: a changed camera's stream is released (cameras allow few sessions)
        // and its last events are committed before its new pipeline connects.
        await Self.stop(retired)
        await publisher.flush(timeout: 10)
        let removed = Set(report.removed)
        await reportHealth(retired.filter { removed.contains($0.camera.id) }.map(\.health))
        for p in added { p.start() }
        return report
    }
}

/// Why a reload was refused. The worker keeps the cameras it had.
public struct ReloadError: Error, Sendable, CustomStringConvertible {
    public var description: String
    /// The configuration's problems, each located (file:line:col), when the file was the reason.
    public var issues: [ConfigIssue]

    public init(_ description: String, issues: [ConfigIssue] = []) {
        self.description = description
        self.issues = issues
    }
}

extension GroupWorker {
    /// The reload entry point (SIGHUP): re-reads the configuration file, validates it, and applies
    /// the cameras of `group` (all of the file's cameras when nil). A file that does not load or
    /// validate changes nothing. The store and evidence settings are read at start only.
    public func reload(configPath: String, group: String?, baseDirectory: String? = nil) async -> Result<ReloadReport, ReloadError> {
        // File and model reads block: off Swift's cooperative pool.
        let loaded: Result<[CameraConfig], ReloadError> = await withCheckedContinuation { c in
            DispatchQueue.global().async { c.resume(returning: Self.loadCameras(configPath: configPath, group: group, baseDirectory: baseDirectory)) }
        }
        switch loaded {
        case .success(let cameras): return .success(await apply(cameras))
        case .failure(let error): return .failure(error)
        }
    }

    static func loadCameras(configPath: String, group: String?, baseDirectory: String? = nil) -> Result<[CameraConfig], ReloadError> {
        let refused = "\(configPath) not reloaded; the running cameras stay as they are"
        let configuration: Configuration
        do { configuration = try ConfigLoader.load(path: configPath, baseDirectory: baseDirectory) } catch {
            return .failure(ReloadError("\(refused):\n\(error)", issues: error.issues))
        }
        var cameras = configuration.cameras
        if let group {
            guard configuration.groups.contains(where: { $0.id == group }) else {
                return .failure(ReloadError("\(refused): it has no camera group '\(group)' (groups: \(configuration.groups.map(\.id).joined(separator: ", ")))"))
            }
            cameras = configuration.cameras(inGroup: group)
        }
        do { try validate(cameras) } catch { return .failure(ReloadError("\(refused): \(error)")) }
        return .success(cameras)
    }
}

/// Runs async jobs one at a time, in the order they were handed in.
final class SerialTasks: Sendable {
    private let tail = Mutex<Task<Void, Never>?>(nil)

    func run<T: Sendable>(_ job: @escaping @Sendable () async -> T) async -> T {
        let task = tail.withLock { tail -> Task<T, Never> in
            let previous = tail
            let task = Task { await previous?.value; return await job() }
            tail = Task { _ = await task.value }
            return task
        }
        return await task.value
    }
}

/// Holds one cancellable background task.
final class DutyTask: Sendable {
    private let task = Mutex<Task<Void, Never>?>(nil)
    func start(_ body: @escaping @Sendable () async -> Void) { task.withLock { $0 = Task { await body() } } }
    func cancel() { task.withLock { $0?.cancel() } }
}

public struct WorkerError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }

    public init(message: String) { self.message = message }
}
