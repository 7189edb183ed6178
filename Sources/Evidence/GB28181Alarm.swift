import Events
import Foundation

/// An event as a GB/T 28181 alarm notification (`<Notify>`, `CmdType=Alarm`; STANDARDS-NOTES §1.3
/// and §7.1(a)): the body a SIP MESSAGE (`Application/MANSCDP+xml`) would carry to the police
/// platform's 接处警 system.
public enum GB28181Alarm {
    /// AlarmMethod and AlarmType (with the intrusion EventType) for an event.
    public struct Mapping: Sendable, Equatable {
        public var method: Int
        public var type: Int?
        public var eventType: Int?
    }

    /// §7.1(a): video alarms (method 5): density 10, flow 9, fast motion 12, intrusion 6 (entering,
    /// EventType 1), loitering 8, counter-flow 7, other moving-target anomalies 2, a tampered view
    /// 11 (video anomaly); a camera offline is a device alarm (2) of type 1 (video loss); anything
    /// else (a fall from a radar) is method 7, other.
    public static func mapping(for event: Event) -> Mapping {
        switch (event.type, event.anomalyKind) {
        case (.crowdDensity, _): return Mapping(method: 5, type: 10)
        case (.crowdFlow, _): return Mapping(method: 5, type: 9)
        case (.motionAnomaly, .running?), (.motionAnomaly, .dispersal?): return Mapping(method: 5, type: 12)
        case (.motionAnomaly, .intrusion?): return Mapping(method: 5, type: 6, eventType: 1)
        case (.motionAnomaly, .loitering?): return Mapping(method: 5, type: 8)
        case (.motionAnomaly, .counterFlow?): return Mapping(method: 5, type: 7)
        case (.motionAnomaly, _), (.motionDetected, _): return Mapping(method: 5, type: 2)
        case (.cameraTampered, _): return Mapping(method: 5, type: 11)
        case (.cameraOffline, _): return Mapping(method: 2, type: 1)
        default: return Mapping(method: 7)
        }
    }

    /// AlarmPriority: red 1, orange 2, yellow 3, blue 4 (一级 the most serious); without a level, the
    /// event's priority P1…P4.
    public static func priority(for event: Event) -> Int {
        switch event.level {
        case .red?: 1
        case .orange?: 2
        case .yellow?: 3
        case .blue?: 4
        case .none?, nil: event.priority.rawValue
        }
    }

    /// Roman warning level (I red … IV blue) of a crowd level.
    static func roman(_ level: CrowdLevel?) -> String? {
        switch level { case .red?: "I"; case .orange?: "II"; case .yellow?: "III"; case .blue?: "IV"; case .none?, nil: nil }
    }

    /// `AlarmDescription`: compact `key=value;…` (§7.1(a)), e.g.
    /// `evt=<uuid>;type=crowd.density;lvl=III;dens=3.4;cnt=152;area=45;los=F;trend=+0.6/min;dur=90s;zone=plaza`.
    public static func description(for event: Event) -> String {
        var parts: [(String, String)] = [("evt", event.id.uuidString.lowercased()),
                                         ("type", event.typeLabel)]
        if let lvl = roman(event.level) { parts.append(("lvl", lvl)) }
        let p = event.payload
        func number(_ key: String) -> String? { p[key]?.doubleValue.map(Self.number) }
        if let v = number("densityPerM2") { parts.append(("dens", v)) }
        if let v = number("count") { parts.append(("cnt", v)) }
        if let v = number("areaM2") { parts.append(("area", v)) }
        if let v = p["walkwayLOS"]?.stringValue { parts.append(("los", v)) }
        if let v = p["trendPerMinute"]?.doubleValue { parts.append(("trend", (v >= 0 ? "+" : "") + Self.number(v) + "/min")) }
        if let v = p["dwellSeconds"]?.doubleValue { parts.append(("dur", "\(Int(v.rounded()))s")) }
        for key in ["runningPersons", "counterFlowPersons", "persons"] { if let v = number(key) { parts.append(("persons", v)); break } }
        if let v = number("score"), !event.type.rawValue.hasPrefix("crowd.") { parts.append(("score", v)) }
        if let zone = event.source.zone { parts.append(("zone", zone)) }
        if let camera = event.source.camera { parts.append(("cam", camera)) }
        parts.append(("pri", event.priority.description))
        return parts.map { "\($0.0)=\(clean($0.1))" }.joined(separator: ";")
    }

    /// The 20-digit GB/T 28181 code of the alarm source: the camera's `deviceId` from the
    /// configuration, else a camera id that is one; nil when neither is.
    public static func deviceId(for event: Event) -> String? {
        [event.source.deviceId, event.source.camera].compactMap { $0 }.first(where: isDeviceCode)
    }

    public static func isDeviceCode(_ s: String) -> Bool { s.count == 20 && s.allSatisfy { $0.isASCII && $0.isNumber } }

    /// The notification, UTF-8. `AlarmTime` is local time without a zone (`yyyy-MM-ddTHH:mm:ss`) in
    /// `timeZone`; longitude and latitude as the event has them (WGS84 unless the site says otherwise).
    public static func xml(for event: Event, sn: Int, timeZone: TimeZone = .current) -> String {
        let m = mapping(for: event)
        var x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Notify>\n"
        func el(_ name: String, _ value: String, indent: String = "  ") { x += "\(indent)<\(name)>\(XML.escape(value))</\(name)>\n" }
        el("CmdType", "Alarm")
        el("SN", String(sn))
        el("DeviceID", deviceId(for: event) ?? "")
        el("AlarmPriority", String(priority(for: event)))
        el("AlarmMethod", String(m.method))
        el("AlarmTime", localTime(event.occurredAt, timeZone: timeZone))
        el("AlarmDescription", description(for: event))
        if let lon = event.location?.lon { el("Longitude", coordinate(lon)) }
        if let lat = event.location?.lat { el("Latitude", coordinate(lat)) }
        if let type = m.type {
            x += "  <Info>\n"
            el("AlarmType", String(type), indent: "    ")
            if let e = m.eventType { x += "    <AlarmTypeParam>\n      <EventType>\(e)</EventType>\n    </AlarmTypeParam>\n" }
            x += "  </Info>\n"
        }
        return x + "</Notify>\n"
    }

    /// `2009-12-04T16:23:32` in `timeZone`.
    public static func localTime(_ date: Date, timeZone: TimeZone) -> String {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = timeZone
        let d = c.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d", d.year ?? 0, d.month ?? 0, d.day ?? 0, d.hour ?? 0, d.minute ?? 0, d.second ?? 0)
    }

    static func coordinate(_ v: Double) -> String { String(format: "%.6f", v) }

    static func number(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(format: "%.2f", v).replacingOccurrences(of: #"\.?0+$"#, with: "", options: .regularExpression)
    }

    /// Values cannot break the `key=value;` grammar.
    static func clean(_ s: String) -> String { String(s.map { $0 == ";" || $0 == "=" || $0.isNewline ? "_" : $0 }) }
}

/// XML 1.0 text: the five entities escaped, characters XML cannot carry dropped.
enum XML {
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for u in s.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(u)
            default:
                let v = u.value
                if v < 0x20 || (0xFFFE...0xFFFF).contains(v) { continue }
                out.unicodeScalars.append(u)
            }
        }
        return out
    }
}
