import Perception
import Tracking
import Vision

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
        /// For this long after a vehicle track is first seen, while it is not reported, more passes
        /// may still decide it (`Observation.undecided`); after it, a walker group taken for a
        /// motorcycle now and then is what it is.
        public var decideSeconds = 2.0
        /// A vehicle detection too faint to start a track, from this score, where the picture's flow
        /// measures motion on its box, is undecided too: a pass soon may see it better (a parked
        /// bicycle does not move and costs no passes).
        public var faintScore: Float = 0.15

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
        /// A vehicle track seen on this pass, first seen under `decideSeconds` ago, is not reported
        /// (yet): it needs more sightings to be confirmed or its speed measured.
        public var undecided = false
    }

    /// The tracks (and the pass's detections) at stream time `t`; `aspect`: the picture's width over
    /// height; `flow`: the picture's motion on the pass's frame, if measured (faint detections' speed).
    public mutating func observe(_ tracks: [MultiObjectTracker.Track], detections: [Perception.Detection] = [], at t: Double, aspect: Double,
                                 flow: FlowField? = nil) -> Observation {
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
        var undecided = seen.contains { !reported.contains($0.id) && t - $0.firstSeen < settings.decideSeconds }
        if !undecided, let flow {
            let followed = seen.map(\.current)
            undecided = detections.contains { d in
                MultiObjectTracker.kind(of: d.classIndex) == .vehicle && d.score >= settings.faintScore
                    && !followed.contains { $0.iou(d.box) > 0.3 }
                    && flow.velocity(x0: d.box.x0, y0: d.box.y0, x1: d.box.x1, y1: d.box.y1) != nil
            }
        }
        return Observation(score: score, opened: opened, active: seen.filter { reported.contains($0.id) }, undecided: undecided)
    }

    /// Forgets which tracks were reported (a new segment: the tracker starts its ids over too).
    public mutating func reset() { reported.removeAll() }
}
