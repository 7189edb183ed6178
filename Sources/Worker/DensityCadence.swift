/// When a camera's crowd-density pass is due, how late it is, and how long its map stays usable:
/// one pass every `interval` seconds of stream time (`densityEvery` while a zone is dense,
/// `densityCheckEvery` otherwise). Late passes are served by how overdue they are, in intervals
/// as people passes are (`InferenceLane`), so that on an overloaded node the density maps thin
/// out evenly across cameras instead of going to whichever camera asked in a quiet moment. Pure:
/// the caller passes the frame's segment and stream time.
public struct DensityCadence: Sendable, Equatable {
    private var last: Made?

    private struct Made: Sendable, Equatable {
        var segment: Int
        var time: Double
    }

    public init() {}

    /// Due when no map was made in this segment (a reconnect starts over), stream time went back,
    /// or `interval` seconds have passed since the last one.
    public func isDue(segment: Int, time: Double, interval: Double) -> Bool {
        guard let last, last.segment == segment, time >= last.time else { return true }
        return time - last.time >= interval - 0.001
    }

    /// How late the pass due at `time` is, in intervals (0 for the first of a segment).
    public func overdue(segment: Int, time: Double, interval: Double) -> Double {
        guard let last, last.segment == segment, time >= last.time else { return 0 }
        return max(0, time - last.time - interval) / interval
    }

    /// Records a map made from the frame at `time`.
    public mutating func made(segment: Int, time: Double) { last = Made(segment: segment, time: time) }

    /// Whether the map made last may stand for the frame at `time`: the same segment and at most two
    /// intervals old.
    public func usable(segment: Int, time: Double, interval: Double) -> Bool {
        guard let last else { return false }
        return last.segment == segment && time >= last.time && time - last.time <= 2 * interval
    }
}
