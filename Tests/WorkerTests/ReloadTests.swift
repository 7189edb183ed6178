import Events
import Foundation
import RetinaConfig
import RetinaTestSupport
import Testing
import Worker

/// Config reload in a running worker, over real file cameras (clips made by ffmpeg).
@Suite(.serialized, .timeLimit(.minutes(1))) struct ReloadTests {
    /// Long enough that no camera reaches the end of its file (and reconnects) during a test.
    static let clip: String = {
        let path = Fixtures.temporaryDirectory("retina-reload") + "/camera.mp4"
        try! Fixtures.makeClip(path, seconds: 30, fps: 15, width: 320, height: 180)
        return path
    }()

    static let defaults = "defaults: {analysis: {fps: 5, width: 160}, backoff: [200ms]}"

    static func waitFor(_ timeout: Double, _ condition: () -> Bool) async throws -> Bool {
        let until = Date().addingTimeInterval(timeout)
        while Date() < until {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return condition()
    }

    static func pipeline(_ worker: GroupWorker, _ id: String) -> CameraPipeline? { worker.pipelines.first { $0.camera.id == id } }

    @Test func applyAddsRemovesAndReplacesChangedCamerasAndLeavesTheRestRunning() async throws {
        let dir = Fixtures.temporaryDirectory("retina-reload-apply")
        let zone = "zones: [{id: door, polygon: [[0, 0], [160, 0], [160, 90]]}]"
        func cameras(_ list: String) throws -> [CameraConfig] {
            try ConfigLoader.parse("\(Self.defaults)\ncameras:\n" + list, file: "test.yaml").cameras
        }
        let store = try SQLiteEventStore(path: dir + "/events.db")
        let worker = GroupWorker(cameras: try cameras("""
          - {id: keep, url: "\(Self.clip)"}
          - {id: gone, url: "\(Self.clip)"}
          - {id: change, url: "\(Self.clip)", \(zone)}
        """), store: store, healthInterval: 1)
        worker.start()
        defer { Task { await worker.stop() } }
        #expect(try await Self.waitFor(8) { worker.pipelines.allSatisfy { $0.ingestHealth.framesDecoded > 0 } })
        let keep = try #require(Self.pipeline(worker, "keep"))
        let gone = try #require(Self.pipeline(worker, "gone"))
        let changeBefore = try #require(Self.pipeline(worker, "change"))

        let report = await worker.apply(try cameras("""
          - {id: keep, url: "\(Self.clip)"}
          - {id: change, url: "\(Self.clip)", zones: [{id: door, polygon: [[0, 0], [100, 0], [100, 90]]}]}
          - {id: new, url: "\(Self.clip)"}
        """))
        let decodedAtApply = keep.ingestHealth.framesDecoded

        #expect(report == ReloadReport(added: ["new"], removed: ["gone"], changed: ["change"], unchanged: ["keep"]))
        #expect(worker.cameras.map(\.id) == ["keep", "change", "new"])
        #expect(worker.pipelines.count == 3)
        // The untouched camera keeps its pipeline (and its connection); the others were stopped.
        #expect(Self.pipeline(worker, "keep") === keep)
        let changeAfter = try #require(Self.pipeline(worker, "change"))
        #expect(changeAfter !== changeBefore)
        #expect(changeAfter.camera.zones.first?.polygon.map(\.x) == [0, 100, 100])
        #expect(changeBefore.ingestHealth.state == .stopped && gone.ingestHealth.state == .stopped)
        // The stopped pipelines analysed what they had buffered.
        #expect(gone.buffer.waiting == 0 && changeBefore.buffer.waiting == 0)
        #expect(try await Self.waitFor(8) {
            (Self.pipeline(worker, "new")?.ingestHealth.framesDecoded ?? 0) > 0 && changeAfter.ingestHealth.framesDecoded > 0
        })
        // No hiccup for the untouched camera: still streaming, decoding on, never reconnected.
        #expect(keep.ingestHealth.state == .streaming)
        // (Frames are decoded in bursts of `decodeBurst`, so the next ones may take 200 ms to come.)
        #expect(try await Self.waitFor(8) { keep.ingestHealth.framesDecoded > decodedAtApply })
        #expect(keep.reconnectsTotal == 0)
        // The removed camera's last health says it stopped (not a stale "streaming").
        let health = try await store.health()
        #expect(health.first { $0.camera == "gone" }?.state == .stopped)

        // The same cameras again: nothing to do.
        let again = await worker.apply(worker.cameras)
        #expect(again.isEmpty && again.unchanged == ["keep", "change", "new"])
        await worker.stop()
        // After stop, a reload changes nothing.
        #expect(await worker.apply([]) == ReloadReport())
    }

    @Test func anInvalidFileIsRefusedWithItsLocationAndTheCamerasRunOn() async throws {
        let dir = Fixtures.temporaryDirectory("retina-reload-file")
        let path = dir + "/cameras.yaml"
        func write(_ cameras: String) throws {
            try "\(Self.defaults)\ngroups: [{id: mall}, {id: gate}]\ncameras:\n\(cameras)".write(toFile: path, atomically: true, encoding: .utf8)
        }
        try write("""
          - {id: lobby, url: "\(Self.clip)", group: mall}
          - {id: north, url: "\(Self.clip)", group: gate}
        """)
        let store = try SQLiteEventStore(path: dir + "/events.db")
        let worker = GroupWorker(cameras: try ConfigLoader.load(path: path).cameras(inGroup: "mall"), store: store, healthInterval: 1)
        worker.start()
        defer { Task { await worker.stop() } }
        let lobby = try #require(Self.pipeline(worker, "lobby"))
        #expect(try await Self.waitFor(8) { lobby.ingestHealth.framesDecoded > 0 })

        // A wrong scheme on line 5 (the third camera): refused, located, and nothing changes.
        try write("""
          - {id: lobby, url: "\(Self.clip)", group: mall}
          - {id: atrium, url: "ftp://10.0.0.9/stream", group: mall}
        """)
        guard case .failure(let error) = await worker.reload(configPath: path, group: "mall") else {
            Issue.record("an invalid configuration was applied")
            return
        }
        #expect(error.description.contains("\(path):5:"), "\(error)")
        #expect(error.description.contains("cameras[1].url"), "\(error)")
        #expect(error.issues.first?.line == 5)
        // Not YAML at all: refused too.
        try "cameras: [{id: lobby, url: \"\(Self.clip)\"".write(toFile: path, atomically: true, encoding: .utf8)
        guard case .failure(let syntax) = await worker.reload(configPath: path, group: "mall") else {
            Issue.record("unparsable YAML was applied")
            return
        }
        #expect(syntax.description.contains(path) && syntax.description.contains("not valid YAML"), "\(syntax)")
        // The group this worker serves is gone from the file: refused.
        try "\(Self.defaults)\ngroups: [{id: gate}]\ncameras:\n  - {id: north, url: \"\(Self.clip)\", group: gate}\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        guard case .failure(let noGroup) = await worker.reload(configPath: path, group: "mall") else {
            Issue.record("a file without the worker's group was applied")
            return
        }
        #expect(noGroup.description.contains("no camera group 'mall'"), "\(noGroup)")

        let decoded = lobby.ingestHealth.framesDecoded
        #expect(worker.pipelines.count == 1 && Self.pipeline(worker, "lobby") === lobby)
        #expect(try await Self.waitFor(5) { lobby.ingestHealth.framesDecoded > decoded })
        #expect(lobby.ingestHealth.state == .streaming)

        // Fixed: the group's new camera is added; the other group's cameras stay out.
        try write("""
          - {id: lobby, url: "\(Self.clip)", group: mall}
          - {id: atrium, url: "\(Self.clip)", group: mall}
          - {id: south, url: "\(Self.clip)", group: gate}
        """)
        let report = try await worker.reload(configPath: path, group: "mall").get()
        #expect(report == ReloadReport(added: ["atrium"], unchanged: ["lobby"]))
        #expect(worker.cameras.map(\.id) == ["lobby", "atrium"])
        await worker.stop()
    }
}
