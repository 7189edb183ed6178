import Evaluation
import Falls
import Foundation
import RetinaTestSupport
import Testing

/// A fall dataset's alarms timed from when each body lands (`--landings`): the labels read and
/// refused clearly, and the delay after landing given for detected falls only.
@Suite struct FallLandingTests {
    /// A dataset of one fall (onset 1.0 s) and one daily activity; the clips are empty files (only
    /// their names are read here).
    static func dataset() throws -> FallDataset {
        let dir = Fixtures.temporaryDirectory("retina-fall-landing")
        try FileManager.default.createDirectory(atPath: dir + "/S1", withIntermediateDirectories: true)
        for clip in ["S1/fall.mp4", "S1/adl.mp4"] { FileManager.default.createFile(atPath: dir + "/" + clip, contents: Data()) }
        try "clip,label,fall_type,fall_start_s\nS1/fall.mp4,fall,BW,1.0\nS1/adl.mp4,adl,,\n"
            .write(toFile: dir + "/labels.csv", atomically: true, encoding: .utf8)
        return try FallDataset.load(dir)
    }

    static func landings(_ text: String) throws -> [String: Double] {
        let file = Fixtures.temporaryDirectory("retina-fall-landed") + "/landed.csv"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return try dataset().landings(from: file)
    }

    @Test func landingsAreReadAndBadOnesRefusedWithTheirLine() throws {
        #expect(try Self.landings("clip,landed_s\nS1/fall.mp4,1.8\n") == ["S1/fall.mp4": 1.8])
        #expect(throws: EvaluationError.self) { try Self.landings("clip,when\nS1/fall.mp4,1.8\n") }
        do {
            _ = try Self.landings("clip,landed_s\nS1/adl.mp4,1.8\n")
            Issue.record("a daily-activity clip was taken")
        } catch { #expect("\(error)".contains("line 2: 'S1/adl.mp4' is not a fall clip"), "\(error)") }
        do {
            _ = try Self.landings("clip,landed_s\nS1/fall.mp4,0.5\n")
            Issue.record("a landing before the onset was taken")
        } catch { #expect("\(error)".contains("at or after the fall's onset"), "\(error)") }
    }

    @Test func aDetectedFallIsTimedFromItsLandingAndAFalseAlarmIsNot() throws {
        let dataset = try Self.dataset()
        // Standing until 1.0 s, flat on the floor (hips 0.8 of the body lower) from 1.6 s, 5 looks a second.
        let fall: FallEvaluator.Series = (0..<25).map { i in
            let t = Double(i) * 0.2
            let down = t >= 1.6
            return (t, PostureSample(time: t, lean: down ? 85 : 5, hipY: down ? 320 : 200, scale: 150))
        }
        let report = FallEvaluator(dataset: dataset)
            .score(["S1/fall.mp4": fall, "S1/adl.mp4": fall], settings: { _ in FallWatch.Settings() }, protocolName: "fixed", frames: 25, msPerFrame: 1)
            .landed(["S1/fall.mp4": 1.7, "S1/adl.mp4": 1.0])
        let clip = try #require(report.perClip.first { $0.clip == "S1/fall.mp4" })
        let alarm = try #require(clip.alarmSeconds)
        #expect(clip.outcome == "detected" && clip.landedSeconds == 1.7)
        #expect(clip.afterLandingSeconds.map { abs($0 - (alarm - 1.7)) < 0.011 } == true, "\(clip)")
        // An alarm that is no detected fall (here a false alarm on the daily activity) is not timed,
        // whatever landing it is given.
        let wrong = try #require(report.perClip.first { $0.clip == "S1/adl.mp4" })
        #expect(wrong.outcome == "false alarm" && wrong.alarmSeconds != nil)
        #expect(wrong.landedSeconds == 1.0 && wrong.afterLandingSeconds == nil, "\(wrong)")
    }
}
