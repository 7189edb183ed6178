import Foundation
import Media
import Vocabulary

/// Decides when a camera outage becomes a `camera.offline` event and when `camera.online` follows:
/// one pair per outage, however many reconnect attempts it takes. Short blips (a reconnect that
/// succeeds within `offlineAfter`) produce no event at all.
public struct OutageReporter: Sendable {
    public enum Report: Sendable, Equatable {
        /// `reason` is always set: the last error of this outage, or what its state says.
        case offline(since: Date, reason: String)
        case online(downFor: Double)
    }

    public let offlineAfter: Double
    private var downSince: Date?
    private var reported = false
    /// The last error of the current outage (an earlier outage's error says nothing about this one).
    private var lastReason: String?
    private var lastState = CameraState.connecting

    public init(offlineAfter: Double) { self.offlineAfter = offlineAfter }

    /// Feed every ingest state change.
    public mutating func update(_ state: CameraState, reason: String?, at now: Date) -> Report? {
        switch state {
        case .streaming:
            defer { downSince = nil; reported = false; lastReason = nil }
            if reported, let since = downSince { return .online(downFor: now.timeIntervalSince(since)) }
            return nil
        case .stopped:
            return nil
        case .connecting, .stalled, .backoff, .failed:
            if let reason { lastReason = reason }
            lastState = state
            // A new connection attempt is not the end of the outage; the first sign of trouble starts it.
            if downSince == nil { downSince = now }
            return tick(at: now)
        }
    }

    /// Call periodically: reports the outage once it has lasted `offlineAfter`.
    public mutating func tick(at now: Date) -> Report? {
        guard let since = downSince, !reported, now.timeIntervalSince(since) >= offlineAfter else { return nil }
        reported = true
        return .offline(since: since, reason: lastReason ?? knownReason(downFor: now.timeIntervalSince(since)))
    }

    /// What the state says when no error has come yet: an open that times out just as the outage
    /// reaches `offlineAfter` reports its error a moment after this tick.
    private func knownReason(downFor seconds: Double) -> String {
        let s = seconds == seconds.rounded() ? String(Int(seconds)) : String(format: "%.1f", seconds)
        switch lastState {
        case .stalled: return "stalled: no frame for over \(s) s"
        case .backoff: return "not connected after \(s) s (waiting to reconnect)"
        case .failed: return "not connected after \(s) s (the last attempt failed)"
        case .connecting, .streaming, .stopped: return "not connected after \(s) s (opening)"
        }
    }
}
