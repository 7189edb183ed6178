import Foundation
import Synchronization
import Vocabulary

/// A camera's ingest health at one moment.
public struct IngestHealth: Sendable, Equatable {
    public var state: CameraState = .connecting
    public var since: Date = Date()
    public var lastError: String?
    public var stream: StreamInfo?
    public var reconnectsLastHour = 0
    public var stallsLastHour = 0
    /// Since the ingest started (monotonic, for metrics counters).
    public var reconnectsTotal = 0
    public var stallsTotal = 0
    public var framesDecoded = 0
    public var framesSampled = 0
    /// Frames decoded without the deblocking filter (`DeblockPolicy`): shed load, not lost frames.
    public var framesUndeblocked = 0
    public var decodedFps: Double = 0
    /// Packets the decoder rejected as corrupt.
    public var corruptPackets = 0
}

/// Thread-safe health record written by the ingest thread and read by anyone.
public final class IngestHealthRecorder: Sendable {
    private struct State {
        var health = IngestHealth()
        var reconnects: [Date] = []
        var stalls: [Date] = []
        var windowStart = Date()
        var windowFrames = 0
    }
    private let state = Mutex(State())

    public init() {}

    public var snapshot: IngestHealth {
        state.withLock { s in
            let hourAgo = Date().addingTimeInterval(-3600)
            s.reconnects.removeAll { $0 < hourAgo }
            s.stalls.removeAll { $0 < hourAgo }
            var h = s.health
            h.reconnectsLastHour = s.reconnects.count
            h.stallsLastHour = s.stalls.count
            // A stream that stopped delivering has a rate of zero, not its last measured rate.
            if h.state != .streaming { h.decodedFps = 0 }
            return h
        }
    }

    func set(_ newState: CameraState, error: String? = nil) {
        state.withLock { s in
            if s.health.state != newState { s.health.since = Date() }
            s.health.state = newState
            if let error { s.health.lastError = error }
            if newState == .streaming { s.windowStart = Date(); s.windowFrames = 0 }
        }
    }

    func connected(_ info: StreamInfo) { state.withLock { $0.health.stream = info } }
    func reconnecting() { state.withLock { $0.reconnects.append(Date()); $0.health.reconnectsTotal += 1 } }
    func stalled() { state.withLock { $0.stalls.append(Date()); $0.health.stallsTotal += 1 } }
    func corruptPacket() { state.withLock { $0.health.corruptPackets += 1 } }

    func decoded(sampled: Bool, undeblocked: Bool) {
        state.withLock { s in
            s.health.framesDecoded += 1
            if undeblocked { s.health.framesUndeblocked += 1 }
            if sampled { s.health.framesSampled += 1 }
            s.windowFrames += 1
            let elapsed = Date().timeIntervalSince(s.windowStart)
            if elapsed >= 2 {
                s.health.decodedFps = Double(s.windowFrames) / elapsed
                s.windowStart = Date()
                s.windowFrames = 0
            }
        }
    }
}
