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
    /// Evidence that arrives after its event (clips), written once the event is in the store.
    private let attachments = Mutex<[Attachment]>([])
    /// Events the store folded into an open one (same dedup key): their evidence goes there.
    private let merged = Mutex<(into: [UUID: UUID], order: [UUID])>(([:], []))

    private struct Attachment {
        var refs: [EvidenceRef]
        var id: UUID
        var misses = 0
    }

    /// The lease this worker publishes under (a supervised worker); nil: unfenced.
    private let fence: LeaseFence?
    private let fencedFlag = Atomic<Bool>(false)
    private let onFenced: @Sendable () -> Void

    /// - Parameters:
    ///   - fence: every publish is refused by the store once this lease is lost (another node
    ///     serves the group); the publisher then stops and calls `onFenced` once.
    public init(store: any EventStore, fence: LeaseFence? = nil, onFenced: @escaping @Sendable () -> Void = {},
                logger: Logger = Logger(label: "retina.publish")) {
        self.store = store
        self.fence = fence
        self.onFenced = onFenced
        self.logger = logger
    }

    /// Whether the store refused this worker's lease: it must stop serving its group.
    public var isFenced: Bool { fencedFlag.load(ordering: .relaxed) }

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

    /// Queues evidence for an event published earlier (or about to be); it is added to the stored
    /// event (`EventStore.addEvidence`) after the event itself is committed.
    public func attach(_ refs: [EvidenceRef], to id: UUID) {
        attachments.withLock { $0.append(Attachment(refs: refs, id: id)) }
    }

    /// Writes everything queued now; retries for up to `timeout` seconds while the store fails.
    public func flush(timeout: Double = 30) async {
        let until = Date().addingTimeInterval(timeout)
        while await !writePending(), Date() < until {
            try? await Task.sleep(for: .milliseconds(250))
        }
        let left = pending.withLock { $0.count }
        if left > 0 { logger.error("\(left) events could not be written to the store before shutdown") }
        let refs = attachments.withLock { $0.count }
        if refs > 0 { logger.error("evidence of \(refs) events could not be added to the store before shutdown") }
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
        guard !batch.isEmpty else { return await writeAttachments() }
        // A fenced worker publishes nothing more: the group's new holder detects on its own.
        guard !isFenced else { return true }
        do {
            let outcomes = try await store.publish(batch, fence: fence)
            published.add(outcomes.filter { $0 == .inserted }.count, ordering: .relaxed)
            remember(merges: zip(batch, outcomes).compactMap { event, outcome in
                if case .merged(let into) = outcome { (event.id, into) } else { nil }
            })
            let attached = await writeAttachments()
            return attached && pending.withLock { $0.isEmpty }
        } catch StoreError.fenced(let lost) {
            if !fencedFlag.exchange(true, ordering: .relaxed) {
                logger.error("lease lost (\(lost)): \(batch.count) event(s) not published; stopping this group's worker")
                onFenced()
            }
            return true
        } catch {
            // Put them back in front, in order; publish is idempotent, so a retry is harmless.
            pending.withLock { $0.insert(contentsOf: batch, at: 0) }
            logger.warning("store write failed, will retry: \(error)")
            return false
        }
    }

    private func remember(merges: [(UUID, UUID)]) {
        guard !merges.isEmpty else { return }
        merged.withLock { m in
            for (id, into) in merges where m.into.updateValue(into, forKey: id) == nil { m.order.append(id) }
            // Clips arrive seconds after their event: the last few thousand merges are plenty.
            while m.order.count > 4096 { m.into[m.order.removeFirst()] = nil }
        }
    }

    /// Adds queued evidence to stored events; returns true when none is left.
    private func writeAttachments() async -> Bool {
        let batch = attachments.withLock { a -> [Attachment] in
            let b = a
            a.removeAll()
            return b
        }
        guard !batch.isEmpty else { return true }
        var retry: [Attachment] = []
        for var a in batch {
            // An event still waiting in the batch is not in the store yet.
            if pending.withLock({ p in p.contains { $0.id == a.id } }) { retry.append(a); continue }
            let target = merged.withLock { $0.into[a.id] } ?? a.id
            do {
                try await store.addEvidence(a.refs, to: target, by: "retina", now: Date())
            } catch WorkflowError.notFound(_) {
                // Not committed yet by another path, or purged: give it a few seconds, then say so.
                a.misses += 1
                if a.misses < 25 { retry.append(a) }
                else { logger.error("event \(a.id.uuidString.lowercased()) is not in the store: its \(a.refs.map(\.kind.rawValue).joined(separator: ", ")) evidence is not recorded") }
            } catch {
                logger.warning("adding evidence failed, will retry: \(error)")
                retry.append(a)
            }
        }
        guard !retry.isEmpty else { return true }
        attachments.withLock { $0.insert(contentsOf: retry, at: 0) }
        return false
    }
}
