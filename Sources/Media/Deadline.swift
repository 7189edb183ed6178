import CFFmpeg
import Foundation
import Synchronization

/// Bounds every blocking libav call: libav polls the interrupt callback while it waits on the
/// network, and gives up with AVERROR_EXIT once the deadline passes or the owner cancels.
final class Deadline: Sendable {
    private let deadlineNanos = Atomic<UInt64>(.max)
    private let cancelled = Atomic<Bool>(false)
    private let expiredFlag = Atomic<Bool>(false)

    /// Arms the deadline `seconds` from now (monotonic clock).
    func arm(_ seconds: Double) {
        expiredFlag.store(false, ordering: .relaxed)
        deadlineNanos.store(DispatchTime.now().uptimeNanoseconds + UInt64(max(0, seconds) * 1e9), ordering: .relaxed)
    }

    func disarm() { deadlineNanos.store(.max, ordering: .relaxed) }

    func cancel() { cancelled.store(true, ordering: .relaxed) }

    var isCancelled: Bool { cancelled.load(ordering: .relaxed) }

    /// True when the last interrupt was due to the deadline (not cancellation).
    var expired: Bool { expiredFlag.load(ordering: .relaxed) }

    fileprivate func shouldInterrupt() -> Bool {
        if cancelled.load(ordering: .relaxed) { return true }
        if DispatchTime.now().uptimeNanoseconds >= deadlineNanos.load(ordering: .relaxed) {
            expiredFlag.store(true, ordering: .relaxed)
            return true
        }
        return false
    }

    /// The C callback libav calls; `opaque` is an unretained pointer to the owning `Deadline`.
    var callback: AVIOInterruptCB {
        AVIOInterruptCB(
            callback: { opaque in
                guard let opaque else { return 0 }
                return Unmanaged<Deadline>.fromOpaque(opaque).takeUnretainedValue().shouldInterrupt() ? 1 : 0
            },
            opaque: Unmanaged.passUnretained(self).toOpaque()
        )
    }
}
