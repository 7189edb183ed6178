import Dispatch
import Foundation
import Synchronization

/// Whether the machine is short of CPU, for every camera of the process at once. Work that is not
/// buffered tells it when it had to be dropped (the inference lane skipping a due people pass);
/// each camera's deblock governor reads it, so that under `deblock: auto` decoding gets cheaper
/// before analysis loses passes. Decoders at their lower priority keep real time on a full machine
/// (they are buffered): it is the unbuffered work that shows the machine is full. Optional work (a
/// pass's closer look, a follow-up) asks `hasHeadroom`: the machine idle enough as well. Spare passes,
/// the most optional (a moving picture looked at more often than its schedule), take only CPU time
/// budgeted from the idle beyond `spareIdle` (`maySpare`, `spentSpare`), and their time counts as
/// idle for `hasHeadroom`: they give way to everything else.
public final class NodeLoad: Sendable {
    /// The process's one: what the inference lane reports and every camera's ingest reads.
    public static let process = NodeLoad()

    /// Seconds the machine counts as short after the last report: shedding on a single skip and
    /// taking the filter back a moment later would only move the shortage around.
    public let hold: Double
    /// The least share of the machine's CPU time idle, over the last `sampleEvery` or so, for optional work.
    public let headroomIdle: Double
    /// The share of the machine's CPU time spare passes leave idle. More than `headroomIdle`: with
    /// them at 22 % idle, 32 dual-stream cameras skipped a scheduled pass now and then (none without
    /// them at 28 %), and every skip sheds the decoders' deblocking for 10 s.
    public let spareIdle: Double
    private let lastShort = Atomic<UInt64>(0)
    /// The machine's CPU time, idle and all (any unit), since boot; nil where it cannot be read.
    private let readCPU: @Sendable () -> (idle: UInt64, total: UInt64)?
    private let sampleEvery: Double
    /// `readCPU`'s units a second of one thread's CPU time.
    private let ticksPerSecond: Double
    private let sampled = Mutex<Sample?>(nil)
    /// Monotonic nanoseconds (never 0).
    private let clock: @Sendable () -> UInt64

    private struct Sample {
        var at: UInt64, idle: UInt64, total: UInt64
        /// Idle share between this sample and the one before; `headroom`, with the spare passes' time as idle.
        var share: Double?, headroom: Double?
        /// Spare passes' CPU time allowed until the next sample, and spent since this one (`readCPU`'s units).
        var budget = 0.0, spent = 0.0
    }

    public init(hold: Double = 10, headroomIdle: Double = 0.25, spareIdle: Double = 0.4, sampleEvery: Double = 1,
                ticksPerSecond: Double = NodeLoad.clockTicks, clock: @escaping @Sendable () -> UInt64 = NodeLoad.now,
                readCPU: @escaping @Sendable () -> (idle: UInt64, total: UInt64)? = NodeLoad.procStat) {
        self.hold = hold
        self.headroomIdle = headroomIdle
        self.spareIdle = spareIdle
        self.sampleEvery = sampleEvery
        self.ticksPerSecond = ticksPerSecond
        self.clock = clock
        self.readCPU = readCPU
    }

    /// Work that could not wait was dropped now.
    public func reportShort() { lastShort.store(clock(), ordering: .relaxed) }

    /// A report came within the last `hold` seconds.
    public var isShort: Bool {
        let last = lastShort.load(ordering: .relaxed)
        return last > 0 && Double(clock().subtractingSaturated(last)) < hold * 1e9
    }

    /// Whether optional work may run now: not short, and the machine at least `headroomIdle` idle
    /// between the last two samples of its CPU time (taken at most every `sampleEvery` seconds, by
    /// whoever asks; none before two samples, nor where the CPU time cannot be read). On a full
    /// node it is off before any pass is skipped: the capacity measured without it stays.
    public var hasHeadroom: Bool {
        guard !isShort else { return false }
        return (sample { $0?.headroom } ?? 0) >= headroomIdle
    }

    /// Whether a spare pass may run now: not short, and spare passes have not spent the CPU time
    /// budgeted for them since the last sample. The budget steers the machine's idle share towards
    /// `spareIdle`: each sample it moves half the way from what spare passes spent to what would
    /// have left exactly that idle (half: a sample is noisy, and a pass's wall time is only about its
    /// CPU time). A budget of the idle beyond it alone, without what was spent, would swing between
    /// all and nothing every sample.
    public var maySpare: Bool {
        guard !isShort else { return false }
        return sample { s in s.map { $0.spent < $0.budget } ?? false }
    }

    /// A spare pass took this many seconds of one thread.
    public func spentSpare(seconds: Double) {
        sampled.withLock { s in s?.spent += max(0, seconds) * ticksPerSecond }
    }

    /// The share of the machine's CPU time idle between the last two samples.
    public func idleShare() -> Double? { sample { $0?.share } }

    /// `read` of the latest sample, taking a new one first where the last is `sampleEvery` old.
    private func sample<T>(_ read: (Sample?) -> T) -> T {
        sampled.withLock { s in
            // The clock is read under the lock: read before it, another caller's later sample
            // could be stored first (every camera asks at once; an overflow stopped a worker).
            let now = clock()
            if let last = s, Double(now.subtractingSaturated(last.at)) < sampleEvery * 1e9 { return read(last) }
            guard let cpu = readCPU() else { return read(s) }
            var next = Sample(at: now, idle: cpu.idle, total: cpu.total, share: s?.share, headroom: s?.headroom)
            if let last = s, cpu.total > last.total, cpu.idle >= last.idle {
                let idle = Double(cpu.idle - last.idle), total = Double(cpu.total - last.total)
                next.share = idle / total
                next.headroom = min(1, (idle + last.spent) / total)
                next.budget = max(0, last.spent + 0.5 * (idle - spareIdle * total))
            }
            s = next
            return read(next)
        }
    }

    /// The kernel's clock ticks a second, the unit of /proc/stat.
    public static let clockTicks: Double = { let t = sysconf(Int32(_SC_CLK_TCK)); return t > 0 ? Double(t) : 100 }()

    /// The whole machine's CPU time from /proc/stat's `cpu` line (idle and I/O wait as idle).
    public static func procStat() -> (idle: UInt64, total: UInt64)? {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") }) else { return nil }
        let fields = line.split(separator: " ").dropFirst().compactMap { UInt64($0) }
        guard fields.count >= 5 else { return nil }
        // user nice system idle iowait irq softirq steal (guest time is already in user).
        return (fields[3] + fields[4], fields.prefix(8).reduce(0, +))
    }

    public static func now() -> UInt64 { max(1, DispatchTime.now().uptimeNanoseconds) }
}

private extension UInt64 {
    /// `self - other`, or 0 where `other` is later (a time another thread read after this one).
    func subtractingSaturated(_ other: UInt64) -> UInt64 { self >= other ? self - other : 0 }
}
