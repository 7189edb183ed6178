/// Where an event stands in the security office's workflow.
public enum EventState: String, Sendable, Codable, CaseIterable {
    case new, claimed, acknowledged, resolved
    case falseAlarm = "false_alarm"
}
