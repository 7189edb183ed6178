import Events
import Foundation
import RetinaTestSupport
import Testing
import Worker

/// Evidence that arrives after its event (clips): the publisher adds it to the stored event, even
/// when it was handed in before the event was committed or the store folded the event into an
/// open one with the same dedup key.
@Suite struct LateEvidenceTests {
    func clip(_ name: String) -> EvidenceRef {
        EvidenceRef(kind: .clip, uri: "file:///evidence/clips/gate/\(name).mp4", mime: "video/mp4", size: 1234, sha256: String(repeating: "ab", count: 32))
    }

    @Test func evidenceReachesTheStoredEventWhateverTheOrder() async throws {
        let store = try SQLiteEventStore(path: Fixtures.temporaryDirectory("retina-late") + "/events.db")
        let publisher = EventPublisher(store: store)
        let source = EventSource(producer: "retina", camera: "gate", zone: "plaza")
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        let first = Event(type: "motion.anomaly", priority: .p2, source: source, occurredAt: t0, dedupKey: "retina:gate:running:plaza")
        // The same condition again while the first is open: the store folds it into the first.
        let repeated = Event(type: "motion.anomaly", priority: .p2, source: source, occurredAt: t0.addingTimeInterval(40), dedupKey: first.dedupKey)
        let other = Event(type: "motion.anomaly", priority: .p3, source: source, occurredAt: t0, dedupKey: "retina:gate:loitering:plaza")

        // Handed in before the event itself: it waits until the event is committed.
        publisher.attach([clip("a")], to: other.id)
        publisher.publish(other)
        publisher.publish(first)
        await publisher.flush()
        publisher.publish(repeated)
        publisher.attach([clip("b")], to: repeated.id)
        await publisher.flush(timeout: 10)

        let stored = try #require(try await store.event(id: first.id))
        #expect(stored.evidence.map(\.uri) == [clip("b").uri])  // the repeat's clip went to the event it was folded into
        #expect(try await store.event(id: repeated.id) == nil)
        #expect(try #require(try await store.event(id: other.id)).evidence == [clip("a")])
        #expect(try await store.history(of: other.id).contains { $0.action == "evidence_added" && $0.actor == "retina" })
    }

    @Test func evidenceForAnEventThatNeverArrivesIsGivenUp() async throws {
        let store = try SQLiteEventStore(path: Fixtures.temporaryDirectory("retina-late") + "/events.db")
        let publisher = EventPublisher(store: store)
        publisher.attach([clip("lost")], to: UUID())
        let started = Date()
        await publisher.flush(timeout: 30)
        // A bounded number of tries (25 at 250 ms), not the whole flush deadline, and not forever.
        let took = Date().timeIntervalSince(started)
        #expect(took > 3 && took < 15, "gave up after \(took) s")
    }
}
