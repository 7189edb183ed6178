import Foundation

/// The publish schema: what another producer (the fall-detection system, a script, the office's
/// `POST /api/events`) may say about an event. Only producer fields; the queue's workflow fields
/// and evidence files belong to the server, so naming one is an error, not something ignored.
public enum ProducerEvents {
    /// Fields a producer sets (the shared schema, ../shared/DESIGN.md).
    public static let producerFields: Set<String> = [
        "schemaVersion", "id", "dedupKey", "incidentId", "type", "subtype", "priority", "level", "source",
        "location", "occurredAt", "detectedAt", "payload",
    ]
    /// Fields of the queue's workflow: set by the office's actions and the store, never published.
    public static let workflowFields: Set<String> = [
        "state", "escalated", "repeats", "lastSeenAt", "claimedBy", "leaseUntil", "escalationStep", "held", "publishedAt",
    ]
    public static let fallDeviceTypes = ["wearable", "radar", "camera", "pullcord"]

    /// Bounds on what a producer may publish.
    public struct Limits: Sendable, Equatable {
        /// How far in the future an event's time may be (producers' clocks drift; a year 9999 is no clock).
        public var maxFutureSkew: TimeInterval
        /// No camera or sensor of this system produced anything before this.
        public var earliest: Date
        /// Nesting of `payload` (a deeper one is refused rather than stored and choked on later).
        public var maxPayloadDepth: Int

        public static let standard = Limits(maxFutureSkew: 300, earliest: Date(timeIntervalSince1970: 946_684_800), maxPayloadDepth: 16)

        public init(maxFutureSkew: TimeInterval, earliest: Date, maxPayloadDepth: Int) {
            self.maxFutureSkew = maxFutureSkew
            self.earliest = earliest
            self.maxPayloadDepth = maxPayloadDepth
        }
    }

    /// Decodes one event or an array of them; every problem is reported with its place.
    /// `generatedIds` are the indices of events that came without an id.
    public static func decode(_ data: Data, limits: Limits = .standard, now: Date = Date())
        -> (events: [Event], problems: [String], generatedIds: [Int]) {
        guard let root = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else {
            return ([], ["not valid JSON (or nested deeper than a JSON parser accepts): expected an event object or an array of events"], [])
        }
        let items: [Any] = (root as? [Any]) ?? [root]
        var events: [Event] = [], problems: [String] = [], generated: [Int] = []
        let decoder = EventJSON.decoder()
        for (i, item) in items.enumerated() {
            let place = root is [Any] ? "events[\(i)]" : "event"
            guard let object = item as? [String: Any] else { problems.append("\(place): expected an object"); continue }
            let fieldProblems = checkFields(object, place: place, limits: limits)
            problems += fieldProblems
            guard fieldProblems.isEmpty else { continue }
            do {
                let body = try JSONSerialization.data(withJSONObject: object)
                let event = try decoder.decode(Event.self, from: body)
                problems += check(event, place: place, limits: limits, now: now)
                if object["id"] == nil { generated.append(i) }
                events.append(event)
            } catch let error as DecodingError {
                problems.append("\(place)\(describe(error))")
            } catch {
                problems.append("\(place): \(error)")
            }
        }
        return (events, problems, generated)
    }

    /// The field names themselves: workflow fields and evidence are refused by name, unknown ones too.
    static func checkFields(_ object: [String: Any], place: String, limits: Limits) -> [String] {
        var problems: [String] = []
        for key in object.keys.sorted() where !producerFields.contains(key) {
            if workflowFields.contains(key) {
                problems.append("\(place).\(key): a workflow field, set by the office and the queue, never by a producer")
            } else if key == "evidence" || key == "pendingEvidence" {
                problems.append("\(place).evidence: evidence is stored and hashed by the server: upload a picture with POST /api/events/{id}/evidence")
            } else {
                problems.append("\(place).\(key): unknown field (producer fields: \(producerFields.sorted().joined(separator: ", ")))")
            }
        }
        if let payload = object["payload"], depth(of: payload) > limits.maxPayloadDepth {
            problems.append("\(place).payload: nested deeper than \(limits.maxPayloadDepth) levels")
        }
        if let path = firstString(in: object, path: place, where: { $0.unicodeScalars.contains("\0") }) {
            problems.append("\(path): contains a NUL character")
        }
        return problems
    }

    static func check(_ e: Event, place: String, limits: Limits, now: Date) -> [String] {
        var problems: [String] = []
        if !isDottedName(e.type.rawValue) { problems.append("\(place).type: expected a dotted name such as fall.detected, got '\(printable(e.type.rawValue))'") }
        let identifiers: [(String, String?)] = [
            ("subtype", e.subtype?.rawValue), ("dedupKey", e.dedupKey), ("incidentId", e.incidentId),
            ("source.producer", e.source.producer), ("source.camera", e.source.camera), ("source.deviceId", e.source.deviceId),
            ("source.cameraName", e.source.cameraName), ("source.group", e.source.group), ("source.zone", e.source.zone),
        ]
        for (name, value) in identifiers {
            guard let value else { continue }
            if let why = identifierProblem(value) { problems.append("\(place).\(name): \(why)") }
        }
        if e.source.producer.isEmpty { problems.append("\(place).source.producer: expected the producing system, e.g. fall-detection") }
        // Any other level is refused as the event is decoded; `none` only clears a level Retina announced.
        if e.level == CrowdLevel.none {
            problems.append("\(place).level: expected one of \(CrowdLevel.warnings.map(\.rawValue).joined(separator: ", ")), got 'none'")
        }
        // detectedAt defaults to occurredAt: checked on its own only when it differs.
        for (name, time) in [("occurredAt", e.occurredAt)] + (e.detectedAt == e.occurredAt ? [] : [("detectedAt", e.detectedAt)]) {
            if time < limits.earliest {
                problems.append("\(place).\(name): \(RFC3339.format(time)) is before \(RFC3339.format(limits.earliest)): not a clock of this system")
            } else if time > now.addingTimeInterval(limits.maxFutureSkew) {
                problems.append("\(place).\(name): \(RFC3339.format(time)) is more than \(Int(limits.maxFutureSkew)) s ahead of this server's clock")
            }
        }
        if e.type.isFall {
            let payload = e.payload.objectValue ?? [:]
            if payload["subjectRef"]?.stringValue?.isEmpty ?? true {
                problems.append("\(place).payload.subjectRef: a fall names its (pseudonymous) subject, e.g. \"resident-0412\"")
            }
            if let device = payload["deviceType"]?.stringValue, !fallDeviceTypes.contains(device) {
                problems.append("\(place).payload.deviceType: expected one of \(fallDeviceTypes.joined(separator: ", ")), got '\(printable(device))'")
            }
        }
        return problems
    }

    /// `fall.detected`, `motion.anomaly`: lower-case words joined by dots, at most 64 characters.
    public static func isDottedName(_ s: String) -> Bool {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        return s.count <= 64 && parts.count >= 2 && parts.allSatisfy { part in
            !part.isEmpty && part.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" }
        }
    }

    /// An identifier is printed in tables, logs and SQL columns: no control characters, at most 200 characters.
    public static func identifierProblem(_ s: String) -> String? {
        if s.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return "contains a control character (\(printable(s)))"
        }
        if s.count > 200 { return "longer than 200 characters" }
        return nil
    }

    /// Control characters shown as escapes, so an error message cannot itself break a terminal or a log line.
    static func printable(_ s: String) -> String {
        String(String.UnicodeScalarView(s.prefix(80).unicodeScalars.flatMap { scalar -> [Unicode.Scalar] in
            scalar.properties.generalCategory == .control ? Array(scalar.escaped(asASCII: true).unicodeScalars) : [scalar]
        }))
    }

    static func depth(of value: Any) -> Int {
        if let a = value as? [Any] { return 1 + (a.map(depth).max() ?? 0) }
        if let o = value as? [String: Any] { return 1 + (o.values.map(depth).max() ?? 0) }
        return 0
    }

    /// The place of the first string (key or value) that matches, for the error message.
    static func firstString(in value: Any, path: String, where matches: (String) -> Bool) -> String? {
        if let s = value as? String { return matches(s) ? path : nil }
        if let a = value as? [Any] {
            for (i, v) in a.enumerated() { if let p = firstString(in: v, path: "\(path)[\(i)]", where: matches) { return p } }
        }
        if let o = value as? [String: Any] {
            for (k, v) in o.sorted(by: { $0.key < $1.key }) {
                if matches(k) { return "\(path).\(printable(k))" }
                if let p = firstString(in: v, path: "\(path).\(k)", where: matches) { return p }
            }
        }
        return nil
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ codingPath: [CodingKey]) -> String {
            codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        }
        switch error {
        case .keyNotFound(let key, let context): return "\(path(context.codingPath)).\(key.stringValue): is required"
        case .typeMismatch(let type, let context): return "\(path(context.codingPath)): expected \(type)"
        case .valueNotFound(let type, let context): return "\(path(context.codingPath)): expected \(type), got null"
        case .dataCorrupted(let context): return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default: return ": \(error)"
        }
    }
}
