import Dispatch

/// Runs one camera's analysis (detectors: seconds of CPU per minute of video) on a serial
/// dispatch queue of its own instead of Swift's cooperative pool, which has one thread per core
/// and must stay free for the office server, the publisher and the store.
public final class AnalysisExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked: the queue is the only state and DispatchQueue is thread-safe.
    private let queue: DispatchQueue

    /// Set on each analysis queue to its label: `DispatchQueue.getSpecific(key:)` tells code (and
    /// tests) which camera's queue it runs on.
    public static let queueKey = DispatchSpecificKey<String>()

    public init(label: String) {
        queue = DispatchQueue(label: label, qos: .userInitiated)
        queue.setSpecific(key: Self.queueKey, value: label)
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
