import Synchronization
import Evaluation
import Foundation
import Media
import RetinaTestSupport
import Testing
import Vision

/// A clip dataset: its layout read and refused clearly, normal clips learned from and never scored,
/// scored clips pooled in order with their intervals moved along, and events as spans.
@Suite struct ClipEvaluationTests {
    /// Frames a scripted analyser saw, and what it answers: frames 3–6 of clip `b` are abnormal, and
    /// it opens an event on frames 4–6 (0.1 s late at 10 fps).
    final class Scripted: ClipAnalyser {
        var normalFrames = 0, clips: [Bool] = [], current = -1
        func beginClip(normal: Bool) throws { clips.append(normal); current = -1 }
        func analyse(_ frame: AnalysisFrame, picture: DecodedPicture?, normal: Bool) throws -> (score: Double, events: [String]) {
            current += 1
            if normal { normalFrames += 1; return (0, []) }
            let inB = clips.filter { !$0 }.count == 2
            return (inB && (3...6).contains(current) ? 1 : 0, inB && (4...6).contains(current) ? ["x"] : [])
        }
    }

    static func dataset() throws -> String {
        let dir = Fixtures.temporaryDirectory("retina-clips")
        for folder in ["normal", "clips"] { try FileManager.default.createDirectory(atPath: dir + "/" + folder, withIntermediateDirectories: true) }
        try Fixtures.makeClip(dir + "/normal/n1.mp4", seconds: 1, fps: 10, width: 160, height: 120)
        try Fixtures.makeClip(dir + "/clips/a.mp4", seconds: 1, fps: 10, width: 160, height: 120)
        try Fixtures.makeClip(dir + "/clips/b.mp4", seconds: 1, fps: 10, width: 160, height: 120)
        try "clip,start_frame,end_frame,kind\nb,3,6,vehicle\n".write(toFile: dir + "/anomalies.csv", atomically: true, encoding: .utf8)
        return dir
    }

    @Test func normalClipsAreLearnedFromAndScoredClipsPooledInOrder() throws {
        let dir = try Self.dataset()
        #expect(ClipDataset.isClipDataset(dir))
        let dataset = try ClipDataset.load(dir)
        #expect(dataset.normal.map(\.name) == ["n1"] && dataset.clips.map(\.name) == ["a", "b"])
        let analyser = Scripted()
        let report = try ClipEvaluator(dataset: dataset).evaluate(analyser)
        #expect(analyser.clips == [true, false, false] && analyser.normalFrames == 10)
        let anomaly = try #require(report.anomaly)
        #expect(anomaly.auc == 1)
        // Clip b starts at pooled frame 10: its event spans 14–16, 0.1 s after the interval's start.
        #expect(anomaly.events.map { [$0.startFrame, $0.endFrame] } == [[14, 16]] && anomaly.events[0].kind == "x")
        #expect(anomaly.detected == 1 && anomaly.missed == 0 && anomaly.falseAlarms == 0)
        #expect(anomaly.latencySeconds.count == 1 && abs(anomaly.latencySeconds[0] - 0.1) < 1e-6)
    }

    @Test func everyScoredFrameIsWrittenWithItsLabelWhenAsked() throws {
        let dir = try Self.dataset()
        var evaluator = ClipEvaluator(dataset: try ClipDataset.load(dir))
        evaluator.scoresOut = dir + "/scores.csv"
        _ = try evaluator.evaluate(Scripted())
        let lines = try String(contentsOfFile: dir + "/scores.csv", encoding: .utf8).split(separator: "\n")
        // The normal clip is not scored: a's 10 frames and b's 10, b's frames 3–6 abnormal and scored 1.
        #expect(lines.first == "clip,frame,score,abnormal" && lines.count == 21)
        #expect(lines.contains("b,3,1.0000,1") && lines.contains("b,6,1.0000,1") && lines.contains("b,7,0.0000,0") && lines.contains("a,3,0.0000,0"))
    }

    @Test func aBadLayoutIsRefusedWithWhatIsWrong() throws {
        let dir = try Self.dataset()
        try "clip,start_frame,end_frame,kind\nc,3,6,vehicle\n".write(toFile: dir + "/anomalies.csv", atomically: true, encoding: .utf8)
        #expect(throws: EvaluationError.self) { try ClipDataset.load(dir) }
        do { _ = try ClipDataset.load(dir) } catch { #expect(error.description.contains("no clip 'c' in clips/")) }
        try "clip,start_frame,end_frame,kind\nb,6,3,vehicle\n".write(toFile: dir + "/anomalies.csv", atomically: true, encoding: .utf8)
        do { _ = try ClipDataset.load(dir) } catch { #expect(error.description.contains("line 2: expected clip,start_frame,end_frame,kind with start ≤ end")) }
        try FileManager.default.removeItem(atPath: dir + "/anomalies.csv")
        do { _ = try ClipDataset.load(dir) } catch { #expect(error.description.contains("anomalies.csv: cannot be read")) }
        for clip in ["a", "b"] { try FileManager.default.removeItem(atPath: dir + "/clips/\(clip).mp4") }
        do { _ = try ClipDataset.load(dir) } catch { #expect(error.description.contains("holds no video")) }
    }
}

/// `retina calibrate --from-detections`: frames counted by the learned counter stand in for labels;
/// the labelled frames and the background's warm-up are left out.
@Suite struct PseudoLabelTests {
    @Test func everyNthUnlabelledWarmFrameIsCountedByTheLearnedCounter() throws {
        let dir = Fixtures.temporaryDirectory("retina-pseudo")
        try Fixtures.makeClip(dir + "/video.mp4", seconds: 6, fps: 10, width: 160, height: 120)
        try "zones:\n  - id: all\n    polygon: [[0,0],[160,0],[160,120],[0,120]]\n".write(toFile: dir + "/scene.yaml", atomically: true, encoding: .utf8)
        try "frame,count\n20,3\n30,4\n".write(toFile: dir + "/counts.csv", atomically: true, encoding: .utf8)
        let dataset = try Dataset.load(dir)
        var options = Evaluator.Options()
        #expect(throws: EvaluationError.self) { try Evaluator(dataset: dataset, options: options).pseudoLabelledSamples(every: 10) }
        options.learnedCounter = { _, _ in (7, 0.001) }
        let samples = try Evaluator(dataset: dataset, options: options).pseudoLabelledSamples(every: 10)
        // Frames 0, 10 fall in the 3 s warm-up, 20 and 30 are labelled: 40 and 50 are left.
        #expect(samples.map(\.name) == ["retina-pseudo:40 (learned count)", "retina-pseudo:50 (learned count)"].map { $0.replacingOccurrences(of: "retina-pseudo", with: dataset.name) })
        #expect(samples.allSatisfy { $0.count == 7 })
    }

    @Test func aVideoCounterSeesTheFramesInOrderAsACamerasPassesAndIsScoredOnTheLabelledOnes() throws {
        let dir = Fixtures.temporaryDirectory("retina-passes")
        try Fixtures.makeClip(dir + "/video.mp4", seconds: 6, fps: 10, width: 160, height: 120)
        try "zones:\n  - id: all\n    polygon: [[0,0],[160,0],[160,120],[0,120]]\n".write(toFile: dir + "/scene.yaml", atomically: true, encoding: .utf8)
        try "frame,count\n25,3\n45,5\n".write(toFile: dir + "/counts.csv", atomically: true, encoding: .utf8)
        let seen = Mutex<[Double]>([])
        var options = Evaluator.Options()
        options.learnedPassSeconds = 1
        // A counter that learns: it answers how many frames it has been given.
        options.learnedCounter = { _, time in (Double(seen.withLock { $0.append(time); return $0.count }), 0.001) }
        let report = try Evaluator(dataset: try Dataset.load(dir), options: options).evaluate()
        let times = seen.withLock { $0 }
        #expect(times.map { ($0 * 10).rounded() / 10 } == [0, 1, 2, 2.5, 3, 4, 4.5, 5], "\(times)")
        // Frame 25 was its 4th look, frame 45 its 7th: scored 3 → 4 and 5 → 7.
        #expect(report.crowd.map { abs($0.mae - 1.5) < 1e-9 } == true, "\(String(describing: report.crowd))")
    }
}
