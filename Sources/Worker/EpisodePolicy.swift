import Foundation
import Vision

/// Turns a detector's per-frame detections into episodes: the first detection of a (type, zone)
/// opens an episode and yields an event; further detections extend it; it closes after `cooldown`
/// seconds without one. One event per episode, not one per frame.
public struct EpisodePolicy: Sendable {
    public struct Opened: Sendable, Equatable {
        public var detection: Detection
        public var time: Date
        /// Stable per episode: the same condition gives the same key.
        public var dedupKey: String
    }

    public let cooldown: Double
    private var lastSeen: [String: Date] = [:]
    private var episodeStart: [String: Date] = [:]

    public init(cooldown: Double) { self.cooldown = cooldown }

    public mutating func observe(_ detections: [Detection], at time: Date, camera: String) -> [Opened] {
        var opened: [Opened] = []
        for d in detections {
            let key = "\(d.type)|\(d.subtype ?? "")|\(d.zone)"
            if let last = lastSeen[key], time.timeIntervalSince(last) <= cooldown {
                lastSeen[key] = time
                continue
            }
            lastSeen[key] = time
            episodeStart[key] = time
            let stamp = Int(time.timeIntervalSince1970)
            opened.append(Opened(detection: d, time: time,
                                 dedupKey: "retina:\(camera):\(d.zone):\(d.type)\(d.subtype.map { ":\($0)" } ?? ""):\(stamp)"))
        }
        return opened
    }
}
