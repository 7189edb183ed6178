import Foundation
import Media

/// Decides when a camera outage becomes a `camera.offline` event and when `camera.online` follows:
/// one pair per outage, however many reconnect attempts it takes. Short blips (a reconnect that
/// succeeds within `offlineAfter`) produce no event at all.
public struct OutageReporter: Sendable {
    public enum Report: Sendable, Equatable {
        case offline(since: Date, reason: String?)
        case online(downFor: Double)
    }

    public let offlineAfter: Double
    private var downSince: Date?
    private var reported = false
    private var lastReason: String?

    public init(offlineAfter: Double) { self.offlineAfter = offlineAfter }

    /// Feed every ingest state change.
    public mutating func update(_ state: IngestState, reason: String?, at now: Date) -> Report? {
        if let reason { lastReason = reason }
        switch state {
        case .streaming:
            defer { downSince = nil; reported = false }
            if reported, let since = downSince { return .online(downFor: now.timeIntervalSince(since)) }
            return nil
        case .stopped:
            return nil
        case .connecting, .stalled, .backoff, .failed:
            // A new connection attempt is not the end of the outage; the first sign of trouble starts it.
            if downSince == nil { downSince = now }
            return tick(at: now)
        }
    }

    /// Call periodically: reports the outage once it has lasted `offlineAfter`.
    public mutating func tick(at now: Date) -> Report? {
        guard let since = downSince, !reported, now.timeIntervalSince(since) >= offlineAfter else { return nil }
        reported = true
        return .offline(since: since, reason: lastReason)
    }
}
