import Foundation
import Media
import Vision
import Vocabulary

/// Runs Retina's detectors over a labelled dataset and scores them: counting error on `counts.csv`
/// frames (after fitting only on `calibration.csv`), anomaly AUC and event detection on
/// `anomalies.csv`.
public struct Evaluator {
    public struct Options: Sendable {
        public var analysisWidth = 384
        /// The model to start from (generic parameters); a dataset's calibration frames refine it.
        public var prior: CrowdModel?
        public var priorName = "generic"
        /// Include every scored frame's truth and estimate in the report.
        public var perFrame = false
        /// Time constant (seconds) of the smoothing of crowd features, as the live detector does.
        public var smoothingSeconds = 1.0
        /// Weight of the prior in the calibration fit, in labelled frames.
        public var fitStrength = 3.0
        /// Skip the fit even when the dataset has calibration frames.
        public var useCalibration = true
        public var anomaly = MotionAnomalyDetector.Parameters()
        /// Where to write per-frame features and scores (CSV), for inspection.
        public var featuresOut: String?
        /// H.264 deblocking while decoding the video (`keyframes`: what an overloaded camera sees).
        public var deblock = DeblockPolicy.always
        /// Called every `progressEvery` frames with (frames done, frames total if known).
        public var progress: (@Sendable (Int, Int?) -> Void)?
        /// A learned counter (people in a whole decoded picture at a stream time, and its inference
        /// seconds): when set, it counts the scored frames instead of the classical model (no fit,
        /// no warm-up). It may learn from the frames it is given, in order, as a camera's passes.
        public var learnedCounter: VideoCounter?
        public var learnedCounterName = "learned"
        /// Which frames the learned counter counts (default: the scored ones, `counts.csv`).
        public var learnedFrames: (@Sendable (Int) -> Bool)?
        /// The learned counter also looks at a frame every this many seconds of video, as a
        /// camera's detection passes do (what it learns from them, it counts the scored frames with).
        public var learnedPassSeconds: Double?
        public init() {}
    }

    public typealias VideoCounter = @Sendable (DecodedPicture, _ streamTime: Double) throws -> (count: Double, inferenceSeconds: Double)

    public let dataset: Dataset
    public let options: Options

    public init(dataset: Dataset, options: Options) {
        self.dataset = dataset
        self.options = options
    }

    /// One pass over the video, then the crowd fit (calibration frames only) and the scores.
    public func evaluate() throws(EvaluationError) -> EvaluationReport {
        let pass = try pass()
        var report = EvaluationReport(dataset: dataset.name, crowd: nil, anomaly: nil, fps: pass.fps,
                                      detectorMsPerFrame: pass.detectorMillis, analysisSize: pass.analysisSize)
        if !dataset.counts.isEmpty, options.learnedCounter != nil {
            let estimates = (0..<pass.frames).map { pass.learned[$0] ?? .nan }
            report.crowd = Scoring.crowd(truth: dataset.counts, estimates: estimates, model: options.learnedCounterName, perFrame: options.perFrame)
            report.learnedMsPerInference = pass.learnedSeconds / Double(max(1, pass.learned.count)) * 1000
        } else if !dataset.counts.isEmpty, let prior = options.prior {
            var model = prior
            var modelName = options.priorName
            let calibration = dataset.calibration.filter { $0.frame < pass.frames && pass.warm[$0.frame] }
            if options.useCalibration && !calibration.isEmpty {
                model = CrowdModel.fit(samples: calibration.map { (pass.smoothed[$0.frame], $0.count) },
                                       featureNames: prior.features, prior: prior, strength: options.fitStrength,
                                       description: "fitted on \(dataset.name)/calibration.csv")
                modelName = "fitted on calibration.csv (\(calibration.count) frames), prior \(options.priorName)"
            }
            let estimates = zip(pass.smoothed, pass.warm).map { $1 ? model.count($0) : Double.nan }
            report.crowd = Scoring.crowd(truth: dataset.counts, estimates: estimates, model: modelName, perFrame: options.perFrame)
        }
        if let labels = dataset.anomalies {
            report.anomaly = Scoring.anomaly(labels: labels, scores: pass.anomalyScores, events: pass.events, fps: pass.videoFps)
        }
        return report
    }

    /// The calibration frames' smoothed features and labels (`retina calibrate`).
    public func calibrationSamples() throws(EvaluationError) -> [(features: CrowdFeatures, count: Double, name: String)] {
        guard !dataset.calibration.isEmpty else {
            throw .dataset(dataset.directory, "has no calibration.csv: label a handful of frames (frame,count) to fit on")
        }
        let pass = try pass()
        let calibration = dataset.calibration.filter { $0.frame < pass.frames && pass.warm[$0.frame] }
        guard !calibration.isEmpty else {
            throw .dataset(dataset.directory, "calibration.csv names no frame after the warm-up (\(SceneModel.Parameters().background.warmupSeconds) s) within the video's \(pass.frames) frames")
        }
        return calibration.map { (pass.smoothed[$0.frame], $0.count, "\(dataset.name):\($0.frame)") }
    }

    /// Crowd features of frames counted by the learned counter instead of by hand (`retina calibrate
    /// --from-detections`): every `every`th frame after the warm-up, the labelled ones (calibration.csv,
    /// counts.csv) left out, each with the learned count as its label. No label of the dataset is read.
    public func pseudoLabelledSamples(every: Int) throws(EvaluationError) -> [(features: CrowdFeatures, count: Double, name: String)] {
        guard options.learnedCounter != nil else { throw .dataset(dataset.directory, "counting frames without labels needs the learned counter") }
        let labelled = Set(dataset.counts.map(\.frame) + dataset.calibration.map(\.frame))
        var options = options
        options.learnedFrames = { $0 % max(1, every) == 0 && !labelled.contains($0) }
        let pass = try Evaluator(dataset: dataset, options: options).pass()
        let samples = pass.learned.keys.sorted().filter { $0 < pass.frames && pass.warm[$0] }
            .map { (pass.smoothed[$0], pass.learned[$0]!, "\(dataset.name):\($0) (learned count)") }
        guard !samples.isEmpty else { throw .dataset(dataset.directory, "no frame after the warm-up to count (the video has \(pass.frames) frames)") }
        return samples
    }

    /// Per-frame measurements of one pass over the video.
    public struct Pass: Sendable {
        /// Whether the background was learned at each frame; the crowd detector reports no count before.
        public var warm: [Bool] = []
        /// Features smoothed over time as the live detector smooths them.
        public var smoothed: [CrowdFeatures] = []
        public var videoFps = 25.0
        public var analysisSize = ""
        public var anomalyScores: [Double] = []
        public var events: [AnomalyEventSpan] = []
        public var fps = 0.0
        /// Mean detector time per frame (crowd features + motion anomaly), excluding decoding.
        public var detectorMillis = 0.0
        public var frames: Int { smoothed.count }
        /// The learned counter's count at each scored frame, and its total inference time.
        public var learned: [Int: Double] = [:]
        public var learnedSeconds = 0.0
        public var learnedError: String?
    }

    /// Decodes the video once and runs the detectors on every frame.
    public func pass() throws(EvaluationError) -> Pass {
        let scene = SceneModel(perspective: dataset.perspective)
        let zoneAll = dataset.zones.first { $0.id == "all" } ?? dataset.zones[0]
        var mask: ZoneMask?
        let anomaly = MotionAnomalyDetector(scene: scene, zones: dataset.zones, parameters: options.anomaly)
        var result = Pass()
        var tracker = AnomalySpanTracker()
        var detectorNanos: UInt64 = 0
        var smoother = FeatureSmoother(seconds: options.smoothingSeconds)
        var firstTime: Double?, lastTime = 0.0
        let started = DispatchTime.now().uptimeNanoseconds
        let scored = Set(dataset.counts.map(\.frame))
        let counted = options.learnedFrames ?? { scored.contains($0) }
        var nextPass = -Double.infinity
        try VideoFrames.forEach(dataset.video, width: options.analysisWidth, deblock: options.deblock) { index, frame, picture in
            var passDue = false
            if let every = options.learnedPassSeconds, frame.streamTime >= nextPass - 1e-6 {
                passDue = true
                // On the beat from the first frame; after a jump in the stream, half a beat on.
                nextPass = nextPass.isFinite ? max(nextPass + every, frame.streamTime + every / 2) : frame.streamTime + every
            }
            if let counter = options.learnedCounter, counted(index) || passDue, result.learnedError == nil {
                if let picture {
                    do {
                        let (count, seconds) = try counter(picture, frame.streamTime)
                        result.learned[index] = count
                        result.learnedSeconds += seconds
                    } catch { result.learnedError = "frame \(index): \(error)" }
                } else { result.learnedError = "frame \(index) has no decoded picture" }
            }
            let t0 = DispatchTime.now().uptimeNanoseconds
            scene.update(frame)
            if mask == nil || mask!.width != frame.image.width || mask!.height != frame.image.height {
                mask = ZoneMask(zone: zoneAll, sourceWidth: frame.sourceWidth, sourceHeight: frame.sourceHeight,
                                width: frame.image.width, height: frame.image.height)
            }
            let features = CrowdFeatures.measure(scene, masks: [mask!])[0]
            let detections = anomaly.analyse(frame)
            detectorNanos += DispatchTime.now().uptimeNanoseconds - t0
            result.warm.append(scene.background.isWarm)
            result.smoothed.append(smoother.add(features, at: frame.streamTime))
            if firstTime == nil { firstTime = frame.streamTime; result.analysisSize = "\(frame.image.width)x\(frame.image.height)" }
            lastTime = frame.streamTime
            result.anomalyScores.append(anomaly.lastScore)
            tracker.observe(frame: index, detections: detections)
            if let progress = options.progress, (index + 1) % 50 == 0 { progress(index + 1, nil) }
        }
        if let error = result.learnedError { throw .video("the learned counter failed on \(dataset.video), \(error)") }
        result.events = tracker.finish()
        if let firstTime, result.frames > 1, lastTime > firstTime { result.videoFps = Double(result.frames - 1) / (lastTime - firstTime) }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        result.fps = Double(result.frames) / max(seconds, 1e-9)
        result.detectorMillis = Double(detectorNanos) / Double(max(result.frames, 1)) / 1e6
        if let out = options.featuresOut { writeFeatures(result, to: out) }
        return result
    }

    private func writeFeatures(_ pass: Pass, to path: String) {
        var text = "frame," + CrowdFeatures.names.joined(separator: ",") + ",anomalyScore\n"
        for (i, f) in pass.smoothed.enumerated() {
            text += "\(i)," + f.values.map { String(format: "%.5f", $0) }.joined(separator: ",")
                + String(format: ",%.5f\n", pass.anomalyScores[i])
        }
        try? text.write(toFile: path, atomically: true, encoding: .utf8)
    }
}

/// An anomaly event as the evaluation sees it: frames from its first to its last detection.
public struct AnomalyEventSpan: Sendable, Equatable, Codable {
    public var startFrame: Int
    public var endFrame: Int
    public var kind: String
}

/// Groups per-frame anomaly detections into events the way the worker's episode policy does: a
/// detection of a kind opens an event, and it closes after `gapFrames` frames without one.
struct AnomalySpanTracker {
    var gapFrames = 10
    private var open: [String: AnomalyEventSpan] = [:]
    private var closed: [AnomalyEventSpan] = []

    mutating func observe(frame: Int, detections: [Detection]) {
        for (kind, span) in open where frame - span.endFrame > gapFrames {
            closed.append(span)
            open[kind] = nil
        }
        for d in detections where d.type == .motionAnomaly || d.type == .cameraTampered {
            let kind = d.kind
            if open[kind] != nil { open[kind]!.endFrame = frame } else { open[kind] = AnomalyEventSpan(startFrame: frame, endFrame: frame, kind: kind) }
        }
    }

    mutating func finish() -> [AnomalyEventSpan] {
        closed += open.values
        open = [:]
        return closed.sorted { ($0.startFrame, $0.kind) < ($1.startFrame, $1.kind) }
    }
}
