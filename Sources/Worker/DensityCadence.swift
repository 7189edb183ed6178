/// When a camera's crowd-density pass is due, how late it is, and how long its map stays usable:
/// one pass every `interval` seconds of stream time (`densityEvery` while a zone is dense,
/// `densityCheckEvery` otherwise). Late passes are served by how overdue they are, in intervals
/// as people passes are (`InferenceLane`), so that on an overloaded node the density maps thin
/// out evenly across cameras instead of going to whichever camera asked in a quiet moment. Pure:
/// the caller passes the frame's segment and stream time.
public struct DensityCadence: Sendable, Equatable {
    private var last: Made?
    /// When the first pass of a segment that has no map yet was first asked for.
    private var firstAsked: Made?

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

    /// Whether the pass is due on the frame at `time` and how late it is, in intervals. Unlike
    /// `overdue`, a pass never made in this segment is late by how long it has been asked for: on a
    /// full node a camera whose first pass was skipped would otherwise stay 0 late, and lose every
    /// slot to cameras already served (64 cameras: half never got a density pass in 60 s).
    public mutating func ask(segment: Int, time: Double, interval: Double) -> (isDue: Bool, overdue: Double) {
        if let last, last.segment == segment, time >= last.time {
            return (isDue(segment: segment, time: time, interval: interval), overdue(segment: segment, time: time, interval: interval))
        }
        if firstAsked.map({ $0.segment != segment || time < $0.time }) ?? true { firstAsked = Made(segment: segment, time: time) }
        return (true, max(0, time - firstAsked!.time) / interval)
    }

    /// Records a map made from the frame at `time`.
    public mutating func made(segment: Int, time: Double) {
        last = Made(segment: segment, time: time)
        firstAsked = nil
    }

    /// Whether the map made last may stand for the frame at `time`: the same segment and at most two
    /// intervals old.
    public func usable(segment: Int, time: Double, interval: Double) -> Bool {
        guard let last else { return false }
        return last.segment == segment && time >= last.time && time - last.time <= 2 * interval
    }
}
