import Events
import Foundation
import Testing

/// A repeat folded into its open event: its payload is the event's now, but boxes stay with the
/// picture they were found on.
@Suite struct FoldTests {
    func crowd(count: Double, box x: Double, snapshot: String?) -> Event {
        var e = Event(type: "crowd.density", priority: .p3, level: .yellow, source: EventSource(producer: "retina", camera: "gate-1", zone: "east"),
                      occurredAt: Date(), dedupKey: "retina:gate-1:crowd.density:east:1",
                      payload: .object(["count": .number(count),
                                        DetectedObject.payloadKey: DetectedObject.json([DetectedObject(className: "person", score: 0.9, x: x, y: 0.1,
                                                                                                       width: 0.1, height: 0.3)])]))
        e.evidence = snapshot.map { [EvidenceRef(kind: .snapshot, uri: $0, mime: "image/jpeg")] } ?? []
        return e
    }

    @Test func aRepeatWithoutAPictureKeepsTheBoxesOfTheEventsPicture() {
        var event = crowd(count: 7, box: 0.2, snapshot: "snapshots/gate-1/a.jpg")
        Transitions.fold(crowd(count: 9, box: 0.6, snapshot: nil), into: &event)
        #expect(event.payload["count"]?.doubleValue == 9)
        #expect(DetectedObject.list(in: event.payload)?.first?.box.first == 0.2)
        // A repeat that brings its own snapshot brings its boxes too.
        Transitions.fold(crowd(count: 11, box: 0.7, snapshot: "snapshots/gate-1/b.jpg"), into: &event)
        #expect(event.payload["count"]?.doubleValue == 11 && DetectedObject.list(in: event.payload)?.first?.box.first == 0.7)
        #expect(event.evidence.count == 2 && event.repeats == 2)
    }
}
