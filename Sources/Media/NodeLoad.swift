import Dispatch
import Foundation
import Synchronization

/// Whether the machine is short of CPU, for every camera of the process at once. Work that is not
/// buffered tells it when it had to be dropped (the inference lane skipping a due people pass);
/// each camera's deblock governor reads it, so that under `deblock: auto` decoding gets cheaper
/// before analysis loses passes. Decoders at their lower priority keep real time on a full machine
/// (they are buffered): it is the unbuffered work that shows the machine is full. Optional work (a
/// pass's closer look) asks `hasHeadroom`: the machine idle enough as well.
public final class NodeLoad: Sendable {
    /// The process's one: what the inference lane reports and every camera's ingest reads.
    public static let process = NodeLoad()

    /// Seconds the machine counts as short after the last report: shedding on a single skip and
    /// taking the filter back a moment later would only move the shortage around.
    public let hold: Double
    /// The least share of the machine's CPU time idle, over the last `sampleEvery` or so, for optional work.
    public let headroomIdle: Double
    private let lastShort = Atomic<UInt64>(0)
    /// The machine's CPU time, idle and all (any unit), since boot; nil where it cannot be read.
    private let readCPU: @Sendable () -> (idle: UInt64, total: UInt64)?
    private let sampleEvery: Double
    private let sampled = Mutex<(at: UInt64, idle: UInt64, total: UInt64, share: Double?)?>(nil)

    public init(hold: Double = 10, headroomIdle: Double = 0.25, sampleEvery: Double = 1,
                readCPU: @escaping @Sendable () -> (idle: UInt64, total: UInt64)? = NodeLoad.procStat) {
        self.hold = hold
        self.headroomIdle = headroomIdle
        self.sampleEvery = sampleEvery
        self.readCPU = readCPU
    }

    /// Work that could not wait was dropped now.
    public func reportShort() { lastShort.store(Self.now(), ordering: .relaxed) }

    /// A report came within the last `hold` seconds.
    public var isShort: Bool {
        let last = lastShort.load(ordering: .relaxed)
        return last > 0 && Double(Self.now().subtractingSaturated(last)) < hold * 1e9
    }

    /// Whether optional work may run now: not short, and the machine at least `headroomIdle` idle
    /// between the last two samples of its CPU time (taken at most every `sampleEvery` seconds, by
    /// whoever asks; none before two samples, nor where the CPU time cannot be read). On a full
    /// node it is off before any pass is skipped: the capacity measured without it stays.
    public var hasHeadroom: Bool {
        guard !isShort else { return false }
        return (idleShare() ?? 0) >= headroomIdle
    }

    /// The share of the machine's CPU time idle between the last two samples.
    public func idleShare() -> Double? {
        sampled.withLock { s in
            // The clock is read under the lock: read before it, another caller's later sample
            // could be stored first (every camera asks at once; an overflow stopped a worker).
            let now = Self.now()
            if let last = s, Double(now.subtractingSaturated(last.at)) < sampleEvery * 1e9 { return last.share }
            guard let cpu = readCPU() else { return s?.share }
            var share: Double?
            if let last = s, cpu.total > last.total, cpu.idle >= last.idle {
                share = Double(cpu.idle - last.idle) / Double(cpu.total - last.total)
            }
            s = (now, cpu.idle, cpu.total, share ?? s?.share)
            return s?.share
        }
    }

    /// The whole machine's CPU time from /proc/stat's `cpu` line (idle and I/O wait as idle).
    public static func procStat() -> (idle: UInt64, total: UInt64)? {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") }) else { return nil }
        let fields = line.split(separator: " ").dropFirst().compactMap { UInt64($0) }
        guard fields.count >= 5 else { return nil }
        // user nice system idle iowait irq softirq steal (guest time is already in user).
        return (fields[3] + fields[4], fields.prefix(8).reduce(0, +))
    }

    private static func now() -> UInt64 { max(1, DispatchTime.now().uptimeNanoseconds) }
}

private extension UInt64 {
    /// `self - other`, or 0 where `other` is later (a time another thread read after this one).
    func subtractingSaturated(_ other: UInt64) -> UInt64 { self >= other ? self - other : 0 }
}
