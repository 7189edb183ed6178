import Tracking

/// People running: followed people moving at running speed for this camera, relative to how fast
/// its people walk in the normal period (`WalkingPace`), and fast in absolute terms too (a camera
/// whose normal period saw only people standing must not call a stroll running). One runner is
/// enough when few people are in view; in a crowd a share of those moving must run, so that one
/// jogger through a busy square is not a crowd running.
public struct RunningWatch: Sendable {
    public struct Settings: Sendable, Equatable {
        /// Running is at least this many times the camera's normal walking pace…
        public var paceFactor = 2.0
        /// …and at least this many box heights a second (people walk at about 0.5–1).
        public var minSpeed = 1.5
        /// Of the people followed, at least this share must run (and at least one).
        public var share = 0.2
        /// Passes in a row the runners must be seen before the event opens (one fast pass can be a
        /// track that jumped to another person's box).
        public var confirmPasses = 2
        /// A track's speed counts from this many sightings (the Kalman velocity settles).
        public var settledHits = 3

        public init() {}
    }

    public let settings: Settings
    private var streak = 0

    public init(settings: Settings = Settings()) { self.settings = settings }

    public struct Observation: Sendable {
        /// How strongly this pass shows people running (≥ 1: running): the speed of the slowest of
        /// the fastest `share` of the people followed, over the running threshold.
        public var score: Double
        /// The people running on this pass, once confirmed: a running detection while not empty
        /// (the worker's episode policy makes one event of a run of them).
        public var runners: [MultiObjectTracker.Track]
        /// The fastest runner's speed (box heights per second; 0 without runners).
        public var fastest: Double
        /// The running threshold this pass (box heights per second).
        public var threshold: Double
        /// People ran on this pass, not yet on the `confirmPasses` in a row that make it running.
        public var undecided = false
    }

    /// The tracks seen at stream time `t`; `walk`: the camera's normal walking pace (box heights a
    /// second); `aspect`: the picture's width over its height.
    public mutating func observe(_ tracks: [MultiObjectTracker.Track], at t: Double, walk: Double, aspect: Double) -> Observation {
        let threshold = self.threshold(walk: walk)
        let people = tracks.people(seenAt: t, settledHits: settings.settledHits)
        guard !people.isEmpty else {
            streak = 0
            return Observation(score: 0, runners: [], fastest: 0, threshold: threshold)
        }
        let speeds = people.map { Self.speed($0, aspect: aspect) }
        let needed = max(1, Int((settings.share * Double(people.count)).rounded(.up)))
        let score = speeds.sorted(by: >)[needed - 1] / threshold
        streak = score >= 1 ? streak + 1 : 0
        guard streak >= settings.confirmPasses else {
            return Observation(score: score, runners: [], fastest: 0, threshold: threshold, undecided: streak > 0)
        }
        let runners = zip(people, speeds).filter { $0.1 >= threshold }
        return Observation(score: score, runners: runners.map(\.0), fastest: runners.map(\.1).max() ?? 0, threshold: threshold)
    }

    /// Running speed on a camera whose people walk at `walk` box heights a second.
    public func threshold(walk: Double) -> Double { max(settings.minSpeed, settings.paceFactor * walk) }

    /// A track's speed as the optical flow measures it where it does, else over its last 0.4 s of
    /// sightings (no filter lag either way: a runner is fast from the start and slow again at
    /// once), else its filtered speed.
    static func speed(_ track: MultiObjectTracker.Track, aspect: Double) -> Double {
        track.currentSpeed(aspect: aspect)
    }

    /// A new segment: no streak.
    public mutating func reset() { streak = 0 }
}
