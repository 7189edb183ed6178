import Events
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import RetinaConfig
import RetinaMetrics
import RetinaTestSupport
import Synchronization
import Testing
import Worker

/// A worker over a real file camera, its metrics served on a real loopback port and read over HTTP.
@Suite(.serialized, .timeLimit(.minutes(1))) struct MetricsServerTests {
    /// One sample line of the text format: `name{label="value",…} value`.
    struct Sample: Equatable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    /// Parses the Prometheus text format (0.0.4) strictly enough to catch a malformed page: every
    /// sample's family has a TYPE line before it, names and labels are well formed, values are numbers.
    static func parse(_ text: String) throws -> [Sample] {
        var types: [String: String] = [:]
        var samples: [Sample] = []
        let name = /[a-zA-Z_:][a-zA-Z0-9_:]*/
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                try #require(parts.count == 4, "TYPE line: \(line)")
                try #require(["counter", "gauge", "histogram", "summary", "untyped"].contains(String(parts[3])), "type in \(line)")
                types[String(parts[2])] = String(parts[3])
                continue
            }
            if line.hasPrefix("#") { continue }
            let match = try #require(line.wholeMatch(of: /([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? ([^ ]+)/), "sample line: \(line)")
            var labels: [String: String] = [:]
            if let body = match.2?.dropFirst().dropLast(), !body.isEmpty {
                for pair in body.split(separator: ",") {
                    let kv = try #require(pair.wholeMatch(of: /([a-zA-Z_][a-zA-Z0-9_]*)="([^"]*)"/), "label in \(line)")
                    labels[String(kv.1)] = String(kv.2)
                }
            }
            let value = try #require(Double(String(match.3)), "value in \(line)")
            let family = String(match.1)
            #expect(family.wholeMatch(of: name) != nil)
            #expect(types[family] != nil, "\(family) has no TYPE line before it")
            samples.append(Sample(name: family, labels: labels, value: value))
        }
        return samples
    }

    static func get(_ url: String) async throws -> (status: Int, contentType: String?, body: String) {
        let (data, response) = try await URLSession.shared.data(from: URL(string: url)!)
        let http = response as? HTTPURLResponse
        return (http?.statusCode ?? 0, http?.value(forHTTPHeaderField: "Content-Type"), String(decoding: data, as: UTF8.self))
    }

    @Test func aWorkerServesItsCamerasAndProcessOnGetMetrics() async throws {
        let dir = Fixtures.temporaryDirectory("retina-metrics")
        // Small and short: the test machine's two cores are shared.
        try Fixtures.makeClip(dir + "/lobby.mp4", seconds: 8, fps: 15, width: 320, height: 180)
        let yaml = """
        defaults: {analysis: {fps: 5, width: 160}}
        groups: [{id: mall}]
        cameras:
          - {id: lobby, url: "\(dir)/lobby.mp4", group: mall}
        """
        let config = try ConfigLoader.parse(yaml, file: "test.yaml")
        let store = try SQLiteEventStore(path: dir + "/events.db")
        let worker = GroupWorker(cameras: config.cameras, store: store, healthInterval: 1)
        let metrics = WorkerMetrics(worker: worker)
        let server = MetricsServer(metrics: metrics, port: 0)
        let ready = AsyncStream<Int>.makeStream()
        let task = Task { try await server.run { port in ready.continuation.yield(port) } }
        var port = 0
        for await p in ready.stream { port = p; break }
        try #require(port > 0)
        worker.start()

        // The decode rate is measured over 2 s windows: poll until the first one is in.
        let url = "http://127.0.0.1:\(port)/metrics"
        var samples: [Sample] = []
        let until = Date().addingTimeInterval(10)
        func value(_ name: String, camera: String? = nil) -> Double? {
            samples.first { $0.name == name && (camera == nil || $0.labels["camera"] == camera) }?.value
        }
        while Date() < until {
            let page = try await Self.get(url)
            #expect(page.status == 200)
            #expect(page.contentType?.hasPrefix("text/plain; version=0.0.4") == true, "Content-Type \(page.contentType ?? "none")")
            samples = try Self.parse(page.body)
            if (value("retina_camera_decoded_fps", camera: "lobby") ?? 0) > 0,
               (value("retina_camera_frames_analysed_total", camera: "lobby") ?? 0) > 0 { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        await worker.stop()
        task.cancel()
        _ = try? await task.value

        let decoded = try #require(samples.first { $0.name == "retina_camera_decoded_fps" && $0.labels["camera"] == "lobby" })
        #expect(decoded.labels["group"] == "mall")
        // A paced 15 fps file: the rate is about 15 frames/s (loose: shared cores).
        #expect(decoded.value > 5 && decoded.value < 25, "decoded fps \(decoded.value)")
        #expect((value("retina_camera_frames_analysed_total", camera: "lobby") ?? 0) > 0)
        #expect(value("retina_camera_streaming", camera: "lobby") == 1)
        #expect(value("retina_camera_reconnects_total", camera: "lobby") != nil)
        #expect(value("retina_camera_dropped_frames_total", camera: "lobby") != nil)
        #expect(value("retina_camera_frames_undeblocked_total", camera: "lobby") != nil)  // load shed, by `deblock: auto`
        #expect((value("retina_camera_detector_seconds_total", camera: "lobby") ?? 0) > 0)
        // Between 1 MB and 4 GB: a real resident size, in bytes (not pages or kB).
        let rss = try #require(value("process_resident_memory_bytes"))
        #expect(rss > 1_000_000 && rss < 4e9, "RSS \(rss)")
        #expect((value("process_open_fds") ?? 0) > 3)
        #expect(value("retina_worker_cameras") == 1)
        #expect(value("retina_events_published_total") != nil)
    }

    @Test func aRemovedCameraLosesItsSeriesAndAChangedOneKeepsCounting() async throws {
        let dir = Fixtures.temporaryDirectory("retina-metrics-reload")
        try Fixtures.makeClip(dir + "/a.mp4", seconds: 6, fps: 15, width: 320, height: 180)
        func cameras(_ list: String) throws -> [CameraConfig] {
            try ConfigLoader.parse("defaults: {analysis: {fps: 5, width: 160}}\ncameras:\n" + list, file: "test.yaml").cameras
        }
        let store = try SQLiteEventStore(path: dir + "/events.db")
        let worker = GroupWorker(cameras: try cameras("""
          - {id: a, url: "\(dir)/a.mp4"}
          - {id: b, url: "\(dir)/a.mp4"}
        """), store: store, healthInterval: 1)
        let metrics = WorkerMetrics(worker: worker)
        worker.start()
        defer { Task { await worker.stop() } }
        func samples() throws -> [Sample] { try Self.parse(String(decoding: metrics.exposition(), as: UTF8.self)) }
        func decodedTotal(_ camera: String) throws -> Double? {
            try samples().first { $0.name == "retina_camera_frames_decoded_total" && $0.labels["camera"] == camera }?.value
        }
        let until = Date().addingTimeInterval(8)
        while (try decodedTotal("a") ?? 0) < 10 && Date() < until { try await Task.sleep(for: .milliseconds(250)) }
        let before = try #require(try decodedTotal("a"))
        #expect(before >= 10)
        #expect(try decodedTotal("b") != nil)

        // a changes (another analysis width), b goes.
        let report = await worker.apply(try cameras("  - {id: a, url: \"\(dir)/a.mp4\", analysis: {width: 128}}\n"))
        #expect(report.changed == ["a"] && report.removed == ["b"])
        let after = try #require(try decodedTotal("a"))
        #expect(after >= before, "a counter must not go back: \(before) then \(after)")
        #expect(try decodedTotal("b") == nil)
        await worker.stop()
    }
}
