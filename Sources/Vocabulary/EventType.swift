/// A name in the schema that stays open to other producers: any string is one, encoded as the
/// plain string (the standard library's Codable for string raw values), written as a literal.
public protocol OpenName: RawRepresentable, Hashable, Sendable, Codable, ExpressibleByStringLiteral, CustomStringConvertible
    where RawValue == String {
    init(rawValue: String)
}

extension OpenName {
    public init(stringLiteral value: String) { self.init(rawValue: value) }
    public var description: String { rawValue }
}

/// An event's `type` in the shared schema. Open: another producer may publish a type Retina does
/// not know, and the queue carries it as it came; the static values are the ones Retina produces
/// or treats specially. A string literal names any other type.
public struct EventType: OpenName {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Falls (`fall.detected`, `fall.inactivity`, any `fall.*` another producer sends) are life safety.
    public var isFall: Bool { rawValue.hasPrefix("fall.") }

    public static let crowdDensity: EventType = "crowd.density"
    public static let crowdFlow: EventType = "crowd.flow"
    public static let crowdForecast: EventType = "crowd.forecast"
    public static let motionAnomaly: EventType = "motion.anomaly"
    public static let motionDetected: EventType = "motion.detected"
    public static let fallDetected: EventType = "fall.detected"
    public static let fallInactivity: EventType = "fall.inactivity"
    public static let cameraOffline: EventType = "camera.offline"
    public static let cameraOnline: EventType = "camera.online"
    public static let cameraTampered: EventType = "camera.tampered"
    public static let reportManual: EventType = "report.manual"
}

/// An event's `subtype`: open like `EventType`; the static values are Retina's motion-anomaly
/// kinds and how a view was tampered with.
public struct EventSubtype: OpenName {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    // `motion.anomaly`
    public static let running: EventSubtype = "running"
    public static let counterFlow: EventSubtype = "counter_flow"
    public static let dispersal: EventSubtype = "dispersal"
    public static let intrusion: EventSubtype = "intrusion"
    public static let loitering: EventSubtype = "loitering"
    public static let vehicle: EventSubtype = "vehicle"
    // `camera.tampered`
    public static let covered: EventSubtype = "covered"
    public static let moved: EventSubtype = "moved"
}
