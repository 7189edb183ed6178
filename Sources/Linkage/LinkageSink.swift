import Events
import Foundation

/// Where the outbox is relayed to: a broker, a webhook. A sink says which entries it wants and
/// tries one delivery at a time; the relay retries, gives up and keeps the cursor.
public protocol LinkageSink: Sendable {
    /// The relay's name in the store (`mqtt`, `webhook:NAME`): its cursor and dead letters.
    var name: String { get }
    /// An entry older than this that still fails is given up (a dead letter); nil: never, the
    /// relay waits for the subscriber however long it is away.
    var maxAge: Double? { get }
    func wants(_ entry: OutboxEntry) -> Bool
    func deliver(_ entry: OutboxEntry) async -> Delivery
}

public enum Delivery: Sendable, Equatable {
    case delivered
    /// Worth trying again later (unreachable, timed out, a 5xx, 429).
    case retry(String)
    /// Refused for good (a 4xx): retrying the same bytes cannot help.
    case refused(String)
}
