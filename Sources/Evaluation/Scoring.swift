import Foundation
import Vision

/// The numbers `retina eval --json` prints, in the shape the issue tracker's tooling expects.
public struct EvaluationReport: Sendable, Codable {
    public struct Crowd: Sendable, Codable {
        public var mae: Double
        public var rmse: Double
        /// Mean absolute percentage error, in percent.
        public var mape: Double
        public var frames: Int
        /// Labelled frames inside the detector's warm-up (background still being learned): no count is
        /// reported there, so they are not scored.
        public var warmupFrames: Int
        /// Where the model came from: "calibration.csv (N frames)" or the generic model's file.
        public var model: String
        public var perFrame: [FrameCount]?
    }
    public struct FrameCount: Sendable, Codable {
        public var frame: Int
        public var truth: Double
        public var estimate: Double
        /// A still dataset's picture (`frame` is then its place in counts.csv).
        public var image: String?
        public init(frame: Int, truth: Double, estimate: Double, image: String? = nil) {
            self.frame = frame
            self.truth = truth
            self.estimate = estimate
            self.image = image
        }
    }
    public struct Anomaly: Sendable, Codable {
        /// Frame-level ROC AUC of the per-frame score; nil when every frame is normal (AUC undefined).
        public var auc: Double?
        public var detected: Int
        public var missed: Int
        public var falseAlarms: Int
        public var events: [AnomalyEventSpan]
        /// Seconds from each labelled interval's first frame to the first event on it (detected ones).
        public var latencySeconds: [Double]
    }
    public var dataset: String
    public var crowd: Crowd?
    public var anomaly: Anomaly?
    /// Frames decoded and analysed per second of wall time.
    public var fps: Double
    /// Detector time per analysis frame (crowd features + motion anomaly), milliseconds.
    public var detectorMsPerFrame: Double
    public var analysisSize: String
    /// A learned counter's ONNX Runtime time per counted frame (both models when fused), milliseconds.
    public var learnedMsPerInference: Double?
    /// Clip datasets: time per frame in the tracker and the behaviours on its tracks (inside
    /// `detectorMsPerFrame`, which also holds the detector), milliseconds.
    public var trackingMsPerFrame: Double?
    /// Clip datasets: the optical flow that measures the tracks' speed (a camera's flow detector, which a worker runs anyway).
    public var flowMsPerFrame: Double?
    /// Clip datasets: the frames whose people pass also looked closer where the picture moved and
    /// nobody was followed (one more inference each), and the frames analysed.
    public var closerLookFrames: Int?
    public var trackedFrames: Int?
    /// Clip datasets at a camera's pass rate (`--passes`): the frames that had a people pass, and of
    /// those the follow-ups on a vehicle or runners left undecided.
    public var peoplePasses: Int?
    public var followUpPasses: Int?
    /// Fall datasets: falls detected, missed and false alarms, per clip.
    public var falls: FallReport?
}

public enum Scoring {
    public static func crowd(truth: [Dataset.Count], estimates: [Double], model: String, perFrame: Bool) -> EvaluationReport.Crowd? {
        let inVideo = truth.filter { $0.frame < estimates.count }
        let pairs = inVideo.filter { !estimates[$0.frame].isNaN }.map { ($0, estimates[$0.frame]) }
        guard !pairs.isEmpty else { return nil }
        let errors = pairs.map { $0.1 - $0.0.count }
        let n = Double(pairs.count)
        let mae = errors.reduce(0) { $0 + abs($1) } / n
        let rmse = (errors.reduce(0) { $0 + $1 * $1 } / n).squareRoot()
        let relative = pairs.filter { $0.0.count > 0 }.map { abs($0.1 - $0.0.count) / $0.0.count }
        let mape = relative.isEmpty ? 0 : relative.reduce(0, +) / Double(relative.count) * 100
        return .init(mae: mae, rmse: rmse, mape: mape, frames: pairs.count, warmupFrames: inVideo.count - pairs.count, model: model,
                     perFrame: perFrame ? pairs.map { .init(frame: $0.0.frame, truth: $0.0.count, estimate: $0.1) } : nil)
    }

    /// - Parameter fps: the video's frame rate, for "detected within 1 s of onset".
    public static func anomaly(labels: [Dataset.Anomaly], scores: [Double], events: [AnomalyEventSpan], fps: Double) -> EvaluationReport.Anomaly {
        let isAbnormal = (0..<scores.count).map { f in labels.contains { f >= $0.startFrame && f <= $0.endFrame } }
        let auc = rocAUC(scores: scores, labels: isAbnormal)
        var detected = 0, latencies: [Double] = []
        for label in labels {
            let onTime = events.filter { $0.startFrame <= label.endFrame && $0.endFrame >= label.startFrame
                && $0.startFrame <= label.startFrame + Int(fps.rounded()) }
            if let first = onTime.map(\.startFrame).min() {
                detected += 1
                latencies.append(Double(max(0, first - label.startFrame)) / fps)
            }
        }
        let falseAlarms = events.filter { e in !labels.contains { e.startFrame <= $0.endFrame && e.endFrame >= $0.startFrame } }.count
        return .init(auc: auc, detected: detected, missed: labels.count - detected, falseAlarms: falseAlarms,
                     events: events, latencySeconds: latencies)
    }

    /// ROC AUC by the Mann–Whitney rank formula (ties share their mean rank); nil without both classes.
    public static func rocAUC(scores: [Double], labels: [Bool]) -> Double? {
        let positives = labels.filter { $0 }.count, negatives = labels.count - positives
        guard positives > 0, negatives > 0 else { return nil }
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var ranks = [Double](repeating: 0, count: scores.count)
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && scores[order[j + 1]] == scores[order[i]] { j += 1 }
            let rank = Double(i + j) / 2 + 1
            for k in i...j { ranks[order[k]] = rank }
            i = j + 1
        }
        let positiveRanks = zip(ranks, labels).filter { $0.1 }.reduce(0) { $0 + $1.0 }
        let p = Double(positives), n = Double(negatives)
        return (positiveRanks - p * (p + 1) / 2) / (p * n)
    }
}
