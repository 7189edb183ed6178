import Events
import Foundation
import Logging
import RetinaConfig
import Synchronization

/// Serves a set of cameras (one camera group, or an ad-hoc list) in this process: one pipeline
/// per camera, one batching publisher, and a periodic duty that reports outages and health.
public final class GroupWorker: Sendable {
    public let cameras: [CameraConfig]
    public let pipelines: [CameraPipeline]
    public let publisher: EventPublisher
    private let store: any EventStore
    private let logger: Logger
    private let healthInterval: Double
    private let duty = DutyTask()

    /// - Parameter evidenceDirectory: where event snapshots are written (nil: no snapshots).
    public init(cameras: [CameraConfig], store: any EventStore, evidenceDirectory: String? = nil, healthInterval: Double = 5,
                logger: Logger = Logger(label: "retina.worker")) {
        let enabled = cameras.filter(\.enabled)
        let publisher = EventPublisher(store: store, logger: logger)
        self.cameras = enabled
        self.store = store
        self.logger = logger
        self.healthInterval = healthInterval
        self.publisher = publisher
        let evidence = evidenceDirectory.map(EvidenceWriter.init(directory:))
        pipelines = enabled.map { CameraPipeline(camera: $0, publisher: publisher, evidence: evidence, logger: logger) }
    }

    public func start() {
        publisher.start()
        for p in pipelines { p.start() }
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
    public func stop() async {
        duty.cancel()
        await withTaskGroup(of: Void.self) { group in
            for p in pipelines { group.addTask { await p.stop() } }
        }
        await publisher.stop()
        await reportHealth()
    }

    public var health: [CameraHealthRecord] { pipelines.map(\.health) }

    /// Checks what would otherwise fail only once a camera's analysis starts (model files).
    public static func validate(_ cameras: [CameraConfig]) throws {
        for camera in cameras where camera.enabled {
            do { _ = try DetectorFactory.detectors(for: camera) } catch { throw WorkerError(message: "camera \(camera.id): \(error)") }
        }
    }

    private func reportHealth() async {
        do { try await store.reportHealth(health) } catch { logger.warning("could not record camera health: \(error)") }
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
}
