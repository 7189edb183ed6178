import Evaluation
import Falls
import Foundation
import Media
import Perception
import Vision
import Worker

/// `retina eval` on a fall dataset (clips + labels.csv, GMDCSA24's layout): the person followed
/// by pose from frame to frame (`PoseFollower`), the posture series scored by `FallWatch`.
final class PoseFallAnalyser: FallAnalyser {
    let follower: PoseFollower

    init(follower: PoseFollower) { self.follower = follower }

    static func load(threads: Int) async throws -> PoseFallAnalyser {
        let (detector, pose) = try await runOnThread { () throws in
            // People lying down score low with a detector trained mostly on people standing.
            // The square input, as home cameras use (PeopleModel.homeDetector).
            (try ObjectDetector.yoloxNano(threads: threads, settings: ObjectDetector.Settings(scoreThreshold: 0.25, fitInput: false)),
             try PoseEstimator.shipped(threads: threads))
        }
        return PoseFallAnalyser(follower: PoseFollower(detector: detector, estimator: pose))
    }

    func beginClip() throws { follower.reset() }

    func posture(_ frame: AnalysisFrame, picture: DecodedPicture?) throws -> PostureSample? {
        guard let picture, let pose = try follower.follow(picture) else { return nil }
        return PostureSample(pose, at: frame.streamTime)
    }
}

struct FallEval {
    var directory: String
    var threads: Int
    var rate: Double
    var settings: FallWatch.Settings
    var leaveOneSubjectOut: Bool
    /// Writes every looked-at frame's posture as CSV (clip,time,lean,hipX,hipY,scale; empty when nobody).
    var featuresOut: String?
    /// A CSV of clip,landed_s: each alarm is also timed from its fall's landing.
    var landings: String?

    func run() async throws -> EvaluationReport {
        FFmpegLog.set(.quiet)
        let dataset: FallDataset
        do { dataset = try FallDataset.load(directory) } catch { throw CLIError(error) }
        // Read before the long pass: a bad file is refused at once.
        var landed: [String: Double] = [:]
        if let landings { do { landed = try dataset.landings(from: landings) } catch { throw CLIError(error) } }
        let analyser = try await PoseFallAnalyser.load(threads: threads)
        var configured = FallEvaluator(dataset: dataset)
        configured.rate = rate
        let progress = ClipProgress()
        configured.progress = progress.report
        let evaluator = configured
        defer { progress.clear() }
        // Decoding and inference block: the whole pass runs on a thread of its own.
        let box = UncheckedSendable(analyser)
        let clock = ContinuousClock(), started = clock.now
        let (series, frames, ms) = try await runOnThread { () throws in try evaluator.postures(box.value) }
        let wall = started.duration(to: clock.now).inSeconds
        if let featuresOut {
            var text = "clip,time,lean,hipX,hipY,scale\n"
            for clip in dataset.clips {
                for (t, p) in series[clip.name] ?? [] {
                    text += "\(clip.name)," + String(format: "%.3f", t)
                        + (p.map { String(format: ",%.1f,%.1f,%.1f,%.1f", $0.lean, $0.hipX, $0.hipY, $0.scale) } ?? ",,,,") + "\n"
                }
            }
            do { try text.write(toFile: featuresOut, atomically: true, encoding: .utf8) } catch { throw CLIError("cannot write \(featuresOut): \(error)") }
        }
        let falls = (leaveOneSubjectOut
            ? evaluator.leaveOneSubjectOut(series, frames: frames, msPerFrame: ms)
            : evaluator.score(series, settings: { _ in settings }, protocolName: "fixed", frames: frames, msPerFrame: ms)).landed(landed)
        return .falls(falls, dataset: (directory as NSString).lastPathComponent, fps: Double(frames) / max(wall, 1e-6))
    }
}
