import Behaviour
import Perception
import Tracking
import Vision
import Vocabulary

/// A camera's `vehicle` anomalies from its learned passes: the detections tracked, the first
/// `learning` seconds of video (summed over segments) learned as the camera's normal, then a
/// `motion.anomaly`/`vehicle` detection for each vehicle track `VehicleWatch` reports, in the
/// watch zone its feet are in (else `all`).
struct VehicleEvents {
    private var behaviours = TrackedBehaviours()
    let learning: Double
    let zones: [Zone]
    private(set) var learnedSeconds = 0.0
    private var last: (segment: Int, time: Double)?

    init(learning: Double, zones: [Zone]) {
        self.learning = learning
        self.zones = zones
    }

    var isLearning: Bool { learnedSeconds < learning }

    /// One pass of the detector on a `width`×`height` picture at stream `time` of `segment`.
    mutating func pass(_ detections: [Perception.Detection], segment: Int, time: Double, width: Int, height: Int) -> [Vision.Detection] {
        if let last, last.segment == segment, time >= last.time {
            // Gaps longer than a few seconds (a still view skipped by the motion gate) are not learning.
            if isLearning { learnedSeconds += min(5, time - last.time) }
        } else {
            behaviours.reset()  // a new segment: nothing tracked before continues
        }
        last = (segment, time)
        let aspect = Double(width) / Double(max(1, height))
        guard !isLearning else {
            behaviours.learn(detections, at: time, aspect: aspect)
            return []
        }
        let seen = behaviours.observe(detections, at: time, aspect: aspect)
        return seen.opened.map { track in
            let (w, h) = (Double(width), Double(height))
            let feet = Point(x: (track.box.x0 + track.box.x1) / 2 * w, y: min(track.box.y1 * h, h - 0.5))
            let b = track.detected
            return Vision.Detection(
                type: .motionAnomaly, subtype: .vehicle, zone: zones.first { $0.contains(feet) }?.id ?? "all", score: Double(track.score),
                region: PixelRect(x: Int(b.x0 * w), y: Int(b.y0 * h), width: Int(b.width * w), height: Int(b.height * h)),
                measurements: ["speedHeightsPerSecond": (track.speed(aspect: aspect) * 100).rounded() / 100,
                               "normalWalkHeightsPerSecond": (behaviours.vehicles.normalWalk * 100).rounded() / 100,
                               "trackId": Double(track.id)],
                labels: ["class": COCOClass.names.indices.contains(track.classIndex) ? COCOClass.names[track.classIndex] : "vehicle"]
            )
        }
    }
}
