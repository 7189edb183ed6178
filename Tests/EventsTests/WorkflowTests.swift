import Events
import Foundation
import Testing

/// The office's workflow on a real SQLite file: claim order, leases, allowed transitions, history,
/// ack-deadline escalation and retention.
@Suite struct WorkflowTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func store() throws -> (SQLiteEventStore, String) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("workflow-\(UUID()).db").path
        return (try SQLiteEventStore(path: path), path)
    }

    func event(_ type: String, _ priority: Priority, at seconds: Double, producer: String = "retina") -> Event {
        Event(type: type, priority: priority, source: EventSource(producer: producer, camera: "cam-1"),
              occurredAt: t0.addingTimeInterval(seconds), detectedAt: t0.addingTimeInterval(seconds))
    }

    @Test func claimsByPriorityThenAgeAndAP1NeverWaits() async throws {
        let (s, path) = try store()
        defer { try? FileManager.default.removeItem(atPath: path) }
        // A storm of 10,000 crowd events (P4) and some P2/P3, then one fall (P1) published last.
        var storm = (0..<10_000).map { event("crowd.density", .p4, at: Double($0) * 0.01) }
        storm.append(event("motion.anomaly", .p2, at: 5))
        storm.append(event("crowd.density", .p3, at: 1))
        for batch in stride(from: 0, to: storm.count, by: 1000) { _ = try await s.publish(Array(storm[batch..<min(batch + 1000, storm.count)])) }
        let fall = event("fall.detected", .p1, at: 200, producer: "fall-detection")
        _ = try await s.publish([fall])

        let first = try #require(try await s.claimNext(by: "op-1", now: t0.addingTimeInterval(201)))
        #expect(first.id == fall.id && first.state == .claimed && first.claimedBy == "op-1")
        let second = try #require(try await s.claimNext(by: "op-1", now: t0.addingTimeInterval(202)))
        #expect(second.priority == .p2)
        let third = try #require(try await s.claimNext(by: "op-2", now: t0.addingTimeInterval(203)))
        #expect(third.priority == .p3)
        let fourth = try #require(try await s.claimNext(by: "op-2", now: t0.addingTimeInterval(204)))
        #expect(fourth.priority == .p4 && fourth.occurredAt == t0)  // the oldest of the storm
        await s.close()
    }

    @Test func anExpiredClaimReturnsToTheQueue() async throws {
        let (s, path) = try store()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fall = event("fall.detected", .p1, at: 0)
        _ = try await s.publish([fall])
        _ = try await s.claimNext(by: "op-1", lease: 30, now: t0.addingTimeInterval(1))
        #expect(try await s.claimNext(by: "op-2", now: t0.addingTimeInterval(10)) == nil)  // still held
        await #expect(throws: WorkflowError.leaseHeld(id: fall.id, by: "op-1")) {
            try await s.perform(.claim, on: fall.id, by: "op-2", now: t0.addingTimeInterval(10))
        }
        let again = try #require(try await s.claimNext(by: "op-2", now: t0.addingTimeInterval(40)))  // lease over
        #expect(again.id == fall.id && again.claimedBy == "op-2")
        let actions = try await s.history(of: fall.id).map(\.action)
        #expect(actions == ["published", "claim", "lease_expired", "claim"])
        await s.close()
    }

    @Test func transitionsAndHistory() async throws {
        let (s, path) = try store()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let e = event("motion.anomaly", .p2, at: 0)
        _ = try await s.publish([e])
        _ = try await s.perform(.claim, on: e.id, by: "op-1", now: t0.addingTimeInterval(1))
        _ = try await s.perform(.acknowledge, on: e.id, by: "op-1", now: t0.addingTimeInterval(2))
        _ = try await s.perform(.note, on: e.id, by: "op-1", note: "two people running towards gate 3", now: t0.addingTimeInterval(3))
        _ = try await s.perform(.escalate, on: e.id, by: "sup-1", note: "police informed", now: t0.addingTimeInterval(4))
        let done = try await s.perform(.resolve, on: e.id, by: "op-1", now: t0.addingTimeInterval(5))
        #expect(done.state == .resolved && done.escalated)
        await #expect(throws: WorkflowError.notAllowed(id: e.id, action: .acknowledge, state: .resolved)) {
            try await s.perform(.acknowledge, on: e.id, by: "op-1")
        }
        await #expect(throws: WorkflowError.notFound(UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1)))) {
            try await s.perform(.resolve, on: UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1)), by: "op-1")
        }
        let history = try await s.history(of: e.id)
        #expect(history.map(\.action) == ["published", "claim", "acknowledge", "note", "escalate", "resolve"])
        #expect(history.map(\.actor) == ["retina", "op-1", "op-1", "op-1", "sup-1", "op-1"])
        #expect(history[2].from == .claimed && history[2].to == .acknowledged)
        #expect(history[3].note == "two people running towards gate 3")
        // Stored state agrees with the returned one.
        #expect(try await s.event(id: e.id)?.state == .resolved)
        await s.close()
    }

    @Test func unacknowledgedP1EscalatesAt60And180Seconds() async throws {
        let (s, path) = try store()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fall = event("fall.detected", .p1, at: 0)
        let crowd = event("crowd.density", .p2, at: 0)
        _ = try await s.publish([fall, crowd])
        let published = try #require(try await s.event(id: fall.id)?.publishedAt)
        #expect(try await s.escalateOverdue(now: published.addingTimeInterval(59)).isEmpty)
        let first = try await s.escalateOverdue(now: published.addingTimeInterval(61))
        #expect(first.map(\.id) == [fall.id] && first.first?.escalationStep == 1)
        #expect(try await s.escalateOverdue(now: published.addingTimeInterval(100)).isEmpty)  // once per step
        #expect(try await s.escalateOverdue(now: published.addingTimeInterval(181)).first?.escalationStep == 2)
        let notes = try await s.history(of: fall.id).filter { $0.action == "escalated_unacknowledged" }.compactMap(\.note)
        #expect(notes.count == 2 && notes[0].contains("supervisor"))
        // An acknowledged P1 does not escalate.
        let other = event("fall.detected", .p1, at: 1)
        _ = try await s.publish([other])
        _ = try await s.perform(.acknowledge, on: other.id, by: "op-1")
        #expect(try await s.escalateOverdue(now: Date().addingTimeInterval(600)).allSatisfy { $0.id != other.id })
        await s.close()
    }

    @Test func retentionKeepsOpenEscalatedAndRecentEvents() async throws {
        let (s, path) = try store()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let old = event("crowd.density", .p4, at: 0), escalated = event("motion.anomaly", .p2, at: 0)
        let open = event("crowd.density", .p3, at: 0), recent = event("crowd.density", .p4, at: 10_000)
        _ = try await s.publish([old, escalated, open, recent])
        for e in [old, escalated, recent] { _ = try await s.perform(.resolve, on: try #require(try await s.perform(.claim, on: e.id, by: "op").id), by: "op") }
        _ = try await s.perform(.escalate, on: escalated.id, by: "liaison")
        #expect(try await s.applyRetention(olderThan: t0.addingTimeInterval(5000)) == 1)
        let left = Set(try await s.list(EventQuery()).map(\.id))
        #expect(left == [escalated.id, open.id, recent.id])
        #expect(try await s.history(of: old.id).isEmpty)
        await s.close()
    }
}

/// Listing in queue order happens before the limit: an old P1 is never cut off a long list.
@Suite struct QueueOrderListTests {
    @Test func anOldP1LeadsALimitedQueueList() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("order-\(UUID()).db").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let store = try SQLiteEventStore(path: path)
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        let fall = Event(type: "fall.detected", priority: .p1, source: EventSource(producer: "fall-detection"), occurredAt: t0)
        let crowd = (1...50).map { Event(type: "crowd.density", priority: .p4, source: EventSource(producer: "retina"),
                                         occurredAt: t0.addingTimeInterval(Double($0))) }
        _ = try await store.publish([fall] + crowd)
        let newest = try await store.list(EventQuery(limit: 10))
        #expect(!newest.contains { $0.id == fall.id })  // newest first: the old fall is beyond the limit
        let queue = try await store.list(EventQuery(queueOrder: true, limit: 10))
        #expect(queue.first?.id == fall.id && queue.dropFirst().allSatisfy { $0.priority == .p4 })
        #expect(try await store.list(EventQuery(priorities: [.p1])).map(\.id) == [fall.id])
        await store.close()
    }
}
