import Foundation

/// What the security office does to an event. Every action appends a history row.
public enum WorkflowAction: String, Sendable, Codable, CaseIterable {
    case claim, release, acknowledge, resolve
    case falseAlarm = "false_alarm"
    /// Police linkage: marks the event `escalated` (the state does not change).
    case escalate
    case note

    /// The state an action leads to from `state`, or nil when it is not allowed there.
    public func target(from state: EventState) -> EventState? {
        switch (self, state) {
        case (.claim, .new): .claimed
        case (.release, .claimed): .new
        case (.acknowledge, .new), (.acknowledge, .claimed): .acknowledged
        case (.resolve, .claimed), (.resolve, .acknowledged): .resolved
        case (.falseAlarm, .new), (.falseAlarm, .claimed), (.falseAlarm, .acknowledged): .falseAlarm
        case (.escalate, _), (.note, _): state
        default: nil
        }
    }
}

/// One row of an event's append-only history.
public struct HistoryEntry: Sendable, Codable, Equatable {
    public var at: Date
    public var actor: String
    public var action: String
    public var from: EventState?
    public var to: EventState?
    public var note: String?

    public init(at: Date, actor: String, action: String, from: EventState?, to: EventState?, note: String?) {
        self.at = at
        self.actor = actor
        self.action = action
        self.from = from
        self.to = to
        self.note = note
    }
}

/// When an unacknowledged P1 escalates (STANDARDS-NOTES §7.2: 60 s to the supervisor, 180 s to the
/// next tier).
public struct EscalationPolicy: Sendable, Equatable {
    /// Seconds after publication for each step; step n is reached after `steps[n-1]`.
    public var steps: [Double]
    /// Who each step goes to, for the history and the office page.
    public var targets: [String]

    public static let standard = EscalationPolicy(steps: [60, 180], targets: ["supervisor", "next tier (物业 → 居委/网格 → 110/120)"])

    public init(steps: [Double], targets: [String]) {
        self.steps = steps
        self.targets = targets
    }

    /// The step an event published `age` seconds ago has reached (0: none).
    public func step(forAge age: Double) -> Int { steps.filter { age >= $0 }.count }
}

/// A workflow request the store refused, saying why.
public enum WorkflowError: Error, Sendable, Equatable, CustomStringConvertible {
    case notFound(UUID)
    case notAllowed(id: UUID, action: WorkflowAction, state: EventState)
    case leaseHeld(id: UUID, by: String)

    public var description: String {
        switch self {
        case .notFound(let id): "no event \(id.uuidString.lowercased())"
        case .notAllowed(let id, let action, let state):
            "event \(id.uuidString.lowercased()) is \(state.rawValue): cannot \(action.rawValue.replacingOccurrences(of: "_", with: " ")) it"
        case .leaseHeld(let id, let by): "event \(id.uuidString.lowercased()) is claimed by \(by); release it or wait for the lease to expire"
        }
    }
}
