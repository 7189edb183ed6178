import Events
import Foundation
import Media
import RetinaConfig
import RetinaTestSupport
import Testing
@testable import Worker

/// Home cameras in a running worker, on real clips (GMDCSA24 in ../shared/data): a fall raises
/// `fall.detected` (P1) for the resident, merged with the same fall from another producer, with
/// private pictures only; a daily activity raises nothing.
@Suite struct HomeCameraTests {
    static let falls = (Fixtures.repositoryRoot as NSString).deletingLastPathComponent + "/shared/data/falls-gmdcsa24"

    @Test(.disabled(if: !FileManager.default.fileExists(atPath: falls + "/Subject_1/Fall/14.mp4"), "needs ../shared/data/falls-gmdcsa24 (GMDCSA24)"),
          .timeLimit(.minutes(2)))
    func aFallRaisesAPrivateP1EventThatMergesWithAnotherProducersAndADailyActivityRaisesNothing() async throws {
        let dir = Fixtures.temporaryDirectory("retina-home")
        // The top-left corner is masked (a bathroom door); no reconnect once a clip has ended.
        let cameras = try ConfigLoader.parse("""
        defaults: {backoff: [600s]}
        cameras:
          - id: fall
            kind: home
            url: "\(Self.falls)/Subject_1/Fall/14.mp4"
            home: {subject: resident-0412}
            zones: [{id: door, kind: masked, polygon: [[0, 0], [160, 0], [160, 120], [0, 120]]}]
          - {id: reading, kind: home, url: "\(Self.falls)/Subject_1/ADL/10.mp4", home: {subject: resident-0777}}
        """, file: "test.yaml").cameras
        let store = try SQLiteEventStore(path: dir + "/events.db")
        // The radar of the same flat reported the fall first.
        let radar = Event(type: .fallDetected, priority: .p1, source: EventSource(producer: "fall-detection"), occurredAt: Date(),
                          dedupKey: "fall.detected:resident-0412", payload: .object(["subjectRef": .string("resident-0412"), "deviceType": .string("radar")]))
        _ = try await store.publish([radar])
        let worker = GroupWorker(cameras: cameras, store: store, evidenceDirectory: dir + "/evidence", healthInterval: 1)
        worker.start()
        let until = Date().addingTimeInterval(60)
        // Each clip is about 5 s, analysed at 5 a second: until both have ended and every frame sampled
        // for analysis was analysed or dropped (a busy machine drops some: waiting for 20 analysed
        // then ran into the clips' camera.offline).
        func drained(_ p: CameraPipeline) -> Bool {
            p.ingestHealth.state != .streaming && p.ingestHealth.framesSampled > 0
                && p.framesAnalysed + p.health.droppedFrames >= p.ingestHealth.framesSampled
        }
        while !worker.pipelines.allSatisfy(drained) && Date() < until {
            try await Task.sleep(for: .milliseconds(200))
        }
        await worker.stop()

        // No live picture leaves a home for the office's wall.
        #expect(!FileManager.default.fileExists(atPath: dir + "/evidence/live"), "a home camera wrote a live picture")
        let events = try await store.list(EventQuery())
        #expect(!events.contains { $0.source.camera == "reading" }, "\(events.filter { $0.source.camera == "reading" }.map(\.payload))")
        let falls = events.filter { $0.type == .fallDetected }
        let fall = try #require(falls.first, "no fall event")
        #expect(falls.count == 1 && fall.id == radar.id && fall.repeats == 1, "the camera's fall did not merge into the radar's: \(falls.map(\.id))")
        #expect(fall.priority == .p1)
        #expect(fall.payload["subjectRef"]?.stringValue == "resident-0412" && fall.payload["deviceType"]?.stringValue == "camera")
        #expect(fall.payload["detectorEvent"]?.stringValue == "fall")
        #expect(fall.evidence.map(\.privacy) == [.blurred, .skeleton, .clear], "\(fall.evidence)")
        // A camera with a masked zone keeps no clip (its packets cannot be masked).
        #expect(fall.pendingEvidence.isEmpty && !fall.evidence.contains { $0.kind == .clip })
        // The masked corner is black in the clear picture, and lit beside it.
        let clear = try #require(fall.evidence.first { $0.privacy == .clear })
        let picture = try PictureFile.read(dir + "/evidence/" + clear.uri)
        let luma = try #require(picture.pixels(.gray, width: picture.width, height: picture.height))
        func mean(_ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int) -> Double {
            var sum = 0
            for y in y0..<y1 { for x in x0..<x1 { sum += Int(luma[y * picture.width + x]) } }
            return Double(sum) / Double((x1 - x0) * (y1 - y0))
        }
        #expect(mean(8, 8, 150, 110) < 12, "the masked zone is not black: \(mean(8, 8, 150, 110))")
        #expect(mean(200, 8, 340, 110) > 60)
    }
}
