import Events
import Foundation
import Synchronization
import Testing

/// The outbox of the linkage out, the same on SQLite and PostgreSQL: every version of an event is
/// in it, in the order of commits, with the version before it; a subscriber's cursor has one
/// holder at a time, moves only forward, and a dead letter moves it past the entry it gives up.
@Suite struct OutboxTests {
    func event(_ type: String = "crowd.density", key: String? = nil, priority: Priority = .p3) -> Event {
        Event(type: EventType(rawValue: type), priority: priority, source: EventSource(producer: "retina", camera: "cam1", group: "g1"),
              occurredAt: Date(), dedupKey: key)
    }

    @Test(arguments: StoreKind.available) func everyVersionIsThereWithTheOneBefore(_ kind: StoreKind) async throws {
        let store = try kind.open(kind.newPlace())
        let start = try await store.outboxEnd()
        let fall = event("fall.detected", key: "fall.detected:elder-7", priority: .p1)
        #expect(try await store.publish([fall]) == [.inserted])
        // The same fall from a second producer folds in: a new version, not a new event.
        #expect(try await store.publish([event("fall.detected", key: "fall.detected:elder-7", priority: .p1)]) == [.merged(into: fall.id)])
        _ = try await store.perform(.claim, on: fall.id, by: "wang")
        _ = try await store.perform(.resolve, on: fall.id, by: "wang", note: "helped up")
        // A note is the history's alone: the event itself does not change.
        _ = try await store.perform(.note, on: fall.id, by: "li", note: "family called")

        let entries = try await store.outbox(after: start, limit: 100)
        #expect(entries.map(\.after.id) == Array(repeating: fall.id, count: 4))
        #expect(entries.map { OutboxChange($0) } == [.new, .update, .update, .end])
        #expect(entries.map(\.after.state) == [.new, .new, .claimed, .resolved])
        #expect(entries[0].before == nil && entries[0].inserted)
        #expect(entries[2].before?.state == .new && entries[2].after.claimedBy == "wang")
        #expect(entries[3].before?.state == .claimed)
        #expect(zip(entries, entries.dropFirst()).allSatisfy { $0.seq < $1.seq })
        #expect(try await store.outboxEnd() == entries.last?.seq)
        // Reading on from the middle gives the rest, and `before` still comes from the store.
        let rest = try await store.outbox(after: entries[2].seq, limit: 100)
        #expect(rest.map(\.seq) == entries.dropFirst(3).map(\.seq) && rest.first?.before?.state == .claimed)
        await store.close()
    }

    @Test(arguments: StoreKind.available) func aSubscriberHasOneHolderAndItsCursorOnlyMovesForward(_ kind: StoreKind) async throws {
        let place = kind.newPlace()
        let a = try kind.open(place), b = try kind.open(place)
        _ = try await a.publish([event()])
        let end = try await a.outboxEnd()
        // A new subscriber starts at the end: it is sent what happens from now on.
        #expect(try await a.holdRelay("webhook:p7", holder: "node-a", ttl: 2, now: Date()) == end)
        #expect(try await b.holdRelay("webhook:p7", holder: "node-b", ttl: 2, now: Date()) == nil)
        _ = try await a.publish([event(), event()])
        let entries = try await a.outbox(after: end, limit: 10)
        #expect(entries.count == 2)
        try await a.advanceRelay("webhook:p7", holder: "node-a", to: entries[0].seq, delivered: 1, error: nil, now: Date())
        // Not its holder: refused, and nothing moves.
        await #expect(throws: StoreError.self) {
            try await b.advanceRelay("webhook:p7", holder: "node-b", to: entries[1].seq, delivered: 1, error: nil, now: Date())
        }
        // Never backwards; an error is kept for status without moving.
        try await a.advanceRelay("webhook:p7", holder: "node-a", to: 0, delivered: 0, error: "HTTP 503", now: Date())
        var relay = try #require(try await a.relays().first)
        #expect(relay.seq == entries[0].seq && relay.delivered == 1 && relay.lastError == "HTTP 503" && relay.end - relay.seq == 1)

        // node-a stops renewing: after its lease node-b takes the subscriber where node-a left it.
        try await Task.sleep(for: .milliseconds(2300))
        #expect(try await b.holdRelay("webhook:p7", holder: "node-b", ttl: 10, now: Date()) == entries[0].seq)
        await #expect(throws: StoreError.self) {
            try await a.advanceRelay("webhook:p7", holder: "node-a", to: entries[1].seq, delivered: 1, error: nil, now: Date())
        }
        // A dead letter: kept with its reason, and the cursor is past it.
        try await b.deadLetter("webhook:p7", holder: "node-b", entry: entries[1], attempts: 1, error: "HTTP 422: bad schema", now: Date())
        let dead = try await b.deadLetters(limit: 10)
        #expect(dead.count == 1 && dead[0].seq == entries[1].seq && dead[0].eventId == entries[1].after.id && dead[0].error == "HTTP 422: bad schema")
        relay = try #require(try await b.relays().first)
        #expect(relay.seq == entries[1].seq && relay.holder == "node-b")
        await a.close()
        await b.close()
    }

    /// Writers on several connections at once (several workers): a reader that follows the outbox
    /// with a cursor while they write sees every entry exactly once. On PostgreSQL this needs the
    /// outbox's lock: sequence numbers are taken before commit, so without it a later number can
    /// commit first and a cursor would pass an earlier one still to come.
    @Test(arguments: StoreKind.available) func aCursorFollowingConcurrentWritersMissesNothing(_ kind: StoreKind) async throws {
        let place = kind.newPlace()
        let reader = try kind.open(place)
        let writers = try (0..<4).map { _ in try kind.open(place) }
        let start = try await reader.outboxEnd()
        let perWriter = 40
        let writing = Writing {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for w in writers {
                    group.addTask {
                        for _ in 0..<perWriter {
                            let e = self.event()
                            _ = try await w.publish([e])
                            _ = try await w.perform(.acknowledge, on: e.id, by: "op")
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        // Follow the outbox while they write, and on until their last entry.
        var cursor = start
        var seen: [Int] = []
        var finalEnd: Int?
        while finalEnd.map({ cursor < $0 }) ?? true {
            let batch = try await reader.outbox(after: cursor, limit: 7)
            seen += batch.map(\.seq)
            cursor = batch.last?.seq ?? cursor
            if finalEnd == nil, writing.isFinished { finalEnd = try await reader.outboxEnd() }
            if batch.isEmpty { try await Task.sleep(for: .milliseconds(5)) }
        }
        try await writing.task.value
        let all = try await reader.outbox(after: start, limit: 10_000).map(\.seq)
        #expect(all.count == writers.count * perWriter * 2)
        #expect(seen == all)
        for w in writers { await w.close() }
        await reader.close()
    }

    /// A writing task, and whether it has ended (read without waiting for it).
    final class Writing: Sendable {
        final class Flag: Sendable { let ended = Atomic<Bool>(false) }
        let task: Task<Void, any Error>
        private let flag = Flag()
        init(_ body: @escaping @Sendable () async throws -> Void) {
            let flag = flag
            task = Task { defer { flag.ended.store(true, ordering: .releasing) }; try await body() }
        }
        var isFinished: Bool { flag.ended.load(ordering: .acquiring) }
    }
}
