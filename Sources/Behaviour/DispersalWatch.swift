import Perception
import Tracking

/// A crowd scattering: most of the people followed suddenly moving fast, away from where they
/// were together (a fight, a knife, a panic). Walkers crossing a square go every way, so about
/// half of them move away from the group's centre at walking pace; scattering is most of them
/// away from it, and fast for this camera (relative to its learned walking pace, like running).
public struct DispersalWatch: Sendable {
    public struct Settings: Sendable, Equatable {
        /// People who must be followed and moving fast (a group, not two friends leaving).
        public var minPeople = 4
        /// Of the people followed, at least this share must be moving fast…
        public var fastShare = 0.5
        /// …fast being this many times the camera's normal walking pace, and at least `minSpeed`
        /// box heights a second…
        public var paceFactor = 1.5
        public var minSpeed = 1.0
        /// …and of those, this share heading away from their centre (cosine ≥ `outwardCosine`
        /// between the motion and the way out from the centre: within about 53°).
        public var outwardShare = 0.7
        public var outwardCosine = 0.6
        /// Passes in a row before the event opens.
        public var confirmPasses = 2
        public var settledHits = 3

        public init() {}
    }

    public struct Observation: Sendable {
        /// 0…1: the share of the fast people heading outward, times whether enough are fast.
        public var score: Double
        /// The people scattering, the first pass it is confirmed (one event per episode).
        public var opened: [MultiObjectTracker.Track]
        /// Their centre (0…1 of the picture) when opened.
        public var centre: (x: Double, y: Double)
    }

    public let settings: Settings
    private var streak = 0

    public init(settings: Settings = Settings()) { self.settings = settings }

    /// The tracks after a pass at stream time `t`; `walk`: the camera's normal walking pace (box
    /// heights a second); `aspect`: the picture's width over its height.
    public mutating func observe(_ tracks: [MultiObjectTracker.Track], at t: Double, walk: Double, aspect: Double) -> Observation {
        let none = Observation(score: 0, opened: [], centre: (0, 0))
        let people = tracks.people(seenAt: t, settledHits: settings.settledHits)
        let threshold = max(settings.minSpeed, settings.paceFactor * walk)
        let fast = people.compactMap { track -> (track: MultiObjectTracker.Track, v: (x: Double, y: Double), speed: Double)? in
            let v = track.motion(aspect: aspect)
            let speed = (v.x * v.x + v.y * v.y).squareRoot()
            return speed >= threshold ? (track, v, speed) : nil
        }
        guard fast.count >= settings.minPeople, Double(fast.count) >= settings.fastShare * Double(people.count) else {
            streak = 0
            return none
        }
        // Positions in box heights of the people themselves would need a perspective; the
        // picture's width-corrected coordinates are enough for directions from a centre.
        func position(_ track: MultiObjectTracker.Track) -> (x: Double, y: Double) { ((track.box.x0 + track.box.x1) / 2 * aspect, track.box.y1) }
        let cx = fast.map { position($0.track).x }.reduce(0, +) / Double(fast.count)
        let cy = fast.map { position($0.track).y }.reduce(0, +) / Double(fast.count)
        let outward = fast.filter { item in
            let p = position(item.track)
            let rx = p.x - cx, ry = p.y - cy
            let r = (rx * rx + ry * ry).squareRoot()
            return r > 1e-6 && (item.v.x * rx + item.v.y * ry) / (r * item.speed) >= settings.outwardCosine
        }
        let share = Double(outward.count) / Double(fast.count)
        let wasOpen = streak >= settings.confirmPasses
        streak = share >= settings.outwardShare ? streak + 1 : 0
        let opened = !wasOpen && streak >= settings.confirmPasses ? outward.map(\.track) : []
        return Observation(score: share, opened: opened, centre: (cx / aspect, cy))
    }

    /// A new segment: no streak.
    public mutating func reset() { streak = 0 }
}
