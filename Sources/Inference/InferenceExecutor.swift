import Foundation

/// Runs blocking work — inference above all — on threads of its own, so async callers wait on a
/// continuation and never hold a thread of Swift's cooperative pool. Jobs run in the order given,
/// on as many threads as asked. Queued jobs still run when the executor goes away; then its threads end.
public final class InferenceExecutor: Sendable {
    private let queue: JobQueue

    /// `name`: the threads' name, numbered (`retina-infer-0`); Linux keeps 15 characters of it.
    /// `niceness`: how much nicer than the rest of the process the threads run (work that may
    /// wait for idle CPU; Linux keeps nice per thread).
    public init(threads: Int = 1, name: String = "retina-infer", niceness: Int32 = 0) {
        queue = JobQueue()
        for index in 0..<max(1, threads) {
            // The thread holds the queue, not the executor: the executor's deinit closes it. Named
            // from inside: on Linux a name set before start does not reach the thread.
            Thread { [queue] in
                Thread.current.name = "\(name)-\(index)"
                if niceness > 0 {
                    let which = __priority_which_t(PRIO_PROCESS.rawValue)
                    _ = setpriority(which, 0, getpriority(which, 0) + niceness)
                }
                queue.work()
            }.start()
        }
    }

    /// Runs `job` on one of the executor's threads, in order, and returns at once.
    public func async(_ job: @escaping @Sendable () -> Void) { queue.add(job) }

    deinit { queue.close() }

    /// `work`'s result, computed on one of the executor's threads.
    public func run<T: Sendable>(_ work: @escaping @Sendable () throws(InferenceError) -> T) async throws(InferenceError) -> T {
        let result: Result<T, InferenceError> = await withCheckedContinuation { continuation in
            queue.add { continuation.resume(returning: Result { () throws(InferenceError) in try work() }) }
        }
        return try result.get()
    }

    /// `session.run(inputs)` on one of the executor's threads.
    public func run(_ session: InferenceSession, _ inputs: [Tensor]) async throws(InferenceError) -> [Tensor] {
        try await run { () throws(InferenceError) in try session.run(inputs) }
    }
}

/// The jobs waiting for an executor's threads.
private final class JobQueue: @unchecked Sendable {
    // Guarded by `condition`.
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var closed = false

    func add(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    /// A thread's loop: the next job, until the queue is closed and empty.
    func work() {
        while true {
            condition.lock()
            while jobs.isEmpty && !closed { condition.wait() }
            if jobs.isEmpty { condition.unlock(); return }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
    }
}
