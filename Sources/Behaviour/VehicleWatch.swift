import Perception
import Tracking

/// A vehicle among pedestrians: a bicycle, motorcycle, car, bus or truck moving where people walk
/// (a walkway, a square, a residential compound's paths). Two kinds of evidence, as the detector
/// gives neither alone reliably: the class (YOLOX-Nano takes a tight group of walkers for a
/// motorcycle now and then) and the speed (a jogger is fast too). A vehicle track raises an event
/// when it is clearly a vehicle, or a vehicle by class moving faster than the people of the
/// camera's normal period walk. Where vehicles pass in normal hours (a street, a car park
/// entrance) they are the camera's normal and raise nothing. Both come from the camera's own
/// normal period, no per-camera setting.
public struct VehicleWatch: Sendable {
    public struct Settings: Sendable, Equatable {
        /// A vehicle track whose best class score reaches this is a vehicle whatever its speed.
        public var sureScore: Float = 0.7
        /// Below it, a track must reach this score and move at `speedFactor` × the normal walking speed.
        public var minScore: Float = 0.4
        public var speedFactor = 1.5
        /// Walking speed (box heights per second) assumed before any normal period was learned.
        public var defaultWalk = 1.0
        /// Vehicles in more than this share of the normal period's passes make them normal here.
        public var normalShare = 0.02

        public init() {}
    }

    public let settings: Settings
    private var learnedPasses = 0
    private var passesWithVehicles = 0
    /// How fast the people of the normal period walk (the running watch reads it too).
    public private(set) var pace: WalkingPace
    public var normalWalk: Double { pace.normal }
    private var reported = Set<Int>()

    public init(settings: Settings = Settings()) {
        self.settings = settings
        pace = WalkingPace(assumed: settings.defaultWalk)
    }

    /// A pass of the normal period (before watching): what is there is normal.
    public mutating func learn(_ tracks: [MultiObjectTracker.Track], at t: Double, aspect: Double) {
        learnedPasses += 1
        let seen = tracks.filter { $0.state == .confirmed && $0.lastSeen == t }
        if seen.contains(where: { $0.kind == .vehicle && $0.score >= settings.sureScore }) { passesWithVehicles += 1 }
        pace.learn(tracks, at: t, aspect: aspect)
    }

    /// Whether vehicles were common in the normal period.
    public var vehiclesAreNormal: Bool {
        learnedPasses > 0 && Double(passesWithVehicles) / Double(learnedPasses) > settings.normalShare
    }

    public struct Observation: Sendable {
        /// How strongly this pass shows a vehicle among pedestrians (0…1): a vehicle track's class
        /// score, weighed by its speed against the normal walk (half for a vehicle at walking pace
        /// or not yet confirmed, in full from `speedFactor` × it); a vehicle detection no track has
        /// yet counts as an unconfirmed one. 0 where vehicles are normal.
        public var score: Double
        /// Vehicle tracks reported for the first time on this pass.
        public var opened: [MultiObjectTracker.Track]
        /// Reported vehicle tracks seen on this pass (their events go on).
        public var active: [MultiObjectTracker.Track]
    }

    /// The tracks (and the pass's detections) at stream time `t`; `aspect`: the picture's width over height.
    public mutating func observe(_ tracks: [MultiObjectTracker.Track], detections: [Detection] = [], at t: Double, aspect: Double) -> Observation {
        guard !vehiclesAreNormal else { return Observation(score: 0, opened: [], active: []) }
        let walk = normalWalk
        let seen = tracks.filter { $0.kind == .vehicle && $0.lastSeen == t }
        var score = detections.filter { MultiObjectTracker.kind(of: $0.classIndex) == .vehicle }.map { Double($0.score) / 2 }.max() ?? 0
        var opened: [MultiObjectTracker.Track] = []
        for track in seen {
            let settled = track.state == .confirmed && (track.hits >= 3 || track.flowMeasured)
            let fast = settled ? min(1, track.currentSpeed(aspect: aspect) / (settings.speedFactor * walk)) : 0
            score = max(score, Double(track.score) * (0.5 + 0.5 * fast))
            let vehicle = track.state == .confirmed && (track.score >= settings.sureScore || (track.score >= settings.minScore && fast >= 1))
            if vehicle, !reported.contains(track.id) {
                reported.insert(track.id)
                opened.append(track)
            }
        }
        return Observation(score: score, opened: opened, active: seen.filter { reported.contains($0.id) })
    }

    /// Forgets which tracks were reported (a new segment: the tracker starts its ids over too).
    public mutating func reset() { reported.removeAll() }
}
