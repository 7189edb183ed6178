import Foundation
import Media
import ModelStore
import Perception
import RetinaTestSupport
import Testing
import Worker

/// BlazePose's landmark model through the whole chain on a real frame: GMDCSA24 (../shared/data)
/// Subject_1/Fall/13.mp4 at 1 s, a woman standing before she falls; the pinned values are Python's
/// onnxruntime on the same region (ffmpeg's `crop=250:250:195:230,scale=256:256`, Training/pose/).
@Suite struct PoseChainTests {
    static let clip = (Fixtures.repositoryRoot as NSString).deletingLastPathComponent + "/shared/data/falls-gmdcsa24/Subject_1/Fall/13.mp4"

    /// Python's landmarks (nose, shoulders, hips) in picture pixels: 195 + x·250/256, 230 + y·250/256.
    static let python: [(Pose.Part, Double, Double)] = [
        (.nose, 380.8, 309.2), (.leftShoulder, 380.6, 331.0), (.rightShoulder, 320.1, 318.3),
        (.leftHip, 357.6, 381.2), (.rightHip, 322.8, 386.1),
    ]

    @Test(.disabled(if: !FileManager.default.fileExists(atPath: clip), "needs ../shared/data/falls-gmdcsa24 (GMDCSA24)"))
    func theLandmarksArePythonsOnARealFrame() throws {
        let png = Fixtures.temporaryDirectory("retina-pose") + "/frame.png"
        let made = try Fixtures.run("/usr/bin/ffmpeg", ["-v", "error", "-y", "-ss", "1", "-i", Self.clip, "-frames:v", "1", png])
        try #require(made.status == 0, "ffmpeg: \(made.output)")
        let picture = try PictureFile.read(png)
        let model = LearnedModelFile.poseLandmark
        let models = (Fixtures.repositoryRoot as NSString).appendingPathComponent("Models")
        let estimator = try PoseEstimator(modelPath: try model.locate(in: [models]), sha256: model.sha256)
        let (pose, _) = try estimator.estimate(picture, region: PoseRegion(centerX: 320, centerY: 355, size: 250, rotation: 0))
        #expect(pose.score > 0.9)
        // Within 4 pixels: the crops differ in their resampling (bilinear here, bicubic in ffmpeg).
        for (part, x, y) in Self.python {
            #expect(abs(pose[part].x - x) < 4 && abs(pose[part].y - y) < 4, "\(part): \(pose[part].x), \(pose[part].y) against \(x), \(y)")
        }
        // Standing: the next region is hardly turned and centred on her hips.
        #expect(abs(pose.next.rotation) < 0.3)
        #expect(abs(pose.next.centerY - (381.2 + 386.1) / 2) < 25)
    }
}
