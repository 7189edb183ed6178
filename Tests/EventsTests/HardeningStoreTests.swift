import Events
import Foundation
import Testing

/// Issue 15's store half, on a real SQLite file and a real PostgreSQL server: an id folded into
/// another event stays published (a re-sent batch raises nothing), another operator's live claim is
/// theirs unless a supervisor overrides, and the history names the publisher the office gives.
@Suite struct HardeningStoreTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func crowd(_ key: String, at seconds: Double) -> Event {
        Event(type: "crowd.density", priority: .p3, level: .yellow, source: EventSource(producer: "retina", camera: "gate-1"),
              occurredAt: t0.addingTimeInterval(seconds), dedupKey: key)
    }

    @Test(arguments: StoreKind.available) func aMergedIdPublishedAgainChangesNothing(_ kind: StoreKind) async throws {
        let s = try kind.open(kind.newPlace())
        let first = crowd("gate-1:crowd", at: 0), repeated = crowd("gate-1:crowd", at: 5)
        #expect(try await s.publish([first, repeated]) == [.inserted, .merged(into: first.id)])
        // The same batch again (a producer retrying after a lost answer): nothing rises.
        #expect(try await s.publish([first, repeated]) == [.duplicate, .duplicate])
        #expect(try await s.publish([repeated]) == [.duplicate])
        let stored = try #require(try await s.event(id: first.id))
        #expect(stored.repeats == 1)
        #expect(try await s.event(id: repeated.id) == nil)
        await s.close()
    }

    @Test(arguments: StoreKind.available) func anotherOperatorsLiveClaimIsTheirsUnlessASupervisorActs(_ kind: StoreKind) async throws {
        let s = try kind.open(kind.newPlace())
        let e = crowd("k", at: 0)
        _ = try await s.publish([e])
        _ = try await s.perform(.claim, on: e.id, by: "Wang Li", note: nil, lease: 120, now: t0.addingTimeInterval(1))
        for action in [WorkflowAction.resolve, .acknowledge, .falseAlarm, .release] {
            await #expect(throws: WorkflowError.leaseHeld(id: e.id, by: "Wang Li")) {
                try await s.perform(action, on: e.id, by: "Li Na", note: nil, lease: 120, now: self.t0.addingTimeInterval(2))
            }
        }
        // A note is open to everyone; a supervisor may act on the claim.
        _ = try await s.perform(.note, on: e.id, by: "Li Na", note: "seen on camera 3", lease: 120, now: t0.addingTimeInterval(3))
        let acked = try await s.perform(.acknowledge, on: e.id, by: "Chen Jie", overridingClaims: true, note: nil, lease: 120,
                                        now: t0.addingTimeInterval(4))
        #expect(acked.state == .acknowledged)
        // The holder itself always could.
        let resolved = try await s.perform(.resolve, on: e.id, by: "Wang Li", note: nil, lease: 120, now: t0.addingTimeInterval(5))
        #expect(resolved.state == .resolved)
        await s.close()
    }

    @Test(arguments: StoreKind.available) func theHistoryNamesThePublisherTheOfficeGives(_ kind: StoreKind) async throws {
        let s = try kind.open(kind.newPlace())
        let fall = Event(type: "fall.detected", priority: .p1, source: EventSource(producer: "Wang Li"), occurredAt: t0)
        let other = crowd("x", at: 1)
        _ = try await s.publish([fall, other], by: "fall-gateway", fence: nil)
        #expect(try await s.history(of: fall.id).first?.actor == "fall-gateway")
        #expect(try await s.history(of: other.id).first?.actor == "fall-gateway")
        // Retina's own workers publish under the event's producer.
        let own = crowd("y", at: 2)
        _ = try await s.publish([own])
        #expect(try await s.history(of: own.id).first?.actor == "retina")
        await s.close()
    }
}

/// The publish schema (`ProducerEvents`): what a producer may say, and every refusal naming its field.
@Suite struct ProducerEventsTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func decode(_ json: String) -> [String] { ProducerEvents.decode(Data(json.utf8), now: now).problems }

    let base = #""type": "fall.detected", "source": {"producer": "fall-detection"}, "occurredAt": "2027-01-15T08:00:00Z", "payload": {"subjectRef": "resident-0412"}"#

    @Test func aProducerEventIsAccepted() {
        let (events, problems, generated) = ProducerEvents.decode(Data("{\(base)}".utf8), now: now)
        #expect(problems.isEmpty && events.count == 1 && generated == [0])
        #expect(events[0].priority == .p1 && events[0].state == .new && !events[0].held)
    }

    @Test func workflowFieldsAreRefusedByName() {
        let body = "{\(base), \"state\": \"resolved\", \"claimedBy\": \"Wang Li\", \"held\": true, \"escalated\": true, \"repeats\": 99, \"leaseUntil\": \"2027-01-15T09:00:00Z\"}"
        let problems = decode(body)
        for field in ["state", "claimedBy", "held", "escalated", "repeats", "leaseUntil"] {
            #expect(problems.contains { $0.hasPrefix("event.\(field): a workflow field") }, "\(field) not named: \(problems)")
        }
    }

    @Test func evidenceAndUnknownFieldsAreRefused() {
        let planted = "{\(base), \"evidence\": [{\"kind\": \"snapshot\", \"uri\": \"file:///etc/retina/site-key.pem\"}]}"
        #expect(decode(planted).contains { $0.contains("event.evidence") && $0.contains("upload") })
        #expect(decode("{\(base), \"owner\": \"x\"}").contains { $0.hasPrefix("event.owner: unknown field") })
    }

    @Test func deepPayloadsAreRefusedAndTooDeepJSONSaysSo() {
        func nested(_ n: Int) -> String { String(repeating: "[", count: n) + String(repeating: "]", count: n) }
        let deep = #"{"type": "crowd.density", "source": {"producer": "x"}, "occurredAt": "2027-01-15T08:00:00Z", "payload": \#(nested(510))}"#
        #expect(decode(deep).contains { $0.contains("payload: nested deeper than 16 levels") })
        let deeper = #"{"type": "crowd.density", "source": {"producer": "x"}, "occurredAt": "2027-01-15T08:00:00Z", "payload": \#(nested(600))}"#
        #expect(decode(deeper).contains { $0.contains("nested deeper than a JSON parser accepts") })
    }

    @Test func controlCharactersInIdentifiersAndNULAnywhereAreRefused() {
        #expect(decode(#"{"type": "fall.detected\nx", "source": {"producer": "f"}, "occurredAt": "2027-01-15T08:00:00Z", "payload": {"subjectRef": "r"}}"#)
            .contains { $0.hasPrefix("event.type: expected a dotted name") && $0.contains("\\n") })
        #expect(decode(#"{"type": "crowd.density", "source": {"producer": "gate\u0000x"}, "occurredAt": "2027-01-15T08:00:00Z"}"#)
            .contains { $0.contains("NUL") })
        #expect(decode(#"{"type": "crowd.density", "source": {"producer": "p", "camera": "cam\u001b[31m"}, "occurredAt": "2027-01-15T08:00:00Z"}"#)
            .contains { $0.hasPrefix("event.source.camera: contains a control character") })
        #expect(decode(#"{"type": "crowd.density", "source": {"producer": "p"}, "occurredAt": "2027-01-15T08:00:00Z", "payload": {"note": "a\u0000b"}}"#)
            .contains { $0.hasPrefix("event.payload.note: contains a NUL") })
    }

    @Test func timesThatNoClockOfThisSystemMadeAreRefused() {
        func at(_ t: String) -> [String] { decode(#"{"type": "crowd.density", "source": {"producer": "p"}, "occurredAt": "\#(t)"}"#) }
        #expect(at("0001-01-01T00:00:00Z").contains { $0.contains("occurredAt") && $0.contains("before") })
        #expect(at("9999-12-31T00:00:00Z").contains { $0.contains("occurredAt") && $0.contains("ahead") })
        #expect(at("2027-01-15T08:04:00Z").isEmpty)  // 4 minutes ahead: a drifting clock, accepted
        #expect(at("2027-01-15T08:06:00Z").contains { $0.contains("more than 300 s ahead") })
    }
}
