/// Which events a subscriber of the linkage out (a property office's webhook, say) is sent: by
/// type (`fall.*` names a family), by priority (P2 and more urgent), by camera group and camera.
/// An empty list lets everything through.
public struct SubscriptionFilter: Sendable, Equatable {
    public var types: [String]
    public var minPriority: Priority?
    public var groups: [String]
    public var cameras: [String]

    public init(types: [String] = [], minPriority: Priority? = nil, groups: [String] = [], cameras: [String] = []) {
        self.types = types
        self.minPriority = minPriority
        self.groups = groups
        self.cameras = cameras
    }

    public func matches(type: EventType, priority: Priority, group: String?, camera: String?) -> Bool {
        if !types.isEmpty, !types.contains(where: { Self.type(type.rawValue, matches: $0) }) { return false }
        if let minPriority, priority > minPriority { return false }
        if !groups.isEmpty, !(group.map(groups.contains) ?? false) { return false }
        if !cameras.isEmpty, !(camera.map(cameras.contains) ?? false) { return false }
        return true
    }

    /// `crowd.density` names one type, `fall.*` every type under `fall.`.
    public static func type(_ type: String, matches pattern: String) -> Bool {
        pattern.hasSuffix(".*") ? type.hasPrefix(String(pattern.dropLast())) : type == pattern
    }

    /// A pattern a filter accepts: a type name, or a family `NAME.*`.
    public static func isPattern(_ s: String) -> Bool {
        let name = s.hasSuffix(".*") ? String(s.dropLast(2)) : s
        return !name.isEmpty && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "_" || $0 == "-") }
            && !name.hasPrefix(".") && !name.hasSuffix(".")
    }
}
