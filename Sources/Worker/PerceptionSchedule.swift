import RetinaConfig

/// When a camera's frame gets a learned detection pass: at most `rate` a second of video, and with
/// the `motion` gate only while the picture changes (the scene's changed pixels, the same evidence
/// the classical detectors use), plus one pass every `stillRefresh` seconds of a still picture so a
/// crowd that stopped moving is still counted. On spare CPU a camera passes more often: follow-ups
/// on what a pass left undecided, and spare passes while its picture moves (`spareRate`). Pure: the
/// caller passes the frame's time.
public struct PerceptionSchedule: Sendable, Equatable {
    /// Why a frame gets a pass.
    public enum Kind: Sendable, Equatable {
        /// Due on the schedule (`rate`): the node owes it, late or not.
        case scheduled
        /// Following up on something a pass left undecided (spare CPU, 0 late).
        case followUp
        /// A picture that moves, looked at more often than the schedule while the node has CPU to
        /// spare (`spareRate`); only where the inference lane is unused, never waited for.
        case spare
    }

    public let interval: Double
    public let gate: PerceptionSettings.Gate
    /// Seconds between spare passes; nil where the spare rate is no higher than the rate (or off).
    public let spareInterval: Double?
    /// Seconds of a still picture after which it is looked at again (motion gate).
    public static let stillRefresh = 10.0
    /// Share of the analysis pixels that changed since the previous frame from which a frame shows motion.
    public static let motionFraction = 0.002

    private var last: (segment: Int, time: Double)?
    /// Until when passes follow up on something a pass saw and left undecided (`followUp`).
    private var followingUp: (segment: Int, until: Double)?
    /// When the first pass of a segment, not run yet, was first asked for (`ask`).
    private var firstAsked: (segment: Int, time: Double)?
    /// When the next pass is due: one interval after the previous one was, so frames that do not
    /// fall on the interval still give `rate` passes a second on average.
    private var next = 0.0

    public init(rate: Double, gate: PerceptionSettings.Gate, spareRate: Double = 0) {
        interval = 1 / max(rate, 0.001)
        self.gate = gate
        spareInterval = spareRate > rate ? 1 / spareRate : nil
    }

    public init(_ settings: PerceptionSettings) { self.init(rate: settings.rate, gate: settings.gate, spareRate: settings.spareRate) }

    /// Whether a frame at stream `time` of `segment` is due a pass. The first frame of a segment
    /// always is (after a reconnect nothing from before counts); `changedFraction` is the frame's motion evidence.
    public func isDue(segment: Int, time: Double, changedFraction: Double) -> Bool {
        guard let last, last.segment == segment, time >= last.time else { return true }
        let since = time - last.time
        // A frame a little early by the frame spacing's rounding still counts as on time.
        guard time >= next - 0.001 else { return false }
        switch gate {
        case .always: return true
        case .motion: return changedFraction >= Self.motionFraction || since >= max(Self.stillRefresh, interval)
        }
    }

    /// How late a pass due at stream `time` of `segment` is on the schedule, in intervals (0 for the
    /// first of a segment): a camera whose passes were skipped grows overdue and is served first
    /// (`InferenceLane`, which ranks every kind of pass in its own intervals).
    public func overdue(segment: Int, time: Double) -> Double {
        guard let last, last.segment == segment else { return 0 }
        return max(0, time - next) / interval
    }

    /// Whether the frame at `time` is due a pass and how late that pass is, in intervals. Unlike
    /// `overdue`, the first pass of a segment is late by how long it has been asked for: on a full
    /// node a camera whose first pass was skipped would otherwise stay 0 late and lose every slot to
    /// cameras already served (64 cameras: the 5 that started last never got a people pass in 60 s).
    public mutating func ask(segment: Int, time: Double, changedFraction: Double) -> (isDue: Bool, overdue: Double) {
        let due = isDue(segment: segment, time: time, changedFraction: changedFraction)
        if let last, last.segment == segment, time >= last.time { return (due, due ? overdue(segment: segment, time: time) : 0) }
        if firstAsked.map({ $0.segment != segment || time < $0.time }) ?? true { firstAsked = (segment, time) }
        return (due, max(0, time - firstAsked!.time) / interval)
    }

    /// Seconds between follow-up passes: five a second, a camera's default analysis rate, so that
    /// `retina eval` at every frame of 10 fps footage follows up as a camera does.
    public static let followUpInterval = 0.2
    /// Seconds of video a pass that left something undecided is followed up for (the next
    /// undecided pass extends it; `VehicleWatch.Settings.decideSeconds` ends it for a vehicle).
    public static let followUpFor = 1.0

    /// Passes follow up for `followUpFor` seconds after the pass at stream `time` of `segment`: it
    /// saw something the behaviours decide on several sightings (a vehicle not yet confirmed, a
    /// first fast pass of people), and at one pass a second its event would come seconds late.
    public mutating func followUp(segment: Int, after time: Double) {
        let until = time + Self.followUpFor
        if followingUp.map({ $0.segment != segment || $0.until < until }) ?? true { followingUp = (segment, until) }
    }

    /// `ask`, and where the frame is not due on the schedule, whether it is due a follow-up
    /// (`isFollowUp`) or a spare pass (`isSpare`) that `allows` lets run (asked only then: the
    /// node's spare-CPU checks). Neither is late on the lane.
    public mutating func ask(segment: Int, time: Double, changedFraction: Double,
                             allows: (Kind) -> Bool) -> (isDue: Bool, overdue: Double, kind: Kind) {
        let asked = ask(segment: segment, time: time, changedFraction: changedFraction)
        if asked.isDue { return (true, asked.overdue, .scheduled) }
        let extra: Kind? = isFollowUp(segment: segment, time: time) ? .followUp
            : isSpare(segment: segment, time: time, changedFraction: changedFraction) ? .spare : nil
        if let extra, allows(extra) { return (true, 0, extra) }
        return (false, 0, .scheduled)
    }

    /// Whether the frame at `time`, not due on the schedule, is due a spare pass: the picture moves
    /// (any picture under the `always` gate) and the last pass was a `spareInterval` ago.
    public func isSpare(segment: Int, time: Double, changedFraction: Double) -> Bool {
        guard let spareInterval, let last, last.segment == segment, time >= last.time else { return false }
        guard gate == .always || changedFraction >= Self.motionFraction else { return false }
        return time - last.time >= spareInterval - 0.001
    }

    /// Whether the frame at `time`, not due on the schedule, is due a follow-up pass: one
    /// `followUpInterval` after the last pass, while following up. A follow-up is extra: 0 late on
    /// the lane (a camera's scheduled pass goes first) and the schedule keeps its times.
    public func isFollowUp(segment: Int, time: Double) -> Bool {
        guard let followingUp, followingUp.segment == segment, time <= followingUp.until,
              let last, last.segment == segment, time >= last.time else { return false }
        return time - last.time >= Self.followUpInterval - 0.001
    }

    /// Records that a pass ran on the frame at `time` (a skipped pass is not recorded: the next frame is due).
    public mutating func ran(segment: Int, time: Double) {
        // A follow-up or spare pass before the schedule's time leaves the schedule as it was.
        if last?.segment == segment, time < next - 0.001 {
            last = (segment, time)
            return
        }
        let onSchedule = last?.segment == segment && time - next < interval
        next = onSchedule ? next + interval : time + interval
        last = (segment, time)
        firstAsked = nil
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.interval == b.interval && a.gate == b.gate && a.spareInterval == b.spareInterval && a.next == b.next && a.last?.segment == b.last?.segment && a.last?.time == b.last?.time
            && a.firstAsked?.segment == b.firstAsked?.segment && a.firstAsked?.time == b.firstAsked?.time
            && a.followingUp?.segment == b.followingUp?.segment && a.followingUp?.until == b.followingUp?.until
    }
}
