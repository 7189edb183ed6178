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

/// A camera's health as the worker last reported it.
public struct CameraHealthRecord: Sendable, Codable, Equatable {
    public var camera: String
    public var group: String?
    public var state: CameraState
    public var since: Date
    public var lastError: String?
    public var decodedFps: Double
    public var analysedFps: Double
    public var droppedFrames: Int
    public var reconnectsLastHour: Int
    public var stallsLastHour: Int
    public var reportedAt: Date

    public init(camera: String, group: String?, state: CameraState, since: Date, lastError: String?, decodedFps: Double,
                analysedFps: Double, droppedFrames: Int, reconnectsLastHour: Int, stallsLastHour: Int, reportedAt: Date) {
        self.camera = camera
        self.group = group
        self.state = state
        self.since = since
        self.lastError = lastError
        self.decodedFps = decodedFps
        self.analysedFps = analysedFps
        self.droppedFrames = droppedFrames
        self.reconnectsLastHour = reconnectsLastHour
        self.stallsLastHour = stallsLastHour
        self.reportedAt = reportedAt
    }
}

/// The durable dispatch queue. `publish` is durable (committed when it returns) and idempotent by
/// event id. Implementations never block Swift's cooperative pool.
public protocol EventStore: GroupLeaseStore {
    /// Publishes under `fence` (nil: no lease is checked). `actor` names the publisher in the history
    /// (the office's token holder); nil: the event's own `source.producer` (Retina's workers). An id
    /// already published, or already folded into another event by its dedup key, is a `duplicate`.
    func publish(_ events: [Event], by actor: String?, fence: LeaseFence?) async throws -> [PublishOutcome]
    func list(_ query: EventQuery) async throws -> [Event]
    func event(id: UUID) async throws -> Event?
    func reportHealth(_ records: [CameraHealthRecord]) async throws
    func health() async throws -> [CameraHealthRecord]
    func close() async

    // The security office's workflow (see `Workflow.swift`).
    func claimNext(by actor: String, lease: Double, now: Date) async throws -> Event?
    /// `overridingClaims`: the caller may act on another's live claim (a supervisor).
    func perform(_ action: WorkflowAction, on id: UUID, by actor: String, overridingClaims: Bool, note: String?, lease: Double,
                 now: Date) async throws -> Event
    func history(of id: UUID) async throws -> [HistoryEntry]
    func escalateOverdue(policy: EscalationPolicy, now: Date) async throws -> [Event]
    func applyRetention(olderThan cutoff: Date) async throws -> Int
    /// The event whose id starts with `prefix` (as `events list` shows it); nil if none, an error if several.
    func resolveId(prefix: String) async throws -> UUID?

    // The office's bearer tokens (only their hashes are stored) and its live feed of queue changes.
    /// Creates a token for `name` with `role`; returns the token itself (shown once, never stored).
    func createToken(name: String, role: Role, now: Date) async throws -> String
    /// The holder of `token`, or nil when it is unknown.
    func holder(of token: String) async throws -> TokenHolder?
    /// Every token, oldest first (ids and holders only).
    func tokens() async throws -> [TokenInfo]
    /// Removes the token whose id starts with `id`; nil when there is none.
    func revokeToken(id: String) async throws -> TokenInfo?
    /// History rows appended after `seq` (every change to the queue appends one), oldest first.
    func changes(after seq: Int, limit: Int) async throws -> [(seq: Int, eventId: UUID, action: String)]
    /// The newest history row's number (0 for an empty queue).
    func lastChange() async throws -> Int

    /// Adds evidence that arrived after the event opened (a clip is complete only after its
    /// post-event seconds); appends an `evidence_added` history row. Refs already there are skipped.
    func addEvidence(_ refs: [EvidenceRef], to id: UUID, by actor: String, now: Date) async throws
}

extension EventStore {
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

    public func createToken(name: String, role: Role) async throws -> String {
        try await createToken(name: name, role: role, now: Date())
    }

    public func changes(after seq: Int) async throws -> [(seq: Int, eventId: UUID, action: String)] {
        try await changes(after: seq, limit: 500)
    }
}

/// Errors from the store, saying what to do.
public enum StoreError: Error, Sendable, CustomStringConvertible {
    case badURL(String)
    case open(path: String, reason: String)
    case sql(String)
    case unsupported(String)
    /// The worker's node no longer holds its camera group: another node serves it now.
    case fenced(LeaseFence)

    public var description: String {
        switch self {
        case .badURL(let u):
            return "store URL '\(u)' not understood — use sqlite:PATH (e.g. sqlite:retina.db) or postgres://user@host/db"
        case .open(let path, let reason): return "cannot open store \(path): \(reason)"
        case .sql(let m): return "store: \(m)"
        case .unsupported(let m): return m
        case .fenced(let f): return "lease lost (\(f)): another node serves this group now; nothing was published"
        }
    }
}

/// Opens a store from its URL: `sqlite:PATH` (also a bare path ending in .db) or `postgres://…`.
public enum StoreURL {
    public static let defaultURL = "sqlite:retina.db"

    /// The URL to use: the explicit one, else `RETINA_STORE`, else `./retina.db`.
    public static func resolve(_ explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        explicit ?? environment["RETINA_STORE"] ?? defaultURL
    }

    public static func open(_ url: String) throws -> any EventStore {
        if url.hasPrefix("sqlite:") {
            var path = String(url.dropFirst("sqlite:".count))
            if path.hasPrefix("//") { path = String(path.dropFirst(2)) }
            guard !path.isEmpty else { throw StoreError.badURL(url) }
            return try SQLiteEventStore(path: path)
        }
        if url.hasSuffix(".db") || url.hasSuffix(".sqlite") { return try SQLiteEventStore(path: url) }
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            return try PostgresEventStore(url: url)
        }
        throw StoreError.badURL(url)
    }
}
