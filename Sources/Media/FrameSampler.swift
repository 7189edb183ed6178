/// Picks the frames to analyse from a stream: at most `fps` per second of stream time, evenly
/// spaced, whatever rate the camera sends. Frames it rejects are never scaled.
public struct FrameSampler: Sendable {
    public let fps: Double
    private var next: Double?

    public init(fps: Double) { self.fps = fps }

    public mutating func accept(_ time: Double) -> Bool {
        guard fps > 0 else { return true }
        let period = 1 / fps
        // A small tolerance absorbs timestamp jitter (29.97 fps, RTP clock rounding).
        let tolerance = period * 0.1
        if let due = next, time + tolerance < due, due - time < 2 * period + 1 {
            return false
        }
        // Keep a regular grid; after a jump (or the first frame) restart it from this frame.
        if let due = next, time + tolerance >= due, time - due < period {
            next = due + period
        } else {
            next = time + period
        }
        return true
    }

    public mutating func reset() { next = nil }
}
