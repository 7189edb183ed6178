import Events
import Foundation
import RetinaConfig
import RetinaTestSupport
import Testing
@testable import Worker

/// `vehicle` anomalies in a running worker, on real footage (UCSD Ped2 in ../shared/data): a
/// cyclist among walkers raises one; a group of walkers the detector takes for a motorcycle at
/// walking pace does not.
@Suite struct VehicleEventTests {
    static let ped2 = (Fixtures.repositoryRoot as NSString).deletingLastPathComponent + "/shared/data/ucsd-ped2"

    @Test(.disabled(if: !FileManager.default.fileExists(atPath: ped2 + "/test_05.mp4"), "needs ../shared/data/ucsd-ped2 (UCSD Ped2)"),
          .timeLimit(.minutes(2)))
    func aCyclistAmongWalkersIsAVehicleAnomalyAndWalkersAreNot() async throws {
        let dir = Fixtures.temporaryDirectory("retina-vehicles")
        // No normal period here (0 s): the default walking speed stands for the learned one.
        let cameras = try ConfigLoader.parse("""
        defaults: {analysis: {fps: 10, width: 360}, backoff: [600s], perception: {gate: always, rate: 5}, anomaly: {vehicleLearning: 0s}, crowd: {enabled: false}}
        cameras:
          - {id: cyclist, url: "\(Self.ped2)/test_05.mp4"}
          - {id: walkers, url: "\(Self.ped2)/train_09.mp4"}
        """, file: "test.yaml").cameras
        let store = try SQLiteEventStore(path: dir + "/events.db")
        let worker = GroupWorker(cameras: cameras, store: store, healthInterval: 1)
        worker.start()
        try await worker.waitUntilPlayed(frames: 140, atMost: 90)
        await worker.stop()
        let events = try await store.list(EventQuery(types: [.motionAnomaly])).filter { $0.subtype == .vehicle }
        let cyclist = events.filter { $0.source.camera == "cyclist" }
        #expect(!cyclist.isEmpty, "no vehicle event on the cyclist's clip")
        #expect(cyclist.allSatisfy { $0.payload["class"]?.stringValue == "bicycle" }, "\(cyclist.map(\.payload))")
        #expect(!events.contains { $0.source.camera == "walkers" }, "\(events.filter { $0.source.camera == "walkers" }.map(\.payload))")
    }
}
