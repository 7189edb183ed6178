import Foundation
import Media
import Vision
import Vocabulary

/// What a clip evaluation runs on each frame: a camera's behaviour analysis, handed in so that
/// Evaluation knows no model. A class: it keeps the camera's state (its normal, its tracks).
public protocol ClipAnalyser: AnyObject {
    /// A new clip starts (normal or scored): nothing seen before it continues into it.
    func beginClip(normal: Bool) throws
    /// One frame of a normal clip (learned from) or a scored one: the frame's anomaly score and the
    /// keys of the events open on it (an event lasts from its first frame to its last).
    func analyse(_ frame: AnalysisFrame, picture: DecodedPicture?, normal: Bool) throws -> (score: Double, events: [String])
}

/// Scores an analyser on a clip dataset: every normal clip first (learned from), then the scored
/// clips in order, pooled as one sequence for the frame AUC, each labelled interval needing an
/// event within 1 s of its start, and every event outside the intervals a false alarm.
public struct ClipEvaluator: Sendable {
    public let dataset: ClipDataset
    public var analysisWidth = 384
    /// Called after each clip with (clips done, clips in all).
    public var progress: (@Sendable (Int, Int) -> Void)?
    /// Where to write every scored frame's score as CSV (clip,frame,score,abnormal), if anywhere.
    public var scoresOut: String?

    public init(dataset: ClipDataset) { self.dataset = dataset }

    public func evaluate(_ analyser: ClipAnalyser) throws(EvaluationError) -> EvaluationReport {
        let all = dataset.normal.count + dataset.clips.count
        var done = 0, frames = 0
        var analyseSeconds = 0.0
        let clock = ContinuousClock(), started = clock.now
        for clip in dataset.normal {
            analyseSeconds += try each(clip, analyser, normal: true) { _, _, _ in frames += 1 }
            done += 1
            progress?(done, all)
        }
        var scores: [Double] = [], labels: [Dataset.Anomaly] = [], spans: [String: AnomalyEventSpan] = [:]
        var rows = "clip,frame,score,abnormal\n"
        var fps = 10.0
        for clip in dataset.clips {
            let offset = scores.count
            labels += (dataset.anomalies[clip.name] ?? []).map { Dataset.Anomaly(startFrame: $0.startFrame + offset, endFrame: $0.endFrame + offset, kind: $0.kind) }
            analyseSeconds += try each(clip, analyser, normal: false) { index, result, rate in
                fps = rate
                scores.append(result.score)
                if scoresOut != nil {
                    let abnormal = (dataset.anomalies[clip.name] ?? []).contains { $0.startFrame <= index && index <= $0.endFrame }
                    rows += "\(clip.name),\(index),\(String(format: "%.4f", result.score)),\(abnormal ? 1 : 0)\n"
                }
                for key in result.events {
                    spans["\(clip.name)/\(key)", default: AnomalyEventSpan(startFrame: offset + index, endFrame: offset + index, kind: key)].endFrame = offset + index
                }
            }
            done += 1
            progress?(done, all)
        }
        frames += scores.count
        if let scoresOut {
            do { try rows.write(toFile: scoresOut, atomically: true, encoding: .utf8) } catch { throw .video("cannot write \(scoresOut): \(error.localizedDescription)") }
        }
        let events = spans.values.sorted { $0.startFrame < $1.startFrame }
        let wall = started.duration(to: clock.now)
        var report = EvaluationReport(dataset: dataset.name, crowd: nil, anomaly: nil,
                                      fps: Double(frames) / max(wall.inSeconds, 1e-6),
                                      detectorMsPerFrame: analyseSeconds * 1000 / Double(max(1, frames)), analysisSize: "\(analysisWidth) wide")
        report.anomaly = Scoring.anomaly(labels: labels, scores: scores, events: events, fps: fps)
        return report
    }

    /// Every frame of a clip through the analyser; `body` gets the frame's index in the clip, the
    /// result, and the clip's frame rate.
    /// Returns the seconds spent in the analyser.
    private func each(_ clip: ClipDataset.Clip, _ analyser: ClipAnalyser, normal: Bool,
                      _ body: (Int, (score: Double, events: [String]), Double) -> Void) throws(EvaluationError) -> Double {
        do { try analyser.beginClip(normal: normal) } catch { throw .video("\(clip.path): \(error)") }
        var failure: String?
        var first: Double?, count = 0, last = 0.0, seconds = 0.0
        let clock = ContinuousClock()
        try VideoFrames.forEach(clip.path, width: analysisWidth) { index, frame, picture in
            guard failure == nil else { return }
            do {
                let t0 = clock.now
                let result = try analyser.analyse(frame, picture: picture, normal: normal)
                seconds += t0.duration(to: clock.now).inSeconds
                if first == nil { first = frame.streamTime }
                last = frame.streamTime
                count += 1
                body(index, result, count > 1 ? Double(count - 1) / max(last - first!, 1e-6) : 10)
            } catch { failure = "\(clip.path) frame \(index): \(error)" }
        }
        if let failure { throw .video(failure) }
        return seconds
    }
}
