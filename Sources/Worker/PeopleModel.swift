import Foundation
import Inference
import Logging
import ModelStore
import Perception
import Synchronization

/// The inference threads of the process and their slots: at most `budget` passes run at once, for
/// every camera together. A camera that finds no slot free skips its pass instead of queueing, so
/// neither its decoding nor its classical analysis ever waits behind another camera's inference.
public final class InferenceLane: Sendable {
    public let budget: Int
    public let executor: InferenceExecutor
    private let busy = Atomic<Int>(0)

    public init(threads: Int) {
        budget = max(1, threads)
        executor = InferenceExecutor(threads: budget, name: "retina-people")
    }

    /// Passes running now.
    public var inUse: Int { busy.load(ordering: .relaxed) }

    /// `work`'s result, computed on the lane's threads; nil at once when every slot is taken.
    public func ifIdle<T: Sendable>(_ work: @escaping @Sendable () throws(InferenceError) -> T) async throws(InferenceError) -> T? {
        guard acquire() else { return nil }
        defer { busy.subtract(1, ordering: .releasing) }
        return try await executor.run(work)
    }

    private func acquire() -> Bool {
        var current = busy.load(ordering: .relaxed)
        while current < budget {
            let (exchanged, original) = busy.compareExchange(expected: current, desired: current + 1, ordering: .acquiringAndReleasing)
            if exchanged { return true }
            current = original
        }
        return false
    }
}

/// The learned people models of the process, loaded once (their SHA-256 checked) and run on one
/// `InferenceLane` that every camera shares: YOLOX-Nano (`Models/yolox-nano`) for every pass, the
/// crowd-density model (`Models/crowd-density`) for zones the detector finds dense.
public final class PeopleModel: Sendable {
    /// Inference threads for all the cameras of a process together; one ONNX Runtime thread each.
    public static let threadBudget = 1

    public let session: InferenceSession
    /// nil when it could not be loaded (`densityOff` says why): dense zones are then counted by the detector alone.
    public let density: CrowdDensityEstimator?
    public let densityOff: String?
    public let lane: InferenceLane

    public init(session: InferenceSession, density: CrowdDensityEstimator? = nil, densityOff: String? = nil,
                lane: InferenceLane = InferenceLane(threads: threadBudget)) {
        self.session = session
        self.density = density
        self.densityOff = densityOff
        self.lane = lane
    }

    /// The pose model for home cameras (BlazePose, `Models/pose`), loaded by the first home camera
    /// that asks (blocking: call it off the cooperative pool); runs on the same lane. Nil, with the
    /// reason in the log once, when it cannot be loaded.
    public func poseEstimator(logger: Logger) -> PoseEstimator? {
        pose.withLock { state in
            if let state { return try? state.get() }
            do {
                let estimator = try PoseEstimator.shipped(threads: 1)
                logger.info("pose for home cameras: \(estimator.session.path) (SHA-256 checked)")
                state = .success(estimator)
            } catch {
                logger.error("fall detection off for every home camera: the pose model did not load: \(error) (scripts/install-deps.sh checks the checkout's Models/)")
                state = .failure(Unavailable(message: "\(error)"))
            }
            return try? state!.get()
        }
    }

    private let pose = Mutex<Result<PoseEstimator, Unavailable>?>(nil)

    /// A home camera's person finder on the shared session: people only, and from a lower score,
    /// since people lying down score low with a detector trained mostly on people standing.
    public func homeDetector() throws(InferenceError) -> ObjectDetector {
        try ObjectDetector(session: session, settings: ObjectDetector.Settings(scoreThreshold: 0.25, classes: [COCOClass.person]))
    }

    /// A camera's detector on the shared session: its own tile plan, people and street vehicles.
    public func detector(tiles: TileSetting) throws(InferenceError) -> ObjectDetector {
        try ObjectDetector(session: session, settings: ObjectDetector.Settings(tiles: tiles))
    }

    /// The process's model, loaded by the first camera that asks (blocking: call it off the cooperative
    /// pool); nil when ONNX Runtime or the model file is missing, said once in the log with what to do.
    public static func shared(logger: Logger) -> PeopleModel? {
        loaded.withLock { state in
            if let state { return try? state.get() }
            let result = load()
            state = result
            switch result {
            case .success(let model):
                logger.info("people detection: \(model.session.path) (SHA-256 checked), \(threadBudget) inference thread(s) for all cameras")
                if let density = model.density {
                    logger.info("crowd density for dense zones: \(density.session.path) (SHA-256 checked)")
                } else {
                    logger.warning("crowd density off: \(model.densityOff ?? "not loaded"); dense zones are counted by the detector alone")
                }
            case .failure(let why):
                logger.warning("people detection off for every camera: \(why.message); crowds are counted by the classical estimate")
            }
            return try? result.get()
        }
    }

    private static let loaded = Mutex<Result<PeopleModel, Unavailable>?>(nil)

    /// Why the model is not there, with how to get it.
    struct Unavailable: Error {
        let message: String
    }

    private static func load() -> Result<PeopleModel, Unavailable> {
        let file = LearnedModelFile.yoloxNano
        let path: String
        do { path = try file.locate() } catch {
            return .failure(Unavailable(message: "\(error) (scripts/install-deps.sh checks the checkout's Models/ and installs ONNX Runtime)"))
        }
        do {
            let session = try InferenceSession(path: path, inputs: ObjectDetector.expectedInputs(side: -1),
                                               outputs: ObjectDetector.expectedOutputs, threads: 1, sha256: file.sha256)
            // The density model is optional: without it the detector's count stands for dense zones too.
            do {
                let density = try CrowdDensityEstimator(modelPath: try LearnedModelFile.crowdDensity.locate(),
                                                        sha256: LearnedModelFile.crowdDensity.sha256, threads: 1)
                return .success(PeopleModel(session: session, density: density))
            } catch {
                return .success(PeopleModel(session: session, densityOff: "\(error)"))
            }
        } catch {
            return .failure(Unavailable(message: error.description))
        }
    }
}
