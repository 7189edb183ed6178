import Foundation
import Perception
import Tracking
import Vision

/// A camera's tracks and the behaviours decided on them, pass by pass: the detector's detections
/// go in, the tracker follows them, each behaviour looks at the tracks.
public struct TrackedBehaviours: Sendable {
    public private(set) var tracker: MultiObjectTracker
    public private(set) var vehicles: VehicleWatch
    public private(set) var running: RunningWatch
    public private(set) var zones: ZoneWatch
    public private(set) var lines: LineCrossing
    public private(set) var counterFlow: CounterFlowWatch
    public private(set) var dispersal: DispersalWatch
    /// The picture's motion last carried, for the pass on the same frame (`VehicleWatch`'s faint sightings).
    private var lastFlow: FlowField?

    /// `zones`: the camera's zones in source pixels (forbidden ones and those with a loitering limit are watched).
    public init(tracker: MultiObjectTracker.Settings = .init(), vehicles: VehicleWatch.Settings = .init(),
                running: RunningWatch.Settings = .init(), counterFlow: CounterFlowWatch.Settings = .init(),
                dispersal: DispersalWatch.Settings = .init(), zones: [Zone] = [], zoneSettings: ZoneWatch.Settings = .init()) {
        self.tracker = MultiObjectTracker(settings: tracker)
        self.vehicles = VehicleWatch(settings: vehicles)
        self.running = RunningWatch(settings: running)
        self.zones = ZoneWatch(zones: zones, settings: zoneSettings)
        lines = LineCrossing(zones: zones)
        self.counterFlow = CounterFlowWatch(settings: counterFlow)
        self.dispersal = DispersalWatch(settings: dispersal)
    }

    /// For passes up to `passGap` seconds apart: tracks, and people's time in a zone, outlive 2.5
    /// such gaps (a person standing still between two passes is still there).
    public init(passGap: Double, zones: [Zone]) {
        var tracker = MultiObjectTracker.Settings()
        tracker.maxLost = max(tracker.maxLost, 2.5 * passGap)
        var zoneSettings = ZoneWatch.Settings()
        zoneSettings.absenceSeconds = max(zoneSettings.absenceSeconds, 2.5 * passGap)
        self.init(tracker: tracker, zones: zones, zoneSettings: zoneSettings)
    }

    public struct Outcome: Sendable {
        /// Nil while learning the camera's normal.
        public var vehicles: VehicleWatch.Observation?
        /// Nil while learning the camera's normal (its walking pace is the measure).
        public var running: RunningWatch.Observation?
        /// Nil while learning (the directions people walk in are learned then, and after from those not against them).
        public var counterFlow: CounterFlowWatch.Observation?
        /// Nil while learning (fast is relative to the walking pace).
        public var dispersal: DispersalWatch.Observation?
        /// Intrusion and loitering: rules, not learned, so also while learning.
        public var zones: [ZoneWatch.Event]
        /// People who crossed a zone's counting line on this pass, by zone id.
        public var crossings: [String: LineCrossing.Counts]

        /// This pass saw a vehicle or people running that the next passes decide (`VehicleWatch`,
        /// `RunningWatch`): a camera passes again soon instead of a second later.
        public var undecided: Bool { vehicles?.undecided == true || running?.undecided == true }
    }

    /// The picture's motion on a frame (between passes, and on a pass's frame before `pass`): the
    /// tracks move with it, so that the next pass finds them where their pixels went and their
    /// speed is measured without waiting for sightings.
    public mutating func carry(_ flow: FlowField) {
        lastFlow = flow
        tracker.carry(at: flow.time) { flow.velocity(x0: $0.x0, y0: $0.y0, x1: $0.x1, y1: $0.y1) }
    }

    /// Where the next pass should look closer (0…1 of the picture; `MotionFocus`): the fastest
    /// motion in `flow` that no object explains. Only objects confirmed and found on the last pass
    /// explain motion: a new or missed one is what the closer look is for (a track it just found
    /// would otherwise hide the motion it needs to be found again).
    public func focus(_ flow: FlowField, settings: MotionFocus.Settings = .init()) -> Box? {
        MotionFocus.region(flow, tracks: tracker.foundLastUpdate.map(\.current), settings: settings)
    }

    /// One pass at stream time `t` (wall time `date`, for zone schedules) on a `width`×`height`
    /// picture; while `learning`, the vehicle watch learns what is normal here instead of watching.
    public mutating func pass(_ detections: [Perception.Detection], at t: Double, date: Date = Date(), width: Int, height: Int, learning: Bool) -> Outcome {
        let aspect = Double(width) / Double(max(1, height))
        let tracks = tracker.update(detections, at: t, aspect: aspect)
        var outcome = Outcome(vehicles: nil, running: nil, zones: zones.observe(tracks, at: t, date: date, width: width, height: height),
                              crossings: lines.observe(tracks, at: t, width: width, height: height))
        if learning {
            vehicles.learn(tracks, at: t, aspect: aspect)
            counterFlow.learn(tracks, at: t, aspect: aspect)
        } else {
            outcome.vehicles = vehicles.observe(tracks, detections: detections, at: t, aspect: aspect,
                                                flow: lastFlow.flatMap { abs($0.time - t) < 1e-6 ? $0 : nil })
            outcome.running = running.observe(tracks, at: t, walk: vehicles.normalWalk, aspect: aspect)
            outcome.counterFlow = counterFlow.observe(tracks, at: t, aspect: aspect)
            counterFlow.learn(tracks, at: t, aspect: aspect)
            outcome.dispersal = dispersal.observe(tracks, at: t, walk: vehicles.normalWalk, aspect: aspect)
        }
        return outcome
    }

    /// A new segment or clip: no track continues (what was learned stays).
    public mutating func reset() {
        tracker.reset()
        lastFlow = nil
        vehicles.reset()
        running.reset()
        counterFlow.reset()
        dispersal.reset()
        zones.reset()
        lines.reset()
    }
}
