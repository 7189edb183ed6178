import Behaviour
import Evaluation
import Foundation
import Media
import Perception
import Tracking
import Vision
import Vocabulary
import Worker

/// `retina eval` on a clip dataset (normal/ + clips/ + anomalies.csv, UCSD Ped2's layout): the
/// learned detector on every frame, its detections tracked, and the behaviours on the tracks; the
/// normal clips are learned from first. Behaviours on tracks: a vehicle among pedestrians, people
/// running, a person against the flow, a crowd scattering; every one raises its events, the frame
/// score is the one the dataset labels (`running`, `counter_flow` or `dispersal` when all its
/// intervals are that kind, else `vehicle`).
final class BehaviourClipAnalyser: ClipAnalyser {
    enum Scored { case vehicle, running, counterFlow, dispersal }
    let detector: ObjectDetector
    var scored = Scored.vehicle
    var behaviours = TrackedBehaviours()
    /// The flow detector a camera runs on every frame, whose flow carries the tracks; nil: boxes alone.
    private var motion: MotionAnomalyDetector?
    /// Time spent in the tracker and behaviours, in the flow, and the frames it was spent on (passes: those with a people pass).
    private(set) var trackingSeconds = 0.0
    private(set) var flowSeconds = 0.0
    private(set) var frames = 0
    /// Whether each pass also looks closer where the flow moves and no track explains it (`MotionFocus`), and how often it did.
    var lookCloser = false
    private(set) var focused = 0
    /// A camera's people passes (`perception.rate`, gate `always`) instead of one on every frame;
    /// between passes the flow carries the tracks and the last pass's score and events stand.
    var schedule: PerceptionSchedule?
    /// Whether a pass that left a vehicle or runners undecided is followed up (`perception.followUp`).
    var followUp = true
    private(set) var passes = 0, followUps = 0
    private var clipIndex = 0
    private var lastResult: (score: Double, events: [String]) = (0, [])

    init(detector: ObjectDetector, trackFlow: Bool = true) {
        self.detector = detector
        motion = trackFlow ? MotionAnomalyDetector(scene: SceneModel(perspective: nil)) : nil
    }

    static func load(threads: Int, tiles: TileSetting = .whole, trackFlow: Bool = true) async throws -> BehaviourClipAnalyser {
        BehaviourClipAnalyser(detector: try await trackingDetector(threads: threads, tiles: tiles), trackFlow: trackFlow)
    }

    /// The shipped detector with the tracker's low score threshold (ByteTrack keeps unsure
    /// detections), loaded on a thread of its own.
    static func trackingDetector(threads: Int, tiles: TileSetting = .whole) async throws -> ObjectDetector {
        let low = MultiObjectTracker.Settings().lowScore
        return try await runOnThread { () throws in
            try ObjectDetector.yoloxNano(threads: threads, settings: ObjectDetector.Settings(scoreThreshold: low, tiles: tiles))
        }
    }

    private var learned = false

    func beginClip(normal: Bool) throws {
        if !normal, !learned {
            learned = true
            let v = behaviours.vehicles
            let flow = behaviours.counterFlow
            FileHandle.standardError.write(Data(String(format: "learned from the normal clips: people walk at up to %.2f box heights/s (90th percentile of %d speeds); vehicles are %@; people walk one way in %d of %d cells (%.0f s of people moving)\n",
                                                      v.normalWalk, v.pace.learnedSpeeds, v.vehiclesAreNormal ? "normal here (no vehicle events)" : "not normal here",
                                                      flow.directedCells, flow.cells, flow.learnedSeconds).utf8))
        }
        behaviours.reset()
        clipIndex += 1  // the schedule's segment: a clip starts its passes afresh
        lastResult = (0, [])
        // A clip's first frame has no frame before it.
        if motion != nil { motion = MotionAnomalyDetector(scene: SceneModel(perspective: nil)) }
    }

    func analyse(_ frame: AnalysisFrame, picture: DecodedPicture?, normal: Bool) throws -> (score: Double, events: [String]) {
        guard let picture else { return (0, []) }
        frames += 1
        let clock = ContinuousClock()
        // The flow detector's own events are not scored here; its flow is what a camera has.
        if let motion {
            let flowStarted = clock.now
            _ = motion.analyse(frame)
            flowSeconds += flowStarted.duration(to: clock.now).inSeconds
        }
        var started = clock.now
        if let flow = motion?.lastFlow { behaviours.carry(flow) }
        var followingUp = false
        if var schedule {
            let asked = schedule.ask(segment: clipIndex, time: frame.streamTime, changedFraction: 1, allows: { [followUp] _ in followUp })
            followingUp = asked.kind == .followUp
            guard asked.isDue else {
                trackingSeconds += started.duration(to: clock.now).inSeconds
                return lastResult
            }
            schedule.ran(segment: clipIndex, time: frame.streamTime)
            self.schedule = schedule
        }
        passes += 1
        if followingUp { followUps += 1 }
        var focus: Box?
        if let flow = motion?.lastFlow {
            if lookCloser {
                focus = behaviours.focus(flow)
                if focus != nil { focused += 1 }
            }
        }
        trackingSeconds += started.duration(to: clock.now).inSeconds
        let detections = try detector.detect(picture, focus: focus).forTracking
        started = clock.now
        let outcome = behaviours.pass(detections, at: frame.streamTime, width: picture.width, height: picture.height, learning: normal)
        trackingSeconds += started.duration(to: clock.now).inSeconds
        if followUp, outcome.undecided {
            schedule?.followUp(segment: clipIndex, after: frame.streamTime)
        }
        lastResult = (0, [])
        guard let seen = outcome.vehicles, let running = outcome.running, let against = outcome.counterFlow,
              let scattering = outcome.dispersal else { return (0, []) }
        let events = seen.active.map { "vehicle#\($0.id)" } + (running.runners.isEmpty ? [] : ["running"])
            + against.opened.map { "counter_flow#\($0.id)" } + (scattering.opened.isEmpty ? [] : ["dispersal"])
        switch scored {
        case .vehicle: lastResult = (seen.score, events)
        case .running: lastResult = (running.score, events)
        case .counterFlow: lastResult = (against.score, events)
        case .dispersal: lastResult = (scattering.score, events)
        }
        return lastResult
    }
}

struct ClipEval {
    var directory: String
    var threads: Int
    var tiles: TileSetting = .whole
    var scoresOut: String?
    var trackFlow = true
    /// Each pass also looks closer where the picture moves and nobody is followed (needs `trackFlow`).
    var lookCloser = true
    /// People passes a second as a camera makes them (nil: every frame), and whether undecided ones are followed up.
    var passes: Double?
    var followUp = true

    func run() async throws -> EvaluationReport {
        FFmpegLog.set(.quiet)
        let dataset: ClipDataset
        do { dataset = try ClipDataset.load(directory) } catch { throw CLIError(error) }
        let analyser = try await BehaviourClipAnalyser.load(threads: threads, tiles: tiles, trackFlow: trackFlow)
        analyser.lookCloser = lookCloser
        analyser.schedule = passes.map { PerceptionSchedule(rate: $0, gate: .always) }
        analyser.followUp = followUp
        let kinds = Set(dataset.anomalies.values.flatMap { $0.map(\.kind) })
        switch kinds {
        case [EventSubtype.running.rawValue]: analyser.scored = .running
        case [EventSubtype.counterFlow.rawValue]: analyser.scored = .counterFlow
        case [EventSubtype.dispersal.rawValue]: analyser.scored = .dispersal
        default: analyser.scored = .vehicle
        }
        var configured = ClipEvaluator(dataset: dataset)
        configured.scoresOut = scoresOut
        let progress = ClipProgress()
        configured.progress = progress.report
        let evaluator = configured
        defer { progress.clear() }
        // Decoding and inference block: the whole pass runs on a thread of its own.
        let box = UncheckedSendable(analyser)
        var report = try await runOnThread { () throws in try evaluator.evaluate(box.value) }
        report.trackingMsPerFrame = analyser.trackingSeconds * 1000 / Double(max(1, analyser.frames))
        report.trackedFrames = analyser.frames
        if lookCloser { report.closerLookFrames = analyser.focused }
        if passes != nil { (report.peoplePasses, report.followUpPasses) = (analyser.passes, followUp ? analyser.followUps : nil) }
        if trackFlow { report.flowMsPerFrame = analyser.flowSeconds * 1000 / Double(max(1, analyser.frames)) }
        return report
    }
}

/// "clips: N/M" on the terminal while an evaluation runs, cleared after (nothing when stderr is not one).
struct ClipProgress: Sendable {
    let shown = isatty(2) != 0

    var report: @Sendable (Int, Int) -> Void {
        let shown = shown
        return { done, total in
            if shown { FileHandle.standardError.write(Data("\rclips: \(done)/\(total)".utf8)) }
        }
    }

    func clear() {
        if shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}

/// An analyser is used by one thread at a time: the evaluation's, after it is built here.
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
