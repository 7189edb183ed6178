import Foundation
@testable import Media
import RetinaTestSupport
import Synchronization
import Testing
import Vocabulary

/// Shedding H.264's deblocking filter: always, never, or while a camera runs late.
@Suite struct DeblockTests {
    @Test func onlyAutoChangesItsMindAndItDoesSoWithHysteresis() {
        var always = DeblockGovernor(policy: .always, slack: 0.2)
        var keyframes = DeblockGovernor(policy: .keyframes, slack: 0.2)
        let alwaysChanged = always.update(lateBy: 30), keyframesChanged = keyframes.update(lateBy: 0)
        #expect(!alwaysChanged && !always.skipping)
        #expect(!keyframesChanged && keyframes.skipping)

        // Lateness frame by frame, and whether the governor changed its mind at each.
        var auto = DeblockGovernor(policy: .auto, slack: 0.2)
        #expect(!auto.skipping)
        let steps: [(late: Double, changed: Bool, skipping: Bool)] = [
            (0.2, false, false),   // one burst late is on time
            (0.65, false, false),  // not yet half a second beyond it
            (0.75, true, true),
            (0.35, false, true),   // still late: keeps shedding
            (0.25, true, false),   // caught up
        ]
        for step in steps {
            let changed = auto.update(lateBy: step.late)
            #expect(changed == step.changed && auto.skipping == step.skipping, "late by \(step.late) s")
        }
    }

    @Test func aMachineShortOfCPUShedsTheFilterOfCamerasThatKeepUpUnderAutoOnly() {
        var auto = DeblockGovernor(policy: .auto, slack: 0.2)
        var always = DeblockGovernor(policy: .always, slack: 0.2)
        #expect(auto.update(lateBy: 0, nodeShort: true) && auto.skipping)
        #expect(!always.update(lateBy: 0, nodeShort: true) && !always.skipping)
        // Short no more, and on time: the filter is back at once.
        #expect(auto.update(lateBy: 0.1, nodeShort: false) && !auto.skipping)
        // Late and short, then short no more but still late: it keeps shedding until caught up.
        #expect(auto.update(lateBy: 0.8, nodeShort: true) && auto.skipping)
        #expect(!auto.update(lateBy: 0.4, nodeShort: false) && auto.skipping)
        #expect(auto.update(lateBy: 0.25, nodeShort: false) && !auto.skipping)
    }

    @Test func theMachineCountsAsShortForItsHoldAfterTheLastReport() async throws {
        let load = NodeLoad(hold: 0.1)
        #expect(!load.isShort)
        load.reportShort()
        #expect(load.isShort)
        try await Task.sleep(for: .milliseconds(300))
        #expect(!load.isShort)
    }

    @Test func aCameraOnTimeShedsTheFilterWhileTheMachineIsShort() throws {
        let path = try clip()
        let load = NodeLoad(hold: 3600)
        load.reportShort()
        let (shed, _) = decode(path, .auto, load: load)
        #expect(shed.framesDecoded == 100)
        // Every frame but the 4 key frames, as with `keyframes`: the first frame is a key frame.
        #expect(shed.framesUndeblocked == 96, "\(shed.framesUndeblocked)")
        let (full, _) = decode(path, .auto)
        #expect(full.framesUndeblocked == 0)
    }

    /// A 4 s clip, 25 fps, a key frame every second, encoded with the deblocking filter on.
    func clip() throws -> String {
        let path = Fixtures.temporaryDirectory() + "/deblocked.mp4"
        try Fixtures.makeClip(path, seconds: 4, fps: 25, width: 640, height: 360,
                              codec: ["-c:v", "libx264", "-preset", "veryfast", "-b:v", "300k", "-bf", "0", "-g", "25", "-pix_fmt", "yuv420p"])
        return path
    }

    func decode(_ path: String, _ policy: DeblockPolicy, pace: Bool = false, load: NodeLoad = NodeLoad(),
                onFrame: @escaping @Sendable () -> Void = {}) -> (IngestHealth, [CameraFrame]) {
        let frames = Mutex<[CameraFrame]>([])
        var spec = IngestSpec(cameraId: "deblock", url: StreamURL(path), analysisFps: 5, analysisWidth: 320,
                              pace: pace, skipNonReference: false, stopAtEnd: true, decodeBurst: 0.2, deblock: policy)
        // Its own: the process's is told of skipped passes by other tests running beside this one.
        spec.load = load
        let ingest = CameraIngest(spec: spec, onFrame: { f in frames.withLock { $0.append(f) }; onFrame() })
        ingest.run()
        return (ingest.health.snapshot, frames.withLock { $0 })
    }

    @Test func keyframesSkipsTheFilterOnEveryOtherFrameAndChangesPixelsALittle() throws {
        let path = try clip()
        let (full, fullFrames) = decode(path, .always)
        let (shed, shedFrames) = decode(path, .keyframes)
        #expect(full.framesDecoded == 100 && shed.framesDecoded == 100)  // no frame is lost
        #expect(full.framesUndeblocked == 0)
        #expect(shed.framesUndeblocked == 96)  // the 4 key frames are still deblocked
        try #require(fullFrames.count == shedFrames.count && !fullFrames.isEmpty)
        // The first frame is a key frame: identical. Later frames drift a little, not a lot.
        #expect(fullFrames[0].pixels == shedFrames[0].pixels)
        let diffs = zip(fullFrames, shedFrames).map { a, b in
            Double(zip(a.pixels, b.pixels).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }) / Double(a.pixels.count)
        }
        #expect(diffs.contains { $0 > 0 }, "skipping the filter changed nothing: is it applied?")
        #expect(diffs.allSatisfy { $0 < 4 }, "\(diffs)")
    }

    @Test func autoShedsTheFilterOnlyWhileTheCameraRunsLate() throws {
        let path = try clip()
        // Each analysis frame takes 0.3 s downstream, 1.5 s per second of stream: the camera falls
        // behind real time as it would on a machine over capacity.
        let slow: @Sendable () -> Void = { Thread.sleep(forTimeInterval: 0.3) }
        let (auto, _) = decode(path, .auto, pace: true, onFrame: slow)
        #expect(auto.framesDecoded == 100)
        #expect(auto.framesUndeblocked > 0)
        #expect(auto.framesUndeblocked < 96)  // on time at first: the first second is deblocked
    }
}
