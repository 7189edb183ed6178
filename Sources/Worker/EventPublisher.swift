import Events
import Foundation
import Logging
import Synchronization

/// Batches a worker's events into the store off the camera threads. A failed write is retried;
/// nothing is dropped, and `flush()` returns only when everything handed in is committed (or the
/// store kept failing until `flush`'s deadline, which is logged with the count left).
///
/// An event's clip is published pending (`Event.pendingEvidence`) and completed later by event id
/// (`complete(_:of:)`). Completions are written after every event handed in before them, so the
/// event is in the store by then; the store itself follows a dedup merge to the event it went into.
public final class EventPublisher: Sendable {
    private let store: any EventQueue
    private let queue = Mutex(Queue())
    private let logger: Logger
    private let published = Atomic<Int>(0)
    private let merged = Atomic<Int>(0)
    private let loop = Mutex<Task<Void, Never>?>(nil)

    /// What is waiting to be written, each in the order it was handed in.
    private struct Queue {
        var events: [Event] = []
        var completions: [(eventId: UUID, completion: EvidenceCompletion)] = []
    }
    /// Zones' crowd samples for the office's charts: best effort, at most `maxSamples` waiting (the
    /// oldest go first while the store is away), never in the way of events.
    private let samples = Mutex<[ZoneSample]>([])
    private let maxSamples = 10_000
    /// How long the store keeps samples.
    public static let sampleRetention: Double = 7 * 86_400

    /// The lease this worker publishes under (a supervised worker); nil: unfenced.
    private let fence: LeaseFence?
    private let fencedFlag = Atomic<Bool>(false)
    private let onFenced: @Sendable () -> Void

    /// - Parameters:
    ///   - fence: every publish is refused by the store once this lease is lost (another node
    ///     serves the group); the publisher then stops and calls `onFenced` once.
    public init(store: any EventQueue, fence: LeaseFence? = nil, onFenced: @escaping @Sendable () -> Void = {},
                logger: Logger = Logger(label: "retina.publish")) {
        self.store = store
        self.fence = fence
        self.onFenced = onFenced
        self.logger = logger
    }

    /// Whether the store refused this worker's lease: it must stop serving its group.
    public var isFenced: Bool { fencedFlag.load(ordering: .relaxed) }

    /// Events committed so far as new events.
    public var publishedCount: Int { published.load(ordering: .relaxed) }
    /// Events folded into an open event of the same condition (its dedup key) instead: a repeat.
    public var mergedCount: Int { merged.load(ordering: .relaxed) }

    public func start(interval: Duration = .milliseconds(200)) {
        let task = Task { [self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                await writePending()
                await writeSamples()
            }
        }
        loop.withLock { $0 = task }
    }

    /// Queues an event; it is committed within the batching interval.
    public func publish(_ event: Event) {
        queue.withLock { $0.events.append(event) }
    }

    /// Queues the end of pending evidence recorded for `eventId` (published earlier through this
    /// publisher); it is written after that event.
    public func complete(_ completion: EvidenceCompletion, of eventId: UUID) {
        queue.withLock { $0.completions.append((eventId, completion)) }
    }

    /// Queues zone samples (the crowd charts); written with the next batch when the store keeps them.
    public func record(_ zoneSamples: [ZoneSample]) {
        guard !zoneSamples.isEmpty, store is any ZoneSampleStore else { return }
        samples.withLock { q in
            q += zoneSamples
            if q.count > maxSamples { q.removeFirst(q.count - maxSamples) }
        }
    }

    private func writeSamples() async {
        guard let sampleStore = store as? any ZoneSampleStore else { return }
        let batch = samples.withLock { q -> [ZoneSample] in defer { q = [] }; return q }
        guard !batch.isEmpty else { return }
        do {
            try await sampleStore.recordZoneSamples(batch, keep: Self.sampleRetention)
        } catch {
            samples.withLock { q in q = Array((batch + q).suffix(maxSamples)) }
            logger.warning("zone samples not written, will retry: \(error)")
        }
    }

    /// Writes everything queued now; retries for up to `timeout` seconds while the store fails.
    public func flush(timeout: Double = 30) async {
        let until = Date().addingTimeInterval(timeout)
        while await !writePending(), Date() < until {
            try? await Task.sleep(for: .milliseconds(250))
        }
        let left = queue.withLock { $0 }
        if !left.events.isEmpty { logger.error("\(left.events.count) events could not be written to the store before shutdown") }
        if !left.completions.isEmpty {
            logger.error("evidence of \(left.completions.count) events could not be completed in the store before shutdown")
        }
    }

    /// Stops the batching loop after a final flush.
    public func stop() async {
        loop.withLock { $0?.cancel() }
        await flush()
        await writeSamples()
    }

    /// Returns true when nothing is left to write.
    @discardableResult
    private func writePending() async -> Bool {
        // Both taken at once: every completion taken was queued after its event, so that event is
        // in this batch or was written before.
        let batch = queue.withLock { q -> Queue in
            defer { q = Queue() }
            return q
        }
        guard !batch.events.isEmpty || !batch.completions.isEmpty else { return true }
        // A fenced worker publishes nothing more: the group's new holder detects on its own.
        guard !isFenced else { return true }
        if !batch.events.isEmpty {
            do {
                let outcomes = try await store.publish(batch.events, fence: fence)
                published.add(outcomes.filter { $0 == .inserted }.count, ordering: .relaxed)
                merged.add(outcomes.filter { if case .merged = $0 { true } else { false } }.count, ordering: .relaxed)
            } catch StoreError.fenced(let lost) {
                if !fencedFlag.exchange(true, ordering: .relaxed) {
                    logger.error("lease lost (\(lost)): \(batch.events.count) event(s) not published; stopping this group's worker")
                    onFenced()
                }
                return true
            } catch {
                // Put them back in front, in order; publish is idempotent, so a retry is harmless.
                requeue(batch)
                logger.warning("store write failed, will retry: \(error)")
                return false
            }
        }
        let completed = await write(batch.completions)
        return completed && queue.withLock { $0.events.isEmpty && $0.completions.isEmpty }
    }

    /// Completes pending evidence in the store; returns false when a write failed (the rest is
    /// queued again, in order).
    private func write(_ completions: [(eventId: UUID, completion: EvidenceCompletion)]) async -> Bool {
        for (i, c) in completions.enumerated() {
            do {
                try await store.completeEvidence(eventId: c.eventId, c.completion, by: "retina", now: Date())
            } catch WorkflowError.notFound(_) {
                // Written after its event, so the event was never stored (refused) or is already purged.
                logger.error("event \(c.eventId.uuidString.lowercased()) is not in the store: its \(c.completion.kind) evidence is not recorded")
            } catch {
                requeue(Queue(completions: Array(completions[i...])))
                logger.warning("completing evidence failed, will retry: \(error)")
                return false
            }
        }
        return true
    }

    private func requeue(_ batch: Queue) {
        queue.withLock { q in
            q.events.insert(contentsOf: batch.events, at: 0)
            q.completions.insert(contentsOf: batch.completions, at: 0)
        }
    }
}
