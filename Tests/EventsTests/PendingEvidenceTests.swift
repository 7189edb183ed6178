import Events
import Foundation
import Testing

/// A clip is published pending and completed later by event id, on a real SQLite file and a real
/// PostgreSQL server: the store follows a dedup merge, so the recorder need not know of it.
@Suite struct PendingEvidenceTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func opening(at seconds: Double, key: String) -> Event {
        var e = Event(type: "motion.anomaly", priority: .p2, source: EventSource(producer: "retina", camera: "gate"),
                      occurredAt: t0.addingTimeInterval(seconds), detectedAt: t0, dedupKey: key)
        e.pendingEvidence = [PendingEvidence(kind: "clip", eventId: e.id)]
        return e
    }

    func clip(_ name: String) -> EvidenceRef {
        EvidenceRef(kind: .clip, uri: "clips/gate/\(name).mp4", mime: "video/mp4", size: 10, sha256: String(repeating: "ab", count: 32))
    }

    @Test(arguments: StoreKind.available) func aClipCompletesItsEventOrTheOneItWasFoldedInto(_ kind: StoreKind) async throws {
        let s = try kind.open(kind.newPlace())
        let first = opening(at: 0, key: "retina:gate:running"), repeated = opening(at: 40, key: "retina:gate:running")
        #expect(try await s.publish([first]) == [.inserted])
        #expect(try await s.publish([repeated]) == [.merged(into: first.id)])
        // Both clips are still being recorded: the open event waits for its own and the repeat's.
        #expect(try await s.event(id: first.id)?.pendingEvidence == first.pendingEvidence + repeated.pendingEvidence)

        try await s.completeEvidence(eventId: repeated.id, .recorded(clip("b")), by: "retina", now: t0)
        var stored = try #require(try await s.event(id: first.id))
        #expect(stored.evidence == [clip("b")] && stored.pendingEvidence == first.pendingEvidence)
        try await s.completeEvidence(eventId: first.id, .recorded(clip("a")), by: "retina", now: t0)
        try await s.completeEvidence(eventId: first.id, .recorded(clip("a")), by: "retina", now: t0)  // a retry changes nothing
        stored = try #require(try await s.event(id: first.id))
        #expect(stored.evidence == [clip("b"), clip("a")] && stored.pendingEvidence.isEmpty)
        #expect(try await s.history(of: first.id).filter { $0.action == "evidence_added" && $0.actor == "retina" }.count == 2)
        #expect(try await s.event(id: repeated.id) == nil)
        await #expect(throws: WorkflowError.self) { try await s.completeEvidence(eventId: UUID(), .recorded(clip("c")), by: "retina", now: t0) }
        await s.close()
    }

    @Test(arguments: StoreKind.available) func aClipThatWillNotComeIsNotedOnce(_ kind: StoreKind) async throws {
        let s = try kind.open(kind.newPlace())
        let e = opening(at: 0, key: "retina:gate:loitering")
        _ = try await s.publish([e])
        let missing = EvidenceCompletion.missing(kind: "clip", reason: "no video packets of this connection are buffered")
        try await s.completeEvidence(eventId: e.id, missing, by: "retina", now: t0)
        try await s.completeEvidence(eventId: e.id, missing, by: "retina", now: t0)
        let stored = try #require(try await s.event(id: e.id))
        #expect(stored.pendingEvidence.isEmpty && stored.evidence.isEmpty)
        let noted = try await s.history(of: e.id).filter { $0.action == "evidence_missing" }
        #expect(noted.map(\.note) == ["clip: no video packets of this connection are buffered"])
        await s.close()
    }

    @Test func theWireJSONOnlyGainsAnOptionalField() throws {
        let plain = Event(type: "motion.anomaly", priority: .p2, source: EventSource(producer: "retina"), occurredAt: t0)
        let json = String(decoding: try EventJSON.encoder().encode(plain), as: UTF8.self)
        #expect(!json.contains("pendingEvidence"))  // an event with nothing pending reads as before
        let pending = opening(at: 0, key: "k")
        let object = try #require(try JSONSerialization.jsonObject(with: EventJSON.encoder().encode(pending)) as? [String: Any])
        #expect(object["evidence"] as? [Any] != nil)
        let parts = try #require(object["pendingEvidence"] as? [[String: String]])
        #expect(parts == [["kind": "clip", "eventId": pending.id.uuidString.lowercased()]])
        #expect(try EventJSON.decoder().decode(Event.self, from: EventJSON.encoder().encode(pending)) == pending)
    }
}
