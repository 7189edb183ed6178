import Events
import Foundation
import Logging

/// Relays the outbox to one sink, at least once: the cursor moves past an entry only after the
/// sink took it (or it was given up as a dead letter), and only while this process holds the
/// sink's lease in the store, so two processes (`retina serve` and `retina run` on one store, or
/// two nodes) do not both send. A sink that is away is waited for with backoff; its later entries
/// wait behind it, in order.
public struct LinkageRelay: Sendable {
    public var sink: any LinkageSink
    public var store: any OutboxStore
    public var holder: String
    public var logger: Logger
    /// The lease on the sink, renewed while delivering and between polls.
    public var lease: Double = 30
    /// How often the outbox is read when nothing is waiting.
    public var poll: Double = 0.5
    public var batch = 100
    public var firstBackoff: Double = 1
    /// At most half the lease, so a sleeping relay renews it in time.
    public var maxBackoff: Double = 15

    public init(sink: any LinkageSink, store: any OutboxStore, holder: String, logger: Logger) {
        self.sink = sink
        self.store = store
        self.holder = holder
        self.logger = logger
    }

    /// Until cancelled; then the lease is given up, so the next process need not wait for it.
    public func run() async {
        await deliverUntilCancelled()
        _ = try? await store.holdRelay(sink.name, holder: holder, ttl: 0, now: Date())
    }

    private func deliverUntilCancelled() async {
        var waitingForLease = false
        while !Task.isCancelled {
            do {
                guard let cursor = try await store.holdRelay(sink.name, holder: holder, ttl: lease, now: Date()) else {
                    if !waitingForLease { logger.info("linkage \(sink.name): another process delivers; standing by") }
                    waitingForLease = true
                    try await Task.sleep(for: .seconds(lease / 3))
                    continue
                }
                waitingForLease = false
                let entries = try await store.outbox(after: cursor, limit: batch)
                if entries.isEmpty {
                    try await Task.sleep(for: .seconds(poll))
                    continue
                }
                try await relay(entries)
            } catch is CancellationError {
                return
            } catch StoreError.relayLost {
                logger.warning("linkage \(sink.name): lease lost to another process; standing by")
            } catch {
                logger.error("linkage \(sink.name): \(error); trying again in 2 s")
                try? await Task.sleep(for: .seconds(2))
            }
        }
    }

    /// Delivers a batch in order; entries the sink does not want move the cursor with the next
    /// one it does (or at the batch's end).
    func relay(_ entries: [OutboxEntry]) async throws {
        var skippedTo: Int?
        var renewed = Date()
        for entry in entries {
            try Task.checkCancellation()
            if Date().timeIntervalSince(renewed) > lease / 3 {
                guard try await store.holdRelay(sink.name, holder: holder, ttl: lease, now: Date()) != nil else {
                    throw StoreError.relayLost(sink: sink.name)
                }
                renewed = Date()
            }
            guard sink.wants(entry) else { skippedTo = entry.seq; continue }
            try await deliver(entry)
            skippedTo = nil
        }
        if let skippedTo {
            try await store.advanceRelay(sink.name, holder: holder, to: skippedTo, delivered: 0, error: nil, now: Date())
        }
    }

    private func deliver(_ entry: OutboxEntry) async throws {
        var attempts = 0
        var backoff = firstBackoff
        while true {
            attempts += 1
            let outcome = await sink.deliver(entry)
            // Stopped mid-delivery: not the subscriber's failure; the entry stays for the next start.
            // One the subscriber took is recorded first, or the next start would send it again.
            if Task.isCancelled, case .delivered = outcome {
                try await store.advanceRelay(sink.name, holder: holder, to: entry.seq, delivered: 1, error: nil, now: Date())
            }
            try Task.checkCancellation()
            let now = Date()
            switch outcome {
            case .delivered:
                try await store.advanceRelay(sink.name, holder: holder, to: entry.seq, delivered: 1, error: nil, now: now)
                if attempts > 1 { logger.info("linkage \(sink.name): delivered entry \(entry.seq) after \(attempts) attempts") }
                return
            case .refused(let why):
                logger.error("linkage \(sink.name): entry \(entry.seq) (event \(entry.after.id)) refused: \(why); kept as a dead letter")
                try await store.deadLetter(sink.name, holder: holder, entry: entry, attempts: attempts, error: why, now: now)
                return
            case .retry(let why):
                if let maxAge = sink.maxAge, now.timeIntervalSince(entry.at) > maxAge {
                    logger.error("linkage \(sink.name): entry \(entry.seq) still failing after \(Int(maxAge)) s (\(why)); kept as a dead letter")
                    try await store.deadLetter(sink.name, holder: holder, entry: entry, attempts: attempts,
                                               error: "gave up after \(Int(maxAge)) s: \(why)", now: now)
                    return
                }
                if attempts == 1 || attempts.isMultiple(of: 10) {
                    logger.warning("linkage \(sink.name): \(why); trying entry \(entry.seq) again (attempt \(attempts + 1))")
                }
                // The error is shown in status; the lease is renewed while the sink is away.
                try await store.advanceRelay(sink.name, holder: holder, to: 0, delivered: 0, error: why, now: now)
                try await Task.sleep(for: .seconds(backoff))
                backoff = min(maxBackoff, backoff * 2)
                guard try await store.holdRelay(sink.name, holder: holder, ttl: lease, now: Date()) != nil else {
                    throw StoreError.relayLost(sink: sink.name)
                }
            }
        }
    }
}
