import Foundation

/// What the security office does to an event. Every action appends a history row.
public enum WorkflowAction: String, Sendable, Codable, CaseIterable {
    case claim, release, acknowledge, resolve
    case falseAlarm = "false_alarm"
    /// Police linkage: marks the event `escalated` (the state does not change).
    case escalate
    case note
    /// Legal hold (an export includes it): retention never removes the event or its evidence.
    case hold
    /// A supervisor hands a claimed event to another operator (the note names them).
    case reassign

    /// The state an action leads to from `state`, or nil when it is not allowed there.
    public func target(from state: EventState) -> EventState? {
        switch (self, state) {
        case (.claim, .new): .claimed
        case (.release, .claimed): .new
        case (.acknowledge, .new), (.acknowledge, .claimed): .acknowledged
        case (.resolve, .claimed), (.resolve, .acknowledged): .resolved
        case (.falseAlarm, .new), (.falseAlarm, .claimed), (.falseAlarm, .acknowledged): .falseAlarm
        case (.escalate, _), (.note, _), (.hold, _): state
        case (.reassign, .claimed), (.reassign, .new): .claimed
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
        case .leaseHeld(let id, let by): "event \(id.uuidString.lowercased()) is claimed by \(by): only they or a supervisor may act on it until they release it or the lease expires"
        }
    }
}

// MARK: - Transitions, shared by every store

/// What the stores do to an event, as pure functions: each store loads the event under its own
/// lock (a SQLite IMMEDIATE transaction, a PostgreSQL row lock), applies one of these, then writes
/// the event and the returned history row in the same transaction.
public enum Transitions {
    /// Applies `action`; throws `WorkflowError.notAllowed` when the state forbids it. Claiming
    /// again what one already holds renews the lease.
    public static func apply(_ action: WorkflowAction, to event: inout Event, by actor: String, note: String?,
                             lease: Double, now: Date) throws -> HistoryEntry {
        guard let target = action.target(from: event.state) else {
            if action == .claim, event.state == .claimed, event.claimedBy == actor {
                event.leaseUntil = now.addingTimeInterval(lease)
                return HistoryEntry(at: now, actor: actor, action: "lease_renewed", from: .claimed, to: .claimed, note: note)
            }
            throw WorkflowError.notAllowed(id: event.id, action: action, state: event.state)
        }
        let from = event.state
        event.state = target
        switch action {
        case .claim:
            event.claimedBy = actor
            event.leaseUntil = now.addingTimeInterval(lease)
        case .release:
            event.claimedBy = nil
            event.leaseUntil = nil
        case .acknowledge, .resolve, .falseAlarm:
            event.leaseUntil = nil
            if event.claimedBy == nil { event.claimedBy = actor }
        case .escalate:
            event.escalated = true
        case .hold:
            event.held = true
        case .reassign:
            // The new holder is the note; the lease starts again for them.
            guard let to = note?.trimmingCharacters(in: .whitespaces), !to.isEmpty else {
                throw WorkflowError.notAllowed(id: event.id, action: action, state: from)
            }
            event.claimedBy = to
            event.leaseUntil = now.addingTimeInterval(lease)
        case .note:
            break
        }
        return HistoryEntry(at: now, actor: actor, action: action.rawValue, from: from, to: target, note: note)
    }

    /// Refuses to act on an event someone else holds under a live claim: claiming it (a claim by
    /// its holder renews it), and releasing, acknowledging, resolving or dismissing it, unless the
    /// caller may override claims (a supervisor). Notes, escalation and holds stay open to all.
    public static func checkClaim(_ action: WorkflowAction, on event: Event, by actor: String, overriding: Bool = false) throws {
        guard event.state == .claimed, let holder = event.claimedBy, holder != actor else { return }
        switch action {
        case .claim: throw WorkflowError.leaseHeld(id: event.id, by: holder)
        case .release, .acknowledge, .resolve, .falseAlarm:
            if !overriding { throw WorkflowError.leaseHeld(id: event.id, by: holder) }
        case .escalate, .note, .hold, .reassign: break
        }
    }

    /// Returns an expired claim to the queue.
    public static func expireLease(of event: inout Event, now: Date) -> HistoryEntry {
        let holder = event.claimedBy ?? "?"
        event.state = .new
        event.claimedBy = nil
        event.leaseUntil = nil
        return HistoryEntry(at: now, actor: "retina", action: "lease_expired", from: .claimed, to: .new, note: "claim by \(holder) expired")
    }

    /// Raises an unacknowledged P1's escalation step when its age has reached a new one; nil when not.
    public static func escalateIfOverdue(_ event: inout Event, policy: EscalationPolicy, now: Date) -> HistoryEntry? {
        let age = now.timeIntervalSince(event.publishedAt ?? event.detectedAt)
        let step = policy.step(forAge: age)
        guard step > event.escalationStep else { return nil }
        let from = event.escalationStep
        event.escalationStep = step
        let target = policy.targets.indices.contains(step - 1) ? policy.targets[step - 1] : "step \(step)"
        return HistoryEntry(at: now, actor: "retina", action: "escalated_unacknowledged", from: event.state, to: event.state,
                            note: "unacknowledged \(Int(age)) s (step \(from) → \(step)): to \(target)")
    }

    /// Someone was shown restricted evidence (a home camera's clear picture or clip): the event
    /// does not change, its history says who saw what and when.
    public static func viewed(_ ref: EvidenceRef, of event: Event, by actor: String, now: Date) -> HistoryEntry {
        let what = "\(ref.privacy?.rawValue ?? "") \(ref.kind.rawValue) \(ref.sha256.map { String($0.prefix(12)) } ?? ref.uri)"
        return HistoryEntry(at: now, actor: actor, action: "evidence_viewed", from: event.state, to: event.state,
                            note: what.trimmingCharacters(in: .whitespaces))
    }

    /// Adds evidence refs not yet on the event; nil when all were there.
    public static func addEvidence(_ refs: [EvidenceRef], to event: inout Event, by actor: String, now: Date) -> HistoryEntry? {
        let new = refs.filter { r in !event.evidence.contains { $0.uri == r.uri } }
        guard !new.isEmpty else { return nil }
        event.evidence += new
        let what = new.map { "\($0.kind.rawValue) \($0.sha256.map { String($0.prefix(12)) } ?? "")" }.joined(separator: ", ")
        return HistoryEntry(at: now, actor: actor, action: "evidence_added", from: event.state, to: event.state, note: what)
    }

    /// Ends the pending part of kind `completion.kind` recorded for `eventId` (this event, or one
    /// folded into it): a recorded file joins the evidence, a missing one is noted in the history.
    /// Nil when nothing changes (a retry).
    public static func completeEvidence(_ completion: EvidenceCompletion, for eventId: UUID, on event: inout Event, by actor: String,
                                        now: Date) -> HistoryEntry? {
        let waited = event.pendingEvidence.firstIndex { $0.kind == completion.kind && $0.eventId == eventId }
        if let waited { event.pendingEvidence.remove(at: waited) }
        switch completion {
        case .recorded(let ref):
            if let entry = addEvidence([ref], to: &event, by: actor, now: now) { return entry }
            // Already there: only the pending mark changed, if anything.
            return waited.map { _ in HistoryEntry(at: now, actor: actor, action: "evidence_added", from: event.state, to: event.state,
                                                  note: "\(ref.kind) already recorded") }
        case .missing(let kind, let reason):
            return waited.map { _ in HistoryEntry(at: now, actor: actor, action: "evidence_missing", from: event.state, to: event.state,
                                                  note: "\(kind): \(reason)") }
        }
    }

    /// Folds a repeat of an open event's condition (same dedup key) into it: repeats, last seen,
    /// latest payload, new evidence and pending evidence; priority and level only ever rise.
    public static func fold(_ repeated: Event, into existing: inout Event) {
        existing.repeats += 1
        existing.lastSeenAt = max(existing.lastSeenAt ?? existing.occurredAt, repeated.occurredAt)
        // The boxes belong to the picture they were found on: a repeat without a snapshot of its own
        // keeps the boxes of the event's snapshot (or none), not those of a frame nobody kept.
        var payload = repeated.payload
        if !repeated.evidence.contains(where: { $0.kind == .snapshot }), case .object(var fields) = payload {
            fields[DetectedObject.payloadKey] = existing.payload[DetectedObject.payloadKey]
            payload = .object(fields)
        }
        existing.payload = payload
        existing.evidence += repeated.evidence.filter { e in !existing.evidence.contains { $0.uri == e.uri } }
        // The repeat's clip is still being recorded: it completes here (the store follows the alias).
        existing.pendingEvidence += repeated.pendingEvidence
        if repeated.priority < existing.priority {
            existing.priority = repeated.priority
            existing.level = repeated.level ?? existing.level
        }
    }
}
