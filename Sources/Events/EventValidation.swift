import Foundation

/// Checks events that other producers publish (the fall-detection system, scripts), naming the
/// field and what was expected.
public enum EventValidation {
    public static let fallDeviceTypes = ["wearable", "radar", "camera", "pullcord"]

    /// Decodes one event or an array of them; every problem is reported with its place.
    public static func decode(_ data: Data) -> (events: [Event], problems: [String], generatedIds: [Int]) {
        guard let root = try? JSONSerialization.jsonObject(with: data) else {
            return ([], ["not valid JSON: expected an event object or an array of events"], [])
        }
        let items: [Any] = (root as? [Any]) ?? [root]
        var events: [Event] = [], problems: [String] = [], generated: [Int] = []
        let decoder = EventJSON.decoder()
        for (i, item) in items.enumerated() {
            let place = items.count == 1 && !(root is [Any]) ? "event" : "events[\(i)]"
            guard let object = item as? [String: Any] else { problems.append("\(place): expected an object"); continue }
            do {
                let body = try JSONSerialization.data(withJSONObject: object)
                let event = try decoder.decode(Event.self, from: body)
                problems += check(event, place: place)
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

    static func check(_ e: Event, place: String) -> [String] {
        var problems: [String] = []
        if e.type.isEmpty || e.type.contains(" ") { problems.append("\(place).type: expected a dotted name such as fall.detected, got '\(e.type)'") }
        if e.source.producer.isEmpty { problems.append("\(place).source.producer: expected the producing system, e.g. fall-detection") }
        if e.type.hasPrefix("fall.") {
            let payload = e.payload.objectValue ?? [:]
            if payload["subjectRef"]?.stringValue?.isEmpty ?? true {
                problems.append("\(place).payload.subjectRef: a fall names its (pseudonymous) subject, e.g. \"resident-0412\"")
            }
            if let device = payload["deviceType"]?.stringValue, !fallDeviceTypes.contains(device) {
                problems.append("\(place).payload.deviceType: expected one of \(fallDeviceTypes.joined(separator: ", ")), got '\(device)'")
            }
        }
        return problems
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
