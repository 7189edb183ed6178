import Foundation
import Perception
import Tracking
import Vision

/// People in zones, from their tracks: `intrusion` when a followed person's feet are inside a
/// forbidden zone while it is forbidden (its schedule), `loitering` when a person has stayed in a
/// zone with a loitering limit longer than it, standing still or not. Presence from foreground
/// (the flow detector's way) makes an intruder of a tree in the wind, a shadow or a cat and misses
/// a person who stands still; a person track is neither.
public struct ZoneWatch: Sendable {
    public struct Settings: Sendable, Equatable {
        /// Seconds a person's feet must be in a forbidden zone (while forbidden) before it is an intrusion.
        public var intrusionSeconds = 1.0
        /// A person out of a zone (or unseen) for less than this is still in it: tracks flicker at edges.
        public var absenceSeconds = 3.0

        public init() {}
    }

    public struct Event: Sendable, Equatable {
        public enum Kind: String, Sendable { case intrusion, loitering }
        public var kind: Kind
        public var zone: String
        public var trackId: Int
        /// Seconds the person has been in the zone.
        public var seconds: Double
        /// The person's box, 0…1 of the picture.
        public var box: Box
    }

    public let settings: Settings
    public let zones: [Zone]
    /// Per (track, zone): since when the person is in it, when last seen in it, what was reported.
    private var presence: [Key: (since: Double, last: Double, intrusion: Bool, loitering: Bool)] = [:]

    struct Key: Hashable, Sendable {
        var track: Int
        var zone: String
    }

    /// `zones` in the source picture's pixels; only forbidden ones and those with a loitering limit are watched.
    public init(zones: [Zone], settings: Settings = Settings()) {
        self.zones = zones.filter { $0.kind == .forbidden || $0.loiterSeconds != nil }
        self.settings = settings
    }

    /// The person tracks after a pass at stream time `t` (wall time `date`, for schedules) on a
    /// `width`×`height` picture: the zone events due now, each once per person and zone.
    public mutating func observe(_ tracks: [MultiObjectTracker.Track], at t: Double, date: Date, width: Int, height: Int) -> [Event] {
        guard !zones.isEmpty else { return [] }
        var events: [Event] = []
        for track in tracks where track.kind == .person && track.state == .confirmed && track.lastSeen == t {
            let feet = track.box.feet(width: width, height: height)
            for zone in zones where zone.contains(feet) {
                let key = Key(track: track.id, zone: zone.id)
                var p = presence[key] ?? (t, t, false, false)
                if t - p.last > settings.absenceSeconds { p = (t, t, false, false) }
                p.last = t
                let seconds = t - p.since
                if zone.kind == .forbidden, !p.intrusion, zone.schedule?.contains(date) ?? true, seconds >= settings.intrusionSeconds {
                    p.intrusion = true
                    events.append(Event(kind: .intrusion, zone: zone.id, trackId: track.id, seconds: seconds, box: track.box))
                }
                if let limit = zone.loiterSeconds, !p.loitering, seconds >= limit {
                    p.loitering = true
                    events.append(Event(kind: .loitering, zone: zone.id, trackId: track.id, seconds: seconds, box: track.box))
                }
                presence[key] = p
            }
        }
        // Forget people gone for good.
        presence = presence.filter { t - $0.value.last <= settings.absenceSeconds * 10 }
        return events
    }

    /// A new segment: the tracker's ids start over.
    public mutating func reset() { presence.removeAll() }
}
