import Vision

/// What a home camera decides about its resident over time: a fall (`FallWatch`), the person still
/// not up again `inactivity` seconds after it (post-fall inactivity: 80 % of old people who fall
/// cannot get up, and a long lie is what harms), and a home where nothing has moved for `stillFor`
/// seconds of its active hours. A rest zone (a bed, a sofa) is where lying down is normal: a
/// person found lying there, or staying down there after tipping onto it, raises nothing more;
/// a fall onto it (the body tipping over within a second) still raises a fall. Pure: the caller
/// passes times, postures and whether the picture moved.
public struct HomeWatch: Sendable {
    public struct Settings: Sendable {
        public var fall = FallWatch.Settings()
        /// Seconds from when the body came down to `inactivity`, the person not up again since.
        public var inactivity = 60.0
        /// Seconds of no movement in the active hours before `still`; nil: never.
        public var stillFor: Double?
        /// Where lying down is normal, in the same pixels as the postures.
        public var restZones: [Zone] = []

        public init() {}
    }

    public enum Finding: Sendable, Equatable {
        /// A fall was decided (its cause, when the body came down).
        case fall(FallWatch.Alarm)
        /// Still down `seconds` after the body came down at `downSince`.
        case inactivity(seconds: Double, downSince: Double)
        /// Nothing moved for `seconds` of the active hours.
        case still(seconds: Double)
    }

    public let settings: Settings
    private var watch: FallWatch
    private var fallDownSince: Double?
    private var inactivityRaised = false
    private var lastTime: Double?
    private var stillSeconds = 0.0
    private var stillRaised = false

    public init(settings: Settings = Settings()) {
        self.settings = settings
        watch = FallWatch(settings: settings.fall)
    }

    /// One analysed moment: the person's posture (nil when nobody was found), whether a pose pass
    /// looked at it at all (a frame between passes says nothing of the person: the fall decision
    /// must not take it for one where nobody was found), whether anything in the picture moved since
    /// the previous one, and whether the home's active hours are on.
    public mutating func observe(_ sample: PostureSample?, looked: Bool = true, at time: Double, moving: Bool, active: Bool = true) -> [Finding] {
        var found: [Finding] = []
        let elapsed = lastTime.map { max(0, min(time - $0, 5)) } ?? 0  // a gap (reconnect) is not stillness
        lastTime = time
        if moving || !active {
            if moving { stillSeconds = 0; stillRaised = false }
        } else {
            stillSeconds += elapsed
            if let limit = settings.stillFor, stillSeconds >= limit, !stillRaised {
                stillRaised = true
                found.append(.still(seconds: stillSeconds))
            }
        }
        let inRest = sample.map { restZone(x: $0.hipX, y: $0.hipY) != nil } ?? false
        if looked, let alarm = watch.observe(sample, at: time) {
            // Lying found in a bed is sleep, not a fall.
            if !(alarm.cause == .foundDown && inRest) {
                found.append(.fall(alarm))
                fallDownSince = alarm.downSince
                inactivityRaised = false
            }
        }
        if !watch.alarmed { fallDownSince = nil }
        if let since = fallDownSince, !inactivityRaised, !inRest, time - since >= settings.inactivity {
            inactivityRaised = true
            found.append(.inactivity(seconds: time - since, downSince: since))
        }
        return found
    }

    /// Forgets the person (the stream reconnected, or another person came): stillness is kept.
    public mutating func resetPerson() {
        watch.reset()
        fallDownSince = nil
    }

    /// The rest zone at a point (the hip centre), if any.
    public func restZone(x: Double, y: Double) -> Zone? {
        settings.restZones.first { $0.contains(Point(x: x, y: y)) }
    }
}
