import Events
import Foundation
import Testing

/// The office's workflow, the same contract on a real SQLite file and a real PostgreSQL server:
/// claim order, leases, allowed transitions, history, ack-deadline escalation and retention.
@Suite struct WorkflowTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func event(_ type: EventType, _ priority: Priority, at seconds: Double, producer: String = "retina") -> Event {
        Event(type: type, priority: priority, source: EventSource(producer: producer, camera: "cam-1"),
              occurredAt: t0.addingTimeInterval(seconds), detectedAt: t0.addingTimeInterval(seconds))
    }

    @Test(arguments: StoreKind.available) func claimsByPriorityThenAgeAndAP1NeverWaits(_ kind: StoreKind) async throws {
        let s = try kind.open(kind.newPlace())
        // A storm of 10,000 crowd events (P4) and some P2/P3, then one fall (P1) published last.
        var storm = (0..<10_000).map { event("crowd.density", .p4, at: Double($0) * 0.01) }
        storm.append(event("motion.anomaly", .p2, at: 5))
        storm.append(event("crowd.density", .p3, at: 1))
        for batch in stride(from: 0, to: storm.count, by: 1000) { _ = try await s.publish(Array(storm[batch..<min(batch + 1000, storm.count)])) }
        let fall = event("fall.detected", .p1, at: 200, producer: "fall-detection")
        _ = try await s.publish([fall])

        let first = try #require(try await s.claimNext(by: "op-1", lease: 120, now: t0.addingTimeInterval(201)))
        #expect(first.id == fall.id && first.state == .claimed && first.claimedBy == "op-1")
        let second = try #require(try await s.claimNext(by: "op-1", lease: 120, now: t0.addingTimeInterval(202)))
        #expect(second.priority == .p2)
        let third = try #require(try await s.claimNext(by: "op-2", lease: 120, now: t0.addingTimeInterval(203)))
        #expect(third.priority == .p3)
        let fourth = try #require(try await s.claimNext(by: "op-2", lease: 120, now: t0.addingTimeInterval(204)))
        #expect(fourth.priority == .p4 && fourth.occurredAt == t0)  // the oldest of the storm
        await s.close()
    }

    @Test(arguments: StoreKind.available) func anExpiredClaimReturnsToTheQueue(_ kind: StoreKind) async throws {
        let s = try kind.open(kind.newPlace())
        let fall = event("fall.detected", .p1, at: 0)
        _ = try await s.publish([fall])
        _ = try await s.claimNext(by: "op-1", lease: 30, now: t0.addingTimeInterval(1))
        #expect(try await s.claimNext(by: "op-2", lease: 120, now: t0.addingTimeInterval(10)) == nil)  // still held
        await #expect(throws: WorkflowError.leaseHeld(id: fall.id, by: "op-1")) {
            try await s.perform(.claim, on: fall.id, by: "op-2", note: nil, lease: 120, now: t0.addingTimeInterval(10))
        }
        let again = try #require(try await s.claimNext(by: "op-2", lease: 120, now: t0.addingTimeInterval(40)))  // lease over
        #expect(again.id == fall.id && again.claimedBy == "op-2")
        let actions = try await s.history(of: fall.id).map(\.action)
        #expect(actions == ["published", "claim", "lease_expired", "claim"])
        await s.close()
    }

    @Test(arguments: StoreKind.available) func transitionsAndHistory(_ kind: StoreKind) async throws {
        let s = try kind.open(kind.newPlace())
        let e = event("motion.anomaly", .p2, at: 0)
        _ = try await s.publish([e])
        _ = try await s.perform(.claim, on: e.id, by: "op-1", note: nil, lease: 120, now: t0.addingTimeInterval(1))
        _ = try await s.perform(.acknowledge, on: e.id, by: "op-1", note: nil, lease: 120, now: t0.addingTimeInterval(2))
        _ = try await s.perform(.note, on: e.id, by: "op-1", note: "two people running towards gate 3", lease: 120, now: t0.addingTimeInterval(3))
        _ = try await s.perform(.escalate, on: e.id, by: "sup-1", note: "police informed", lease: 120, now: t0.addingTimeInterval(4))
        let done = try await s.perform(.resolve, on: e.id, by: "op-1", note: nil, lease: 120, now: t0.addingTimeInterval(5))
        #expect(done.state == .resolved && done.escalated)
        await #expect(throws: WorkflowError.notAllowed(id: e.id, action: .acknowledge, state: .resolved)) {
            try await s.perform(.acknowledge, on: e.id, by: "op-1", note: nil, lease: 120, now: Date())
        }
        await #expect(throws: WorkflowError.notFound(UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1)))) {
            try await s.perform(.resolve, on: UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1)), by: "op-1", note: nil, lease: 120, now: Date())
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

    @Test(arguments: StoreKind.available) func unacknowledgedP1EscalatesAt60And180Seconds(_ kind: StoreKind) async throws {
        let s = try kind.open(kind.newPlace())
        let fall = event("fall.detected", .p1, at: 0)
        let crowd = event("crowd.density", .p2, at: 0)
        _ = try await s.publish([fall, crowd])
        let published = try #require(try await s.event(id: fall.id)?.publishedAt)
        #expect(try await s.escalateOverdue(policy: .standard, now: published.addingTimeInterval(59)).isEmpty)
        let first = try await s.escalateOverdue(policy: .standard, now: published.addingTimeInterval(61))
        #expect(first.map(\.id) == [fall.id] && first.first?.escalationStep == 1)
        #expect(try await s.escalateOverdue(policy: .standard, now: published.addingTimeInterval(100)).isEmpty)  // once per step
        #expect(try await s.escalateOverdue(policy: .standard, now: published.addingTimeInterval(181)).first?.escalationStep == 2)
        let notes = try await s.history(of: fall.id).filter { $0.action == "escalated_unacknowledged" }.compactMap(\.note)
        #expect(notes.count == 2 && notes[0].contains("supervisor"))
        // An acknowledged P1 does not escalate.
        let other = event("fall.detected", .p1, at: 1)
        _ = try await s.publish([other])
        _ = try await s.perform(.acknowledge, on: other.id, by: "op-1", note: nil, lease: 120, now: Date())
        #expect(try await s.escalateOverdue(policy: .standard, now: Date().addingTimeInterval(600)).allSatisfy { $0.id != other.id })
        await s.close()
    }

    @Test(arguments: StoreKind.available) func retentionKeepsOpenEscalatedAndRecentEvents(_ kind: StoreKind) async throws {
        let s = try kind.open(kind.newPlace())
        let old = event("crowd.density", .p4, at: 0), escalated = event("motion.anomaly", .p2, at: 0)
        let open = event("crowd.density", .p3, at: 0), recent = event("crowd.density", .p4, at: 10_000)
        _ = try await s.publish([old, escalated, open, recent])
        for e in [old, escalated, recent] { _ = try await s.perform(.resolve, on: try #require(try await s.perform(.claim, on: e.id, by: "op", note: nil, lease: 120, now: Date()).id), by: "op", note: nil, lease: 120, now: Date()) }
        _ = try await s.perform(.escalate, on: escalated.id, by: "liaison", note: nil, lease: 120, now: Date())
        #expect(try await s.applyRetention(olderThan: t0.addingTimeInterval(5000)) == 1)
        let left = Set(try await s.list(EventQuery()).map(\.id))
        #expect(left == [escalated.id, open.id, recent.id])
        #expect(try await s.history(of: old.id).isEmpty)
        await s.close()
    }
}

/// Listing in queue order happens before the limit: an old P1 is never cut off a long list.
@Suite struct QueueOrderListTests {
    @Test(arguments: StoreKind.available) func anOldP1LeadsALimitedQueueList(_ kind: StoreKind) async throws {
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

/// Supervisor and liaison actions, late evidence, and incidents.
@Suite struct WorkflowExtrasTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func event(_ type: EventType, _ priority: Priority, at seconds: Double, incident: String? = nil) -> Event {
        Event(type: type, priority: priority, source: EventSource(producer: "retina", camera: "cam-1"),
              occurredAt: t0.addingTimeInterval(seconds), incidentId: incident)
    }

    @Test(arguments: StoreKind.available) func aSupervisorReassignsAClaim(_ kind: StoreKind) async throws {
        let s = try kind.open(kind.newPlace())
        let e = event("fall.detected", .p1, at: 0)
        _ = try await s.publish([e])
        _ = try await s.claimNext(by: "op-1", lease: 120, now: t0)
        let moved = try await s.perform(.reassign, on: e.id, by: "sup-1", note: "op-2", lease: 120, now: t0.addingTimeInterval(5))
        #expect(moved.state == .claimed && moved.claimedBy == "op-2")
        #expect(moved.leaseUntil == t0.addingTimeInterval(125))
        // A reassignment must say to whom.
        await #expect(throws: WorkflowError.notAllowed(id: e.id, action: .reassign, state: .claimed)) {
            try await s.perform(.reassign, on: e.id, by: "sup-1", note: " ", lease: 120, now: t0)
        }
        let last = try #require(try await s.history(of: e.id).last)
        #expect(last.action == "reassign" && last.actor == "sup-1" && last.note == "op-2")
        await s.close()
    }

    @Test(arguments: StoreKind.available) func aHeldEventSurvivesRetention(_ kind: StoreKind) async throws {
        let s = try kind.open(kind.newPlace())
        let kept = event("crowd.density", .p3, at: 0), gone = event("crowd.density", .p3, at: 1)
        _ = try await s.publish([kept, gone])
        for e in [kept, gone] {
            _ = try await s.perform(.claim, on: e.id, by: "op", note: nil, lease: 120, now: t0)
            _ = try await s.perform(.resolve, on: e.id, by: "op", note: nil, lease: 120, now: t0)
        }
        let held = try await s.perform(.hold, on: kept.id, by: "liaison-1", note: "export 7", lease: 0, now: t0)
        #expect(held.held && held.state == .resolved)
        #expect(try await s.applyRetention(olderThan: t0.addingTimeInterval(3600)) == 1)
        #expect(try await s.event(id: kept.id)?.held == true)
        #expect(try await s.event(id: gone.id) == nil)
        await s.close()
    }

    @Test(arguments: StoreKind.available) func lateEvidenceIsAddedOnceWithHistory(_ kind: StoreKind) async throws {
        let s = try kind.open(kind.newPlace())
        let e = event("motion.anomaly", .p2, at: 0)
        _ = try await s.publish([e])
        let clip = EvidenceRef(kind: .clip, uri: "file:///var/lib/retina/clips/x.mp4", mime: "video/mp4", size: 10, sha256: String(repeating: "ab", count: 32))
        try await s.addEvidence([clip], to: e.id, by: "retina", now: t0)
        try await s.addEvidence([clip], to: e.id, by: "retina", now: t0)  // a retry adds nothing
        #expect(try await s.event(id: e.id)?.evidence == [clip])
        #expect(try await s.history(of: e.id).filter { $0.action == "evidence_added" }.count == 1)
        await #expect(throws: WorkflowError.self) { try await s.addEvidence([clip], to: UUID(), by: "retina", now: t0) }
        await s.close()
    }

    @Test(arguments: StoreKind.available) func everyViewOfRestrictedEvidenceIsInTheHistoryAndChangesNothingElse(_ kind: StoreKind) async throws {
        let s = try kind.open(kind.newPlace())
        let clear = EvidenceRef(kind: .snapshot, uri: "snapshots/home-1/x-clear.jpg", mime: "image/jpeg", size: 10,
                                sha256: String(repeating: "cd", count: 32), privacy: .clear)
        var e = event("fall.detected", .p1, at: 0)
        e.evidence = [clear]
        _ = try await s.publish([e])
        let before = try await s.event(id: e.id)
        try await s.recordEvidenceView(clear, of: e.id, by: "Wang Li", now: t0)
        try await s.recordEvidenceView(clear, of: e.id, by: "Li Na", now: t0.addingTimeInterval(5))
        let views = try await s.history(of: e.id).filter { $0.action == "evidence_viewed" }
        #expect(views.map(\.actor) == ["Wang Li", "Li Na"] && views.allSatisfy { $0.note == "clear snapshot cdcdcdcdcdcd" }, "\(views)")
        let after = try await s.event(id: e.id)
        #expect(after == before, "\(String(describing: before))\n\(String(describing: after))")
        #expect(try await s.event(id: e.id)?.evidence.first?.privacy == .clear)
        await #expect(throws: WorkflowError.self) { try await s.recordEvidenceView(clear, of: UUID(), by: "Wang Li", now: t0) }
        await s.close()
    }

    @Test(arguments: StoreKind.available) func listsOneIncident(_ kind: StoreKind) async throws {
        let s = try kind.open(kind.newPlace())
        let a = event("crowd.density", .p2, at: 0, incident: "inc-7"), b = event("motion.anomaly", .p2, at: 1, incident: "inc-7")
        _ = try await s.publish([a, b, event("crowd.density", .p3, at: 2, incident: "inc-8"), event("crowd.density", .p3, at: 3)])
        #expect(Set(try await s.list({ var q = EventQuery(); q.incidentId = "inc-7"; return q }()).map(\.id)) == [a.id, b.id])
        await s.close()
    }

    @Test func idsAreLowerCaseInJSON() throws {
        let e = event("fall.detected", .p1, at: 0)
        let text = String(decoding: try EventJSON.encoder().encode(e), as: UTF8.self)
        #expect(text.contains("\"id\":\"\(e.id.uuidString.lowercased())\""))
        #expect(try EventJSON.decoder().decode(Event.self, from: Data(text.utf8)).id == e.id)
    }
}

/// Two processes (or machines) over one queue: each event is claimed once, a condition opens once.
@Suite struct SharedQueueTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    @Test(arguments: StoreKind.available) func concurrentClaimersNeverGetTheSameEvent(_ kind: StoreKind) async throws {
        let place = kind.newPlace()
        let a = try kind.open(place), b = try kind.open(place)
        let events = (0..<120).map { i in
            Event(type: "crowd.density", priority: i % 10 == 0 ? .p1 : .p3, source: EventSource(producer: "retina"),
                  occurredAt: t0.addingTimeInterval(Double(i)))
        }
        _ = try await a.publish(events)
        let claimed = try await withThrowingTaskGroup(of: [UUID].self) { group in
            for (n, store) in [a, b, a, b].enumerated() {
                group.addTask {
                    var mine: [UUID] = []
                    while let e = try await store.claimNext(by: "op-\(n)", lease: 300, now: Date()) { mine.append(e.id) }
                    return mine
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(claimed.count == events.count)
        #expect(Set(claimed) == Set(events.map(\.id)))
        await a.close()
        await b.close()
    }

    @Test(arguments: StoreKind.available) func concurrentRepeatsOfOneConditionOpenOneEvent(_ kind: StoreKind) async throws {
        let place = kind.newPlace()
        let a = try kind.open(place), b = try kind.open(place)
        let key = "retina:gate:crowd.density:plaza:red"
        try await withThrowingTaskGroup(of: Void.self) { group in
            for store in [a, b] {
                group.addTask {
                    for i in 0..<20 {
                        let e = Event(type: "crowd.density", priority: .p1, level: .red, source: EventSource(producer: "retina"),
                                      occurredAt: self.t0.addingTimeInterval(Double(i)), dedupKey: key)
                        _ = try await store.publish([e])
                    }
                }
            }
            try await group.waitForAll()
        }
        let open = try await a.list(EventQuery(types: ["crowd.density"]))
        #expect(open.count == 1)
        #expect(open.first?.repeats == 39)
        await a.close()
        await b.close()
    }
}
