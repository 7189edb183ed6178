import Events
import Foundation
import Testing

@Suite struct SQLiteEventStoreTests {
    func tempDB() -> String {
        let dir = NSTemporaryDirectory() + "retina-events-\(UUID().uuidString.prefix(8))"
        try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir + "/events.db"
    }

    func event(_ type: EventType = .motionDetected, camera: String = "cam-1", at t: Double = 1_790_000_000, priority: Priority = .p4) -> Event {
        Event(type: type, priority: priority, source: EventSource(producer: "retina", camera: camera, group: "g1", zone: "all"),
              occurredAt: Date(timeIntervalSince1970: t), payload: .object(["score": .number(0.5)]))
    }

    @Test func publishIsIdempotentById() async throws {
        let store = try SQLiteEventStore(path: tempDB())
        let e = event()
        #expect(try await store.publish([e]) == [.inserted])
        #expect(try await store.publish([e, e]) == [.duplicate, .duplicate])
        #expect(try await store.list(EventQuery()).count == 1)
    }

    @Test func eventsSurviveReopeningTheFile() async throws {
        let path = tempDB()
        let e = event()
        do {
            let store = try SQLiteEventStore(path: path)
            _ = try await store.publish([e])
            await store.close()
        }
        let reopened = try SQLiteEventStore(path: path)
        let got = try #require(try await reopened.event(id: e.id))
        #expect(got.type == e.type && got.source == e.source && got.payload == e.payload)
        #expect(abs(got.occurredAt.timeIntervalSince(e.occurredAt)) < 0.001)
        #expect(got.publishedAt != nil)
    }

    @Test func listFiltersAndOrdersNewestFirst() async throws {
        let store = try SQLiteEventStore(path: tempDB())
        _ = try await store.publish([event(at: 100), event("camera.offline", at: 200), event(camera: "cam-2", at: 300)])
        #expect(try await store.list(EventQuery()).map { $0.occurredAt.timeIntervalSince1970 } == [300, 200, 100])
        #expect(try await store.list(EventQuery(types: ["camera.offline"])).count == 1)
        #expect(try await store.list(EventQuery(camera: "cam-2")).count == 1)
        #expect(try await store.list(EventQuery(since: Date(timeIntervalSince1970: 150))).count == 2)
        #expect(try await store.list(EventQuery(limit: 1)).count == 1)
    }

    @Test func twoConnectionsWriteTheSameFileConcurrently() async throws {
        // As two producer processes would: separate connections, WAL, busy timeout, no "database is locked".
        let path = tempDB()
        let a = try SQLiteEventStore(path: path), b = try SQLiteEventStore(path: path)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for store in [a, b] {
                group.addTask {
                    for i in 0..<100 { _ = try await store.publish([self.event(at: Double(i))]) }
                }
            }
            try await group.waitForAll()
        }
        #expect(try await a.list(EventQuery(limit: 1000)).count == 200)
    }

    @Test func healthIsUpsertedPerCamera() async throws {
        let store = try SQLiteEventStore(path: tempDB())
        func record(_ state: CameraState) -> CameraHealthRecord {
            CameraHealthRecord(camera: "cam-1", group: "g", state: state, since: Date(), lastError: nil, decodedFps: 25,
                               analysedFps: 5, droppedFrames: 0, reconnectsLastHour: 0, stallsLastHour: 0, reportedAt: Date())
        }
        try await store.reportHealth([record(.streaming)])
        try await store.reportHealth([record(.stalled)])
        #expect(try await store.health().map(\.state) == [.stalled])
        // The learned models' passes travel with it; a record without them (older workers) reads as nil.
        var learned = record(.streaming)
        learned.learned = CameraHealthRecord.LearnedPasses(passes: 120, densityPasses: 30, skipped: 4, msPerPass: 21.5, densityScale: 1.53)
        try await store.reportHealth([learned])
        #expect(try await store.health().first?.learned == learned.learned)
        let old = #"{"camera":"cam-2","state":"streaming","since":"2026-12-01T00:00:00Z","decodedFps":25,"analysedFps":5,"droppedFrames":0,"reconnectsLastHour":0,"stallsLastHour":0,"reportedAt":"2026-12-01T00:00:00Z"}"#
        #expect(try EventJSON.decoder().decode(CameraHealthRecord.self, from: Data(old.utf8)).learned == nil)
    }

    @Test func aMissingFolderIsAClearError() {
        #expect(throws: StoreError.self) { _ = try SQLiteEventStore(path: "/nonexistent-dir/x/events.db") }
    }
}

@Suite struct EventJSONTests {
    @Test func encodesTheSharedSchema() throws {
        let e = Event(type: "fall.detected", priority: .p1, source: EventSource(producer: "fall-detection", camera: "31011500001320000001"),
                      occurredAt: Date(timeIntervalSince1970: 1_790_000_000.25))
        let json = try #require(try JSONSerialization.jsonObject(with: EventJSON.encoder().encode(e)) as? [String: Any])
        #expect(json["priority"] as? String == "P1")
        #expect(json["state"] as? String == "new")
        #expect((json["source"] as? [String: Any])?["camera"] as? String == "31011500001320000001")
        #expect(json["occurredAt"] as? String == "2026-09-21T14:13:20.250Z")
    }

    @Test func decodesWhatOtherProducersSend() throws {
        let text = """
        {"id": "8d3f7a52-7d0e-4c55-9a51-0b1a86f6a001", "type": "fall.detected", "priority": "P1",
         "source": {"producer": "fall-detection"}, "occurredAt": "2026-11-22T08:30:00+08:00",
         "payload": {"subjectRef": "r-102", "postFallInactivitySeconds": 75}}
        """
        let e = try EventJSON.decoder().decode(Event.self, from: Data(text.utf8))
        #expect(e.priority == .p1 && e.state == .new)
        #expect(e.occurredAt == Date(timeIntervalSince1970: 1_795_307_400))
        #expect(e.payload["postFallInactivitySeconds"]?.doubleValue == 75)
    }

    @Test func rejectsABadPriorityWithAClearMessage() {
        let text = #"{"id": "8d3f7a52-7d0e-4c55-9a51-0b1a86f6a001", "type": "x", "priority": "urgent", "source": {"producer": "p"}, "occurredAt": "2026-11-22T08:30:00Z"}"#
        #expect(throws: DecodingError.self) { _ = try EventJSON.decoder().decode(Event.self, from: Data(text.utf8)) }
    }
}

/// Dedup keys: the same condition while its event is open updates that event instead of adding rows.
@Suite struct DedupMergeTests {
    @Test func aRepeatWhileOpenIsFoldedIntoTheEvent() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("merge-\(UUID()).db").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let store = try SQLiteEventStore(path: path)
        let source = EventSource(producer: "retina", camera: "gate", zone: "plaza")
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        let first = Event(type: "crowd.density", priority: .p3, level: .yellow, source: source, occurredAt: t0,
                          dedupKey: "retina:gate:crowd.density:plaza:yellow@100", payload: .object(["count": .number(40)]))
        var update = Event(type: "crowd.density", priority: .p4, level: .yellow, source: source, occurredAt: t0.addingTimeInterval(15),
                           dedupKey: first.dedupKey, payload: .object(["count": .number(44), "peakCount": .number(45)]))
        let outcomes = try await store.publish([first, update])
        #expect(outcomes == [.inserted, .merged(into: first.id)])
        // Publishing the same update again (a retry) is idempotent by id.
        update.payload = .object(["count": .number(46)])
        #expect(try await store.publish([update]).count == 1)
        let events = try await store.list(EventQuery())
        #expect(events.count == 1)
        let merged = try #require(events.first)
        #expect(merged.id == first.id && merged.repeats >= 1)
        #expect(merged.priority == .p3)  // an update never lowers urgency
        #expect(merged.lastSeenAt == t0.addingTimeInterval(15))
        // Another key is another event.
        let other = Event(type: "crowd.density", priority: .p2, level: .orange, source: source, occurredAt: t0.addingTimeInterval(60),
                          dedupKey: "retina:gate:crowd.density:plaza:orange@150")
        #expect(try await store.publish([other]) == [.inserted])
        await store.close()
    }
}
