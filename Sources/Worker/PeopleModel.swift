import Foundation
import Inference
import Logging
import Media
import ModelStore
import Perception
import Synchronization

/// The inference threads of the process and their slots: at most `budget` passes run at once, for
/// every camera together. A camera whose pass is due waits for a slot at most `waitingAtMost`
/// seconds (its analysis interval: its decoding never waits, and the frames that arrive meanwhile
/// are buffered), then skips the pass and asks again with its next frame. Cameras whose frames come
/// in the same decode burst ask at the same instant: without the wait all but one would skip, and
/// the same cameras again on the next burst. A free slot goes to an urgent waiter first (a home
/// camera's pose pass: a fall alarm is P1), then to the one whose pass is the most overdue, then to
/// the one that asked first: under overload a camera that skipped is served before one that is on
/// time, so the passes each camera gets fall evenly. Overdue is counted in the pass's own intervals
/// (a density pass due every 2 s and 2 s late is as late as a people pass due every second and 1 s
/// late: one missed each), so both kinds thin out alike. Every skip tells `load` that the machine is
/// short of CPU (decoders then shed their deblocking filter).
public final class InferenceLane: Sendable {
    public let budget: Int
    public let executor: InferenceExecutor
    public let load: NodeLoad
    private struct Waiter {
        let deadline: UInt64
        let urgent: Bool
        /// How late the pass is on its camera's schedule, in its own intervals.
        let overdue: Double
        let resume: CheckedContinuation<Bool, Never>

        /// Served after `other`.
        func after(_ other: Waiter) -> Bool { urgent != other.urgent ? other.urgent : overdue < other.overdue }
    }
    private struct State {
        var busy = 0
        var waiting: [Waiter] = []
    }
    private let state = Mutex(State())

    public init(threads: Int, load: NodeLoad = .process) {
        budget = max(1, threads)
        executor = InferenceExecutor(threads: budget, name: "retina-people")
        self.load = load
    }

    /// Passes running now.
    public var inUse: Int { state.withLock { $0.busy } }
    /// Passes waiting for a slot now.
    public var waiting: Int { state.withLock { $0.waiting.count } }

    /// `work`'s result, computed on the lane's threads; nil at once when every slot is taken.
    public func ifIdle<T: Sendable>(_ work: @escaping @Sendable () throws(InferenceError) -> T) async throws(InferenceError) -> T? {
        try await run(waitingAtMost: 0, work)
    }

    /// `work`'s result, computed on the lane's threads; nil at once unless no pass runs or waits:
    /// work nothing is owed (a spare pass) then holds one slot and leaves the others free for the
    /// passes that are. Never counted as a skip. (A thread of its own for spare passes, nicer than
    /// the lane's, was tried: it added another concurrent run's memory, 34 MiB a camera at 24
    /// cameras, and scheduled passes were still skipped on a 44 % idle machine.)
    public func ifUnused<T: Sendable>(_ work: @escaping @Sendable () throws(InferenceError) -> T) async throws(InferenceError) -> T? {
        guard takeSlot(ifBusyBelow: 1) else { return nil }
        defer { release() }
        return try await executor.run(work)
    }

    /// `work`'s result, computed on the lane's threads once a slot is free; nil when none came free
    /// within `seconds` (then the pass is skipped). `overdue`: how late the pass is on its
    /// camera's schedule, in intervals of that schedule; `urgent` waiters, then the most overdue, get the next free slot.
    public func run<T: Sendable>(waitingAtMost seconds: Double, urgent: Bool = false, overdue: Double = 0,
                                 _ work: @escaping @Sendable () throws(InferenceError) -> T) async throws(InferenceError) -> T? {
        guard await acquire(waitingAtMost: seconds, urgent: urgent, overdue: overdue) else {
            if seconds > 0 { load.reportShort() }
            return nil
        }
        defer { release() }
        return try await executor.run(work)
    }

    private func acquire(waitingAtMost seconds: Double, urgent: Bool, overdue: Double) async -> Bool {
        if takeSlot(ifBusyBelow: budget) { return true }
        guard seconds > 0 else { return false }
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(seconds * 1e9)
        return await withCheckedContinuation { (c: CheckedContinuation<Bool, Never>) in
            let granted = state.withLock { s -> Bool in
                if s.busy < budget, s.waiting.isEmpty {
                    s.busy += 1
                    return true
                }
                s.waiting.append(Waiter(deadline: deadline, urgent: urgent, overdue: overdue, resume: c))
                return false
            }
            if granted { c.resume(returning: true) }
        }
    }

    /// Takes a slot where fewer than `limit` are busy and nobody waits (waiters come first).
    private func takeSlot(ifBusyBelow limit: Int) -> Bool {
        state.withLock { s -> Bool in
            guard s.busy < limit, s.waiting.isEmpty else { return false }
            s.busy += 1
            return true
        }
    }

    /// Hands the slot to the first waiter still within its time in the lane's order (urgent, most
    /// overdue, first to ask); those past their time are told to skip. Every slot is released by a pass ending, so
    /// a waiter past its time hears it then.
    private func release() {
        let now = DispatchTime.now().uptimeNanoseconds
        var expired: [CheckedContinuation<Bool, Never>] = []
        let next = state.withLock { s -> CheckedContinuation<Bool, Never>? in
            expired = s.waiting.filter { $0.deadline < now }.map(\.resume)
            s.waiting.removeAll { $0.deadline < now }
            // `waiting` is in arrival order, and max(by:) keeps the first of equals.
            if let pick = s.waiting.indices.max(by: { s.waiting[$0].after(s.waiting[$1]) }) {
                return s.waiting.remove(at: pick).resume
            }
            s.busy -= 1
            return nil
        }
        for c in expired { c.resume(returning: false) }
        next?.resume(returning: true)
    }
}

/// The learned people models of the process, loaded once (their SHA-256 checked) and run on one
/// `InferenceLane` that every camera shares: YOLOX-Nano (`Models/yolox-nano`) for every pass (the
/// same with the density head on its features, `Models/crowd-density/people_density.onnx`, for a
/// pass that asks for its own density), the crowd-density model (`Models/crowd-density`) for zones
/// the detector finds dense.
public final class PeopleModel: Sendable {
    /// Inference threads for all the cameras of a process together; one ONNX Runtime thread each.
    /// Two: with one, 56 dual-stream cameras skipped people passes while 12 % of a 2-core machine
    /// was idle (the one thread, scheduled among dozens of decoders, could not keep up in time);
    /// with two they got every pass (Benchmarks/README, issue 20).
    public static let threadBudget = 2

    public let session: InferenceSession
    /// nil when it could not be loaded (`densityOff` says why): dense zones are then counted by the detector alone.
    public let density: CrowdDensityEstimator?
    public let densityOff: String?
    /// The detector with the density head on its own features (`Models/crowd-density/people_density.onnx`),
    /// for the passes that ask for their own density (`PassDensityScale`); nil when it could not be
    /// loaded (`passDensityOff` says why): dense zones are then counted by the density model alone.
    public let passDensity: InferenceSession?
    public let passDensityOff: String?
    public let lane: InferenceLane

    public init(session: InferenceSession, density: CrowdDensityEstimator? = nil, densityOff: String? = nil,
                passDensity: InferenceSession? = nil, passDensityOff: String? = nil,
                lane: InferenceLane = InferenceLane(threads: threadBudget)) {
        self.session = session
        self.density = density
        self.densityOff = densityOff
        self.passDensity = passDensity
        self.passDensityOff = passDensityOff
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
    /// since people lying down score low with a detector trained mostly on people standing. On the
    /// square input the fall detector was measured with: the fitted one lost a fall on GMDCSA24
    /// (Subject_4/Fall/03, a person lying on a bed found only by a marginal box).
    public func homeDetector() throws(InferenceError) -> ObjectDetector {
        try ObjectDetector(session: session, settings: ObjectDetector.Settings(scoreThreshold: 0.25, classes: [COCOClass.person], fitInput: false))
    }

    /// A camera's detector on the shared sessions: its own tile plan, people and street vehicles;
    /// its own density when a pass asks for it and the head is loaded.
    public func detector(tiles: TileSetting) throws(InferenceError) -> ObjectDetector {
        try ObjectDetector(session: session, settings: ObjectDetector.Settings(tiles: tiles), densitySession: passDensity)
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
                    if let passDensity = model.passDensity {
                        logger.info("between its passes, the people pass's own density: \(passDensity.path) (SHA-256 checked)")
                    } else {
                        logger.warning("the people pass's own density off: \(model.passDensityOff ?? "not loaded"); dense zones are counted by the density model every densityEvery")
                    }
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
                // So is the detector with its head: without it the density model counts every dense pass.
                let passDensity: InferenceSession?, passDensityOff: String?
                do { (passDensity, passDensityOff) = (try InferenceSession.peopleDensity(), nil) } catch { (passDensity, passDensityOff) = (nil, "\(error)") }
                return .success(PeopleModel(session: session, density: density, passDensity: passDensity, passDensityOff: passDensityOff))
            } catch {
                return .success(PeopleModel(session: session, densityOff: "\(error)"))
            }
        } catch {
            return .failure(Unavailable(message: error.description))
        }
    }
}
