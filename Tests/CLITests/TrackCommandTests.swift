import Foundation
import RetinaTestSupport
import Testing

/// `retina track` on real footage (PETS 2009 in ../shared/data): the people a camera follows, with
/// the ids a behaviour relies on.
@Suite struct TrackCommandTests {
    static let video = (Fixtures.repositoryRoot as NSString).deletingLastPathComponent + "/shared/data/pets2009-s2l1/video.mp4"

    @Test(.disabled(if: !FileManager.default.fileExists(atPath: video), "needs ../shared/data/pets2009-s2l1/video.mp4 (run ../shared/data/get.sh)"))
    func aWalkerKeepsHisIdAcrossTwoSecondsAtTwoPassesASecond() throws {
        let run = try Fixtures.run(ProcessLifecycleTests.retina, ["track", Self.video, "--every", "5", "--frames", "30"])
        try #require(run.status == 0, "\(run.output)")
        // Output holds the log lines too (stderr): a track row is seven numbers.
        let rows = run.output.split(separator: "\n").map { $0.split(separator: ",").compactMap { Double($0) } }.filter { $0.count == 7 }
        #expect(run.output.contains("frame,id,x,y,w,h,score"))
        // Frame 0: the man in black on the right (centre x 662) walks left; 2.5 s later he is by the
        // lamp post's sign (centre x 421) while two others come in on the right (looked at on the frames).
        func nearest(_ frame: Double, _ x: Double) -> [Double]? {
            rows.filter { $0[0] == frame }.min { abs($0[2] + $0[4] / 2 - x) < abs($1[2] + $1[4] / 2 - x) }
        }
        let first = try #require(nearest(0, 662))
        let later = try #require(nearest(25, 421))
        #expect(abs(first[2] + first[4] / 2 - 662) < 20, "\(first)")
        #expect(abs(later[2] + later[4] / 2 - 421) < 20, "\(later)")
        #expect(first[1] == later[1], "the same id 2.5 s later: \(first) \(later)")
        let newcomer = try #require(nearest(25, 709))
        #expect(newcomer[1] != first[1])
        #expect(Set(rows.filter { $0[0] == 0 }.map { $0[1] }).count >= 3, "three people or more followed at once")
        #expect(rows.allSatisfy { Int($0[0]) % 5 == 0 && $0[0] < 30 })
    }

    /// The ids `retina track` gives the man in black (centre x 662 on frame 0, walking left about
    /// 10 px a frame; looked at on the frames) on frames 0, 10 and 20, at one pass a second with
    /// the flow of every 2nd frame read, and `extra` arguments.
    static func manInBlack(_ extra: [String] = []) throws -> [Double] {
        let run = try Fixtures.run(ProcessLifecycleTests.retina, ["track", video, "--every", "10", "--flow-every", "2", "--frames", "40"] + extra)
        try #require(run.status == 0, "\(run.output)")
        let rows = run.output.split(separator: "\n").map { $0.split(separator: ",").compactMap { Double($0) } }.filter { $0.count == 7 }
        return [0.0, 10, 20].compactMap { frame in
            rows.filter { $0[0] == frame && abs($0[2] + $0[4] / 2 - (662 - 10 * frame)) < 30 }.first?[1]
        }
    }

    @Test(.disabled(if: !FileManager.default.fileExists(atPath: video), "needs ../shared/data/pets2009-s2l1/video.mp4 (run ../shared/data/get.sh)"))
    func theFlowFollowsTheSamePeopleAtOnePassASecond() throws {
        // One id through 2 s.
        let ids = try Self.manInBlack()
        #expect(ids.count == 3 && Set(ids).count == 1, "\(ids)")
    }

    @Test func theFlowIsMeasuredAtLeastAsOftenAsTheDetectorLooks() throws {
        let run = try Fixtures.run(ProcessLifecycleTests.retina, ["track", "/nonexistent/cam.mp4", "--every", "2", "--flow-every", "5"])
        #expect(run.status != 0)
        #expect(run.output.contains("--flow-every must be 1 to --every (2)"), "\(run.output)")
    }

    @Test(.disabled(if: !FileManager.default.fileExists(atPath: video), "needs ../shared/data/pets2009-s2l1/video.mp4 (run ../shared/data/get.sh)"))
    func lookingCloserStillFollowsTheManInBlack() throws {
        let ids = try Self.manInBlack(["--look-closer"])
        #expect(ids.count == 3 && Set(ids).count == 1, "\(ids)")
    }

    @Test func lookingCloserNeedsTheFlow() throws {
        let run = try Fixtures.run(ProcessLifecycleTests.retina, ["track", "/nonexistent/cam.mp4", "--every", "10", "--look-closer"])
        #expect(run.status != 0)
        #expect(run.output.contains("--look-closer needs --flow-every"), "\(run.output)")
    }

    @Test func aVideoThatIsNotThereIsRefused() throws {
        let run = try Fixtures.run(ProcessLifecycleTests.retina, ["track", "/nonexistent/cam.mp4"])
        #expect(run.status != 0)
        #expect(run.output.contains("cannot read /nonexistent/cam.mp4"), "\(run.output)")
    }
}
