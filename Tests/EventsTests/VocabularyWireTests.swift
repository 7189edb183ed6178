import Events
import Foundation
import Testing

/// The vocabulary's types write the same JSON the strings did, and a type Retina does not know
/// passes through the queue as it came.
@Suite struct VocabularyWireTests {
    @Test func typedFieldsAreWrittenAsTheirStrings() throws {
        let event = Event(type: .motionAnomaly, subtype: .counterFlow, priority: .p3, level: .orange,
                          source: EventSource(producer: "retina"), occurredAt: Date(timeIntervalSince1970: 1_790_000_000),
                          detectedAt: Date(timeIntervalSince1970: 1_790_000_001),
                          evidence: [EvidenceRef(kind: .snapshot, uri: "snapshots/x.jpg")], state: .falseAlarm)
        let json = String(decoding: try EventJSON.encoder().encode(event), as: UTF8.self)
        for field in [#""type":"motion.anomaly""#, #""subtype":"counter_flow""#, #""level":"orange""#, #""priority":"P3""#,
                      #""kind":"snapshot""#, #""state":"false_alarm""#] {
            #expect(json.contains(field), "\(field) not in \(json)")
        }
        #expect(try EventJSON.decoder().decode(Event.self, from: Data(json.utf8)) == event)
    }

    @Test func anotherProducersTypeAndSubtypePassThrough() throws {
        let json = #"{"type": "visitor.arrived", "subtype": "badge", "source": {"producer": "door"}, "occurredAt": "2027-01-15T08:00:00Z"}"#
        let event = try EventJSON.decoder().decode(Event.self, from: Data(json.utf8))
        #expect(event.type.rawValue == "visitor.arrived" && event.subtype?.rawValue == "badge" && event.priority == .p4)
        #expect(String(decoding: try EventJSON.encoder().encode(event), as: UTF8.self).contains(#""type":"visitor.arrived""#))
    }

    @Test func anUnknownLevelIsRefusedWithWhatIsExpected() {
        let (_, problems, _) = ProducerEvents.decode(Data(#"{"type": "crowd.density", "level": "purple", "source": {"producer": "p"}, "occurredAt": "2027-01-15T08:00:00Z"}"#.utf8),
                                                     now: Date(timeIntervalSince1970: 1_800_000_000))
        #expect(problems == ["event.level: expected one of blue, yellow, orange, red, got 'purple'"])
        let (_, none, _) = ProducerEvents.decode(Data(#"{"type": "crowd.density", "level": "none", "source": {"producer": "p"}, "occurredAt": "2027-01-15T08:00:00Z"}"#.utf8),
                                                 now: Date(timeIntervalSince1970: 1_800_000_000))
        #expect(none == ["event.level: expected one of blue, yellow, orange, red, got 'none'"])
    }

    /// README, "Priorities": red P1; orange, running, dispersal, intrusion P2; yellow, the other
    /// anomalies, a tampered view and a camera offline P3; the rest P4; a fall without one P1.
    @Test func thePriorityTable() {
        #expect(PriorityTable.priority(of: .crowdDensity, level: .red) == .p1)
        #expect(PriorityTable.priority(of: .fallDetected) == .p1 && PriorityTable.priority(of: .fallInactivity) == .p1)
        #expect(PriorityTable.priority(of: .crowdDensity, level: .orange) == .p2)
        #expect(PriorityTable.priority(of: .crowdDensity, level: .yellow) == .p3)
        #expect(PriorityTable.priority(of: .crowdDensity, level: .blue) == .p4)
        for s in [EventSubtype.running, .dispersal, .intrusion] { #expect(PriorityTable.priority(of: .motionAnomaly, subtype: s) == .p2) }
        for s in [EventSubtype.counterFlow, .loitering] { #expect(PriorityTable.priority(of: .motionAnomaly, subtype: s) == .p3) }
        #expect(PriorityTable.priority(of: .cameraTampered, subtype: .covered) == .p3)
        #expect(PriorityTable.priority(of: .cameraOffline) == .p3 && PriorityTable.priority(of: .cameraOnline) == .p4)
        #expect(PriorityTable.priority(of: .motionDetected) == .p4)
        #expect(PriorityTable.unstated(for: .fallDetected) == .p1 && PriorityTable.unstated(for: "fall.inactivity") == .p1)
        #expect(PriorityTable.unstated(for: .reportManual) == .p4)
    }
}
