import Events
import Foundation
import Logging
import Synchronization

/// Batches a worker's events into the store off the camera threads. A failed write is retried;
/// nothing is dropped, and `flush()` returns only when everything handed in is committed (or the
/// store kept failing until `flush`'s deadline, which is logged with the count left).
public final class EventPublisher: Sendable {
    private let store: any EventStore
    private let pending = Mutex<[Event]>([])
    private let logger: Logger
    private let published = Atomic<Int>(0)
    private let loop = Mutex<Task<Void, Never>?>(nil)

    public init(store: any EventStore, logger: Logger = Logger(label: "retina.publish")) {
        self.store = store
        self.logger = logger
    }

    /// Events committed so far.
    public var publishedCount: Int { published.load(ordering: .relaxed) }

    public func start(interval: Duration = .milliseconds(200)) {
        let task = Task { [self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                await writePending()
            }
        }
        loop.withLock { $0 = task }
    }

    /// Queues an event; it is committed within the batching interval.
    public func publish(_ event: Event) {
        pending.withLock { $0.append(event) }
    }

    /// Writes everything queued now; retries for up to `timeout` seconds while the store fails.
    public func flush(timeout: Double = 30) async {
        let until = Date().addingTimeInterval(timeout)
        while await !writePending(), Date() < until {
            try? await Task.sleep(for: .milliseconds(250))
        }
        let left = pending.withLock { $0.count }
        if left > 0 { logger.error("\(left) events could not be written to the store before shutdown") }
    }

    /// Stops the batching loop after a final flush.
    public func stop() async {
        loop.withLock { $0?.cancel() }
        await flush()
    }

    /// Returns true when nothing is left to write.
    @discardableResult
    private func writePending() async -> Bool {
        let batch = pending.withLock { p -> [Event] in
            let b = p
            p.removeAll(keepingCapacity: true)
            return b
        }
        guard !batch.isEmpty else { return true }
        do {
            let outcomes = try await store.publish(batch)
            published.add(outcomes.filter { $0 == .inserted }.count, ordering: .relaxed)
            return pending.withLock { $0.isEmpty }
        } catch {
            // Put them back in front, in order; publish is idempotent, so a retry is harmless.
            pending.withLock { $0.insert(contentsOf: batch, at: 0) }
            logger.warning("store write failed, will retry: \(error)")
            return false
        }
    }
}
