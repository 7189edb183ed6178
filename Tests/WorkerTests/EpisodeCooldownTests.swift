import Foundation
import RetinaConfig
import Testing
import Vision
import Worker

/// A camera's episodes close after the cooldown its configuration gives each kind of detection:
/// `motion.cooldown` for plain motion, `anomaly.cooldown` for anomalies and a tampered view.
@Suite struct EpisodeCooldownTests {
    let camera = """
    cameras:
      - id: hall
        url: hall.mp4
        motion: {enabled: true, cooldown: 5s}
        anomaly: {cooldown: 60s}
    """
    let t0 = Date(timeIntervalSince1970: 1_790_000_000)

    func opened(_ detection: Detection, after gaps: [Double]) throws -> Int {
        var policy = EpisodePolicy(camera: try ConfigLoader.parse(camera, file: "c.yaml").cameras[0])
        var t = t0, count = policy.observe([detection], at: t, camera: "hall").count
        for gap in gaps {
            t = t.addingTimeInterval(gap)
            count += policy.observe([detection], at: t, camera: "hall").count
        }
        return count
    }

    @Test func motionEpisodesCloseAfterTheMotionCooldown() throws {
        let motion = Detection(type: .motionDetected, zone: "all", score: 0.1)
        // Quiet for 10 s, longer than motion's 5 s: a second episode, though anomalies wait 60 s.
        #expect(try opened(motion, after: [10]) == 2)
        // Detections 3 s apart keep one episode open.
        #expect(try opened(motion, after: [3, 3, 3]) == 1)
    }

    @Test func anomalyEpisodesCloseAfterTheAnomalyCooldown() throws {
        let running = Detection(type: .motionAnomaly, subtype: .running, zone: "all", score: 0.9)
        #expect(try opened(running, after: [10, 30]) == 1)
        #expect(try opened(running, after: [61]) == 2)
        let tampered = Detection(type: .cameraTampered, subtype: .covered, zone: "all", score: 1)
        #expect(try opened(tampered, after: [10]) == 1)
    }
}
