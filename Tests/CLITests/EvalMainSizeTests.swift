import Foundation
import RetinaTestSupport
import Testing

/// `retina eval --main-size` (counting a video as a camera's substream), `--no-pass-density`, `--no-track-flow`, `--no-look-closer` and `--passes`.
/// Misuse is refused, never ignored.
@Suite struct EvalMainSizeTests {
    @Test(arguments: [
        (["--counter", "detector", "--main-size", "1280x720"], "--main-size is for counting a video (a camera's substream) with --counter density or fused"),
        (["--main-size", "1280x720"], "--main-size is for counting a video (a camera's substream) with --counter density or fused"),
        (["--counter", "density", "--main-size", "1280by720"], "The value '1280by720' is invalid for '--main-size <WxH>'"),
        // The density model's cadence is the fused counter's on a video: elsewhere it would be ignored.
        (["--counter", "density", "--no-pass-density"], "--no-pass-density is for counting a video with --counter fused"),
        (["--no-pass-density"], "--no-pass-density is for counting a video with --counter fused"),
        // The tracks' flow is a clip dataset's: on a counting video it would be ignored.
        (["--no-track-flow"], "--no-track-flow is for clip datasets (behaviours on tracks)"),
        (["--no-look-closer"], "--no-look-closer is for clip datasets (behaviours on tracks)"),
        (["--passes", "1"], "--passes and --no-follow-up are for clip datasets (behaviours on tracks)"),
        (["--passes", "0"], "--passes must be 0.05 to 30.0 a second, not 0.0"),
    ])
    func misuseIsRefused(arguments: [String], message: String) throws {
        try Self.refused(arguments, message)
    }

    /// A clip dataset (its folders only: the refusal comes before anything is read).
    @Test func noFollowUpNeedsPasses() throws {
        let dir = Fixtures.temporaryDirectory("retina-eval-passes")
        try FileManager.default.createDirectory(atPath: dir + "/clips", withIntermediateDirectories: true)
        try "clip,start_frame,end_frame,kind\n".write(toFile: dir + "/anomalies.csv", atomically: true, encoding: .utf8)
        let run = try Fixtures.run(ProcessLifecycleTests.retina, ["eval", "--no-follow-up", dir])
        #expect(run.status != 0)
        #expect(run.output.contains("--no-follow-up needs --passes"), "\(run.output)")
    }

    static func refused(_ arguments: [String], _ message: String) throws {
        let dir = Fixtures.temporaryDirectory("retina-eval-main-size")
        try "frame,count\n0,3\n".write(toFile: dir + "/counts.csv", atomically: true, encoding: .utf8)
        let run = try Fixtures.run(ProcessLifecycleTests.retina, ["eval"] + arguments + [dir])
        #expect(run.status != 0)
        #expect(run.output.contains(message), "\(run.output)")
    }
}
