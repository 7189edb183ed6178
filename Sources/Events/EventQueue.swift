import Foundation

/// Which events to list.
public struct EventQuery: Sendable, Equatable {
    public var types: [EventType] = []
    public var states: [EventState] = []
    public var camera: String?
    public var group: String?
    public var since: Date?
    public var until: Date?
    public var priorities: [Priority] = []
    public var incidentId: String?
    /// Queue order (priority first, then age) instead of newest first: what the office works from.
    public var queueOrder = false
    public var limit: Int = 100

    public init(types: [EventType] = [], states: [EventState] = [], camera: String? = nil, group: String? = nil,
                since: Date? = nil, until: Date? = nil, priorities: [Priority] = [], queueOrder: Bool = false, limit: Int = 100) {
        self.priorities = priorities
        self.queueOrder = queueOrder
        self.types = types
        self.states = states
        self.camera = camera
        self.group = group
        self.since = since
        self.until = until
        self.limit = limit
    }
}

/// What a publish did with each event.
public enum PublishOutcome: Sendable, Equatable {
    /// Committed as a new event.
    case inserted
    /// An event with this id was already there: nothing changed (publishing twice is harmless).
    case duplicate
    /// An open event with the same dedup key was there: it was updated (payload, repeats, last
    /// seen, and priority/level if this one is more urgent) instead of adding a row.
    case merged(into: UUID)
}

/// The durable dispatch queue: publishing and reading events, the security office's workflow (see
/// `Workflow.swift`), their history and the live feed of changes, evidence added later. `publish`
/// is durable (committed when it returns) and idempotent by event id. Implementations never block
/// Swift's cooperative pool.
public protocol EventQueue: Sendable {
    /// Publishes under `fence` (nil: no lease is checked). `actor` names the publisher in the history
    /// (the office's token holder); nil: the event's own `source.producer` (Retina's workers). An id
    /// already published, or already folded into another event by its dedup key, is a `duplicate`.
    func publish(_ events: [Event], by actor: String?, fence: LeaseFence?) async throws -> [PublishOutcome]
    func list(_ query: EventQuery) async throws -> [Event]
    func event(id: UUID) async throws -> Event?
    /// The event whose id starts with `prefix` (as `events list` shows it); nil if none, an error if several.
    func resolveId(prefix: String) async throws -> UUID?

    func claimNext(by actor: String, lease: Double, now: Date) async throws -> Event?
    /// `overridingClaims`: the caller may act on another's live claim (a supervisor).
    func perform(_ action: WorkflowAction, on id: UUID, by actor: String, overridingClaims: Bool, note: String?, lease: Double,
                 now: Date) async throws -> Event
    func history(of id: UUID) async throws -> [HistoryEntry]
    func escalateOverdue(policy: EscalationPolicy, now: Date) async throws -> [Event]
    func applyRetention(olderThan cutoff: Date) async throws -> Int

    /// History rows appended after `seq` (every change to the queue appends one), oldest first.
    func changes(after seq: Int, limit: Int) async throws -> [(seq: Int, eventId: UUID, action: String)]
    /// The newest history row's number (0 for an empty queue).
    func lastChange() async throws -> Int

    /// Adds evidence to a stored event (a producer's upload); appends an `evidence_added` history
    /// row. Refs already there are skipped.
    func addEvidence(_ refs: [EvidenceRef], to id: UUID, by actor: String, now: Date) async throws
    /// Completes the pending evidence (`Event.pendingEvidence`) recorded for `eventId`: on that
    /// event, or on the event it was folded into by its dedup key (`PublishOutcome.merged`), so the
    /// recorder needs to know nothing of merges. Appends `evidence_added` (or `evidence_missing`);
    /// a retry changes nothing. `WorkflowError.notFound` when neither is stored.
    func completeEvidence(eventId: UUID, _ completion: EvidenceCompletion, by actor: String, now: Date) async throws
    /// Records that `actor` was shown `ref` of event `id` (restricted evidence): appends an
    /// `evidence_viewed` history row, in the same transaction as reading the event.
    func recordEvidenceView(_ ref: EvidenceRef, of id: UUID, by actor: String, now: Date) async throws
}

extension EventQueue {
    public func publish(_ events: [Event]) async throws -> [PublishOutcome] {
        try await publish(events, by: nil, fence: nil)
    }

    public func publish(_ events: [Event], fence: LeaseFence?) async throws -> [PublishOutcome] {
        try await publish(events, by: nil, fence: fence)
    }

    public func perform(_ action: WorkflowAction, on id: UUID, by actor: String, note: String? = nil, lease: Double = 120,
                        now: Date = Date()) async throws -> Event {
        try await perform(action, on: id, by: actor, overridingClaims: false, note: note, lease: lease, now: now)
    }

    public func changes(after seq: Int) async throws -> [(seq: Int, eventId: UUID, action: String)] {
        try await changes(after: seq, limit: 500)
    }
}
