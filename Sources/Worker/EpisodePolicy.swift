import Foundation
import RetinaConfig
import Vision
import Vocabulary

/// Turns a detector's per-frame detections into episodes: the first detection of a (type, zone)
/// opens an episode and yields an event; further detections extend it; it closes after its type's
/// cooldown without one. One event per episode, not one per frame.
public struct EpisodePolicy: Sendable {
    public struct Opened: Sendable, Equatable {
        public var detection: Detection
        public var time: Date
        /// Stable per episode: the same condition gives the same key.
        public var dedupKey: String
    }

    /// Seconds without a detection that close an episode, by event type; `otherwise` for the rest.
    public let cooldowns: [EventType: Double]
    public let otherwise: Double
    private var lastSeen: [String: Date] = [:]

    public init(cooldowns: [EventType: Double] = [:], otherwise: Double) {
        self.cooldowns = cooldowns
        self.otherwise = otherwise
    }

    /// The same cooldown for every type.
    public init(cooldown: Double) { self.init(otherwise: cooldown) }

    /// A camera's episodes as its configuration sets them: plain motion by `motion.cooldown`,
    /// anomalies and a tampered view by `anomaly.cooldown` (crowd levels keep their own, in the detector).
    public init(camera: CameraConfig) {
        self.init(cooldowns: [.motionDetected: camera.motion.cooldown], otherwise: camera.anomaly.cooldown)
    }

    public func cooldown(for type: EventType) -> Double { cooldowns[type] ?? otherwise }

    public mutating func observe(_ detections: [Detection], at time: Date, camera: String) -> [Opened] {
        var opened: [Opened] = []
        for d in detections {
            let key = "\(d.type)|\(d.subtype ?? "")|\(d.zone)"
            if let last = lastSeen[key], time.timeIntervalSince(last) <= cooldown(for: d.type) {
                lastSeen[key] = time
                continue
            }
            lastSeen[key] = time
            let stamp = Int(time.timeIntervalSince1970)
            opened.append(Opened(detection: d, time: time,
                                 dedupKey: "retina:\(camera):\(d.zone):\(d.type)\(d.subtype.map { ":\($0)" } ?? ""):\(stamp)"))
        }
        return opened
    }
}
