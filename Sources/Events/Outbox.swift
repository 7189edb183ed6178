import Foundation

/// One version of an event as the store wrote it: every insert and every change of an event's
/// document adds one, in the same transaction (a trigger on `events`), so a relay that reads them
/// in order misses none. `before` is the version before it, when the outbox has it.
public struct OutboxEntry: Sendable {
    public var seq: Int
    public var at: Date
    /// The event's first version (it was published), not a change of it.
    public var inserted: Bool
    public var before: Event?
    public var after: Event

    public init(seq: Int, at: Date, inserted: Bool, before: Event?, after: Event) {
        self.seq = seq
        self.at = at
        self.inserted = inserted
        self.before = before
        self.after = after
    }
}

/// Where a relay to one subscriber (a broker, a webhook) stands: the last outbox entry it has
/// delivered or given up on, and who is delivering.
public struct RelayState: Sendable, Codable, Equatable {
    public var sink: String
    public var seq: Int
    /// The outbox's last entry when this was read: `end - seq` entries wait.
    public var end: Int
    public var holder: String?
    public var leaseUntil: Date?
    public var delivered: Int
    public var lastError: String?
    public var lastErrorAt: Date?
    public var updatedAt: Date
}

/// An outbox entry a subscriber refused for good (or that failed past its age limit): kept, with
/// the reason, for an operator to see and send again.
public struct DeadLetter: Sendable, Codable, Equatable {
    public var id: Int
    public var sink: String
    public var seq: Int
    public var eventId: UUID
    public var at: Date
    public var attempts: Int
    public var error: String
}

/// The store's side of linkage out: the outbox of event versions, one cursor per subscriber held
/// under a lease (one process delivers to a subscriber at a time), and the dead letters.
public protocol OutboxStore: Sendable {
    /// Entries after `seq`, oldest first.
    func outbox(after seq: Int, limit: Int) async throws -> [OutboxEntry]
    /// The last entry's seq (0 when empty).
    func outboxEnd() async throws -> Int
    /// Takes or renews the relay of `sink` for `holder` and returns its cursor; nil while another
    /// holder's lease runs. A subscriber seen for the first time starts at the outbox's end: it
    /// gets what happens from now on, not the store's past.
    func holdRelay(_ sink: String, holder: String, ttl: Double, now: Date) async throws -> Int?
    /// Moves the cursor to `seq` (`delivered` more sent) and clears or sets its last error; throws
    /// `StoreError.relayLost` when `holder` no longer holds it.
    func advanceRelay(_ sink: String, holder: String, to seq: Int, delivered: Int, error: String?, now: Date) async throws
    /// Gives up on one entry: a dead letter, and the cursor past it, in one transaction.
    func deadLetter(_ sink: String, holder: String, entry: OutboxEntry, attempts: Int, error: String, now: Date) async throws
    func deadLetters(limit: Int) async throws -> [DeadLetter]
    func relays() async throws -> [RelayState]
}

/// A relay's next version of an event, for a subscriber: new when it was published, end when it
/// reached a final state, update otherwise (Frigate's `type`).
public enum OutboxChange: String, Sendable, Codable {
    case new, update, end

    public init(_ entry: OutboxEntry) {
        let final: Set<EventState> = [.resolved, .falseAlarm]
        if entry.inserted {
            self = .new
        } else if final.contains(entry.after.state), !(entry.before.map { final.contains($0.state) } ?? false) {
            self = .end
        } else {
            self = .update
        }
    }
}
