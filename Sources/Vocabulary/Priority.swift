/// Dispatch priority: P1 is life safety (falls, red crowd) and is never queued behind P2–P4.
public enum Priority: Int, Sendable, Codable, Comparable, CaseIterable, CustomStringConvertible {
    case p1 = 1, p2, p3, p4

    public static func < (a: Priority, b: Priority) -> Bool { a.rawValue < b.rawValue }
    public var description: String { "P\(rawValue)" }

    public init?(label: String) {
        guard label.count == 2, label.uppercased().first == "P", let n = Int(label.dropFirst()),
              let p = Priority(rawValue: n) else { return nil }
        self = p
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let n = try? c.decode(Int.self), let p = Priority(rawValue: n) { self = p; return }
        let s = try c.decode(String.self)
        guard let p = Priority(label: s) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "expected P1, P2, P3 or P4, got '\(s)'")
        }
        self = p
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// Which event gets which priority, by what is at stake (DESIGN.md, README "Priorities").
public enum PriorityTable {
    /// Retina's own detections: a fall (a home camera's `fall.*`) and a red crowd are life safety (P1); an orange crowd, running, dispersal
    /// and intrusion need someone now (P2); a yellow crowd, the other anomalies and a tampered view
    /// P3; the rest can wait for the next free operator.
    public static func priority(of type: EventType, subtype: EventSubtype? = nil, level: CrowdLevel? = nil) -> Priority {
        if type.isFall { return .p1 }
        return switch (type, subtype, level) {
        case (.crowdDensity, _, .red?): .p1
        case (.crowdDensity, _, .orange?): .p2
        case (.crowdDensity, _, .yellow?): .p3
        case (.crowdDensity, _, _): .p4
        // A warning ahead of time: someone should look, nobody is in danger yet.
        case (.crowdForecast, _, .red?), (.crowdForecast, _, .orange?): .p3
        case (.motionAnomaly, .running?, _), (.motionAnomaly, .dispersal?, _), (.motionAnomaly, .intrusion?, _): .p2
        case (.motionAnomaly, _, _), (.cameraTampered, _, _): .p3
        case (.cameraOffline, _, _): .p3
        // Someone on patrol saw something: a person should look, as for an anomaly.
        case (.reportManual, _, _): .p3
        default: .p4
        }
    }

    /// An event another producer published without a priority: falls are life safety (P1,
    /// STANDARDS-NOTES §7.2), anything else P4.
    public static func unstated(for type: EventType) -> Priority { type.isFall ? .p1 : .p4 }
}
