import Perception
import Tracking

/// A camera's tracks and the behaviours decided on them, pass by pass: the detector's detections
/// go in, the tracker follows them, each behaviour looks at the tracks.
public struct TrackedBehaviours: Sendable {
    public private(set) var tracker: MultiObjectTracker
    public private(set) var vehicles: VehicleWatch

    public init(tracker: MultiObjectTracker.Settings = .init(), vehicles: VehicleWatch.Settings = .init()) {
        self.tracker = MultiObjectTracker(settings: tracker)
        self.vehicles = VehicleWatch(settings: vehicles)
    }

    /// A pass of the camera's normal period: the behaviours learn what is normal here.
    /// `aspect`: the picture's width over its height (speeds are in box heights per second).
    public mutating func learn(_ detections: [Detection], at t: Double, aspect: Double) {
        vehicles.learn(tracker.update(detections, at: t), at: t, aspect: aspect)
    }

    /// A pass while watching.
    public mutating func observe(_ detections: [Detection], at t: Double, aspect: Double) -> VehicleWatch.Observation {
        vehicles.observe(tracker.update(detections, at: t), detections: detections, at: t, aspect: aspect)
    }

    /// A new segment or clip: no track continues (what was learned stays).
    public mutating func reset() {
        tracker.reset()
        vehicles.reset()
    }
}
