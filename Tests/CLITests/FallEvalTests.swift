import Foundation
import RetinaTestSupport
import Testing

/// `retina eval` on real falls (GMDCSA24 in ../shared/data): one fall must raise its alarm after
/// the onset, one day of daily activity must not, through the whole chain (decoding, the person
/// followed by pose, the decision).
@Suite struct FallEvalTests {
    static let data = (Fixtures.repositoryRoot as NSString).deletingLastPathComponent + "/shared/data/falls-gmdcsa24"

    @Test(.disabled(if: !FileManager.default.fileExists(atPath: data + "/Subject_4/Fall/01.mp4"), "needs ../shared/data/falls-gmdcsa24 (GMDCSA24)"))
    func aRealFallRaisesAndDailyLifeDoesNot() throws {
        let dir = Fixtures.temporaryDirectory("retina-falls")
        for clip in ["Subject_4/Fall/01.mp4", "Subject_4/ADL/19.mp4"] {
            try FileManager.default.createDirectory(atPath: dir + "/" + (clip as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try? FileManager.default.removeItem(atPath: dir + "/" + clip)
            try FileManager.default.createSymbolicLink(atPath: dir + "/" + clip, withDestinationPath: Self.data + "/" + clip)
        }
        try "clip,label,fall_type,fall_start_s\nSubject_4/Fall/01.mp4,fall,SW,1.8\nSubject_4/ADL/19.mp4,adl,,\n"
            .write(toFile: dir + "/labels.csv", atomically: true, encoding: .utf8)
        let run = try Fixtures.run(ProcessLifecycleTests.retina, ["eval", "--json", dir])
        try #require(run.status == 0, "\(run.output)")
        let json = try #require(run.output.split(separator: "\n").last { $0.hasPrefix("{") })
        let report = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
        let falls = try #require(report["falls"] as? [String: Any])
        #expect(falls["detected"] as? Int == 1 && falls["missed"] as? Int == 0 && falls["falseAlarms"] as? Int == 0, "\(falls)")
        let delays = falls["delaysSeconds"] as? [Double] ?? []
        #expect(delays.count == 1 && delays[0] < 3, "\(delays)")
    }

    @Test func aBadFallLabelIsRefusedWithItsLine() throws {
        let dir = Fixtures.temporaryDirectory("retina-falls-bad")
        try "clip,label,fall_type,fall_start_s\nnone.mp4,tumble,,\n".write(toFile: dir + "/labels.csv", atomically: true, encoding: .utf8)
        let run = try Fixtures.run(ProcessLifecycleTests.retina, ["eval", dir])
        #expect(run.status != 0)
        #expect(run.output.contains("labels.csv: line 2: label must be fall or adl, not 'tumble'"), "\(run.output)")
    }

    @Test func tilesAreRefusedOnAFallDatasetNotIgnored() throws {
        let dir = Fixtures.temporaryDirectory("retina-falls-tiles")
        try "clip,label,fall_type,fall_start_s\nnone.mp4,adl,,\n".write(toFile: dir + "/labels.csv", atomically: true, encoding: .utf8)
        let run = try Fixtures.run(ProcessLifecycleTests.retina, ["eval", "--tiles", "2x2", dir])
        #expect(run.status != 0)
        #expect(run.output.contains("--tiles is for counting and clip datasets"), "\(run.output)")
    }
}
