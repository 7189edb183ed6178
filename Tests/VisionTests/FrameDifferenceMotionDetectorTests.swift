import Foundation
import SceneSynth
import Testing
import Vision

/// The motion detector on synthetic scenes whose motion is known: each test fails if the detector
/// misses real motion, invents motion, or puts it in the wrong zone.
@Suite struct FrameDifferenceMotionDetectorTests {
    func run(_ scene: SyntheticScene, zones: [Zone] = [], frames: Int = 15, segmentAt: Int? = nil) -> [[Detection]] {
        let detector = FrameDifferenceMotionDetector(zones: zones)
        return (0..<frames).map { i in
            let segment = (segmentAt.map { i >= $0 } ?? false) ? 2 : 1
            let frame = AnalysisFrame(image: scene.render(frame: i), time: Date(timeIntervalSince1970: scene.time(ofFrame: i)),
                                      streamTime: scene.time(ofFrame: i), segment: segment,
                                      sourceWidth: scene.width, sourceHeight: scene.height)
            return detector.analyse(frame)
        }
    }

    @Test func walkingFiguresAreDetectedWhereTheyAre() {
        // Two people walking at ~1.4 m/s (≈ 30 px/s at this scale) in the left half.
        let scene = SyntheticScene(figures: [Figure(x: 60, y: 150, vx: 30), Figure(x: 120, y: 190, vy: -20)])
        let out = run(scene)
        #expect(out[0].isEmpty)  // nothing to compare with yet
        for detections in out.dropFirst() {
            #expect(detections.count == 1)
            guard let d = detections.first, let r = d.region else { continue }
            #expect(d.type == "motion.detected" && d.zone == "all")
            #expect(r.x < 200 && r.x + r.width > 50)  // where the figures are, not across the frame
            #expect(r.y + r.height <= 216 && r.y > 60)
        }
    }

    @Test func aStillSceneHasNoMotion() {
        // Standing people and sensor noise only.
        let scene = SyntheticScene(figures: [Figure(x: 100, y: 150), Figure(x: 250, y: 120)], noise: 4)
        #expect(run(scene).allSatisfy { $0.isEmpty })
    }

    @Test func aGlobalLightChangeIsNotMotion() {
        // Auto exposure or an IR switch: the whole picture brightens by 40 levels at once.
        let scene = SyntheticScene(figures: [Figure(x: 100, y: 150)], brightness: { t in t >= 1 ? 40 : 0 })
        #expect(run(scene, frames: 10).allSatisfy { $0.isEmpty })
    }

    @Test func motionIsReportedOnlyInTheZoneWhereItHappens() {
        let left = Zone(id: "left", polygon: [Point(x: 0, y: 0), Point(x: 192, y: 0), Point(x: 192, y: 216), Point(x: 0, y: 216)])
        let right = Zone(id: "right", polygon: [Point(x: 192, y: 0), Point(x: 384, y: 0), Point(x: 384, y: 216), Point(x: 192, y: 216)])
        let scene = SyntheticScene(figures: [Figure(x: 280, y: 180, vx: 25), Figure(x: 80, y: 150)])
        let out = run(scene, zones: [left, right], frames: 8)
        for detections in out.dropFirst() {
            #expect(detections.map(\.zone) == ["right"])
        }
    }

    @Test func aNewSegmentIsNotComparedWithTheOldOne() {
        // After a reconnect the picture may differ completely; that is not motion.
        let scene = SyntheticScene(figures: [Figure(x: 100, y: 150)])
        let moved = SyntheticScene(figures: [Figure(x: 300, y: 100)], seed: 9)
        let detector = FrameDifferenceMotionDetector()
        func frame(_ s: SyntheticScene, _ i: Int, segment: Int) -> AnalysisFrame {
            AnalysisFrame(image: s.render(frame: i), time: Date(), streamTime: Double(i), segment: segment, sourceWidth: 384, sourceHeight: 216)
        }
        #expect(detector.analyse(frame(scene, 0, segment: 1)).isEmpty)
        #expect(detector.analyse(frame(scene, 1, segment: 1)).isEmpty)
        #expect(detector.analyse(frame(moved, 2, segment: 2)).isEmpty)
        #expect(detector.analyse(frame(moved, 3, segment: 2)).isEmpty)
    }

    @Test func sceneCountsAreKnown() {
        // The generator itself: figures leaving the picture stop counting.
        let scene = SyntheticScene(figures: [Figure(x: 370, y: 100, vx: 20), Figure(x: 50, y: 100)])
        #expect(scene.visibleCount(at: 0) == 2)
        #expect(scene.visibleCount(at: 2) == 1)
    }
}
