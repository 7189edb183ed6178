/// When a camera's crowd-density pass is due, how late it is, and how long its map stays usable:
/// one pass every `interval` seconds of stream time (`densityEvery` while a zone is dense,
/// `densityCheckEvery` otherwise). Late passes are served by how overdue they are, in intervals
/// as people passes are (`InferenceLane`), so that on an overloaded node the density maps thin
/// out evenly across cameras instead of going to whichever camera asked in a quiet moment. Pure:
/// the caller passes the frame's segment and stream time.
public struct DensityCadence: Sendable, Equatable {
    /// Where in the first interval of a segment this camera's first pass falls, 0 to 1: the cameras
    /// of a node start within seconds of each other, and with every first pass at once every later
    /// one came due at once too (32 cameras' 30 s checks skipped together, each skip shedding every
    /// camera's deblocking for 10 s). Spread over 5 s, 24 single-stream cameras' checks still
    /// skipped passes on a node 14 % idle; over the interval a first pass comes no later than the
    /// next one would.
    public let phase: Double
    private var last: Made?
    /// When the first pass of a segment that has no map yet was first asked for.
    private var firstAsked: Made?

    private struct Made: Sendable, Equatable {
        var segment: Int
        var time: Double
    }

    public init(phase: Double = 0) { self.phase = min(max(phase, 0), 1) }

    /// Due when no map was made in this segment (a reconnect starts over) and the camera's place in
    /// the first seconds has come, when stream time went back, or `interval` seconds after the last one.
    public func isDue(segment: Int, time: Double, interval: Double) -> Bool {
        guard let last, last.segment == segment, time >= last.time else {
            guard let firstAsked, firstAsked.segment == segment, time >= firstAsked.time else { return phase == 0 }
            return time - firstAsked.time >= firstWait(interval) - 0.001
        }
        return time - last.time >= interval - 0.001
    }

    /// Seconds into a segment at which its first pass is due.
    private func firstWait(_ interval: Double) -> Double { phase * interval }

    /// How late the pass due at `time` is, in intervals (0 for the first of a segment).
    public func overdue(segment: Int, time: Double, interval: Double) -> Double {
        guard let last, last.segment == segment, time >= last.time else { return 0 }
        return max(0, time - last.time - interval) / interval
    }

    /// Whether the pass is due on the frame at `time` and how late it is, in intervals. Unlike
    /// `overdue`, a pass never made in this segment is late by how long it has been due (from its
    /// first asking plus the camera's place in the first seconds): on a
    /// full node a camera whose first pass was skipped would otherwise stay 0 late, and lose every
    /// slot to cameras already served (64 cameras: half never got a density pass in 60 s).
    public mutating func ask(segment: Int, time: Double, interval: Double) -> (isDue: Bool, overdue: Double) {
        if let last, last.segment == segment, time >= last.time {
            return (isDue(segment: segment, time: time, interval: interval), overdue(segment: segment, time: time, interval: interval))
        }
        if firstAsked.map({ $0.segment != segment || time < $0.time }) ?? true { firstAsked = Made(segment: segment, time: time) }
        let waited = time - firstAsked!.time, wait = firstWait(interval)
        return (waited >= wait - 0.001, max(0, waited - wait) / interval)
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
