import Events
import Foundation
import Media
import RetinaConfig
import RetinaTestSupport
import Synchronization
import Testing
import Vocabulary
import Worker

/// Against a real RTSP server (GStreamer's rtsp-server) on loopback, serving H.264 clips made by
/// ffmpeg. Serialized: the timings assume the machine's two cores are not shared with another
/// streaming test.
@Suite(.serialized) struct RTSPIntegrationTests {
    final class Recorder: Sendable {
        let frames = Mutex<[CameraFrame]>([])
        let states = Mutex<[(state: CameraState, at: Date, error: String?)]>([])

        func waitFor(_ timeout: Double, _ condition: () -> Bool) -> Bool {
            let until = Date().addingTimeInterval(timeout)
            while Date() < until {
                if condition() { return true }
                Thread.sleep(forTimeInterval: 0.05)
            }
            return condition()
        }

        func firstState(_ s: CameraState, after: Date) -> Date? {
            states.withLock { $0.first { $0.state == s && $0.at >= after }?.at }
        }
    }

    static let clip: String = {
        let dir = Fixtures.temporaryDirectory("retina-rtsp")
        let path = dir + "/camera.mp4"
        // What an IP camera sends: H.264, no B-frames, a key frame every second.
        try! Fixtures.makeClip(path, seconds: 40, fps: 25, width: 640, height: 360)
        return path
    }()

    func ingest(_ url: String, transport: StreamTransport = .tcp, stall: Double = 2) -> (CameraIngest, Recorder) {
        let r = Recorder()
        let spec = IngestSpec(cameraId: "cam", url: StreamURL(url),
                              options: OpenOptions(transport: transport, openTimeout: 5, stallTimeout: stall),
                              analysisFps: 5, analysisWidth: 320, backoff: BackoffPolicy(delays: [0.2, 0.5, 1], jitter: 0))
        let ingest = CameraIngest(spec: spec, onState: { s, e in r.states.withLock { $0.append((s, Date(), e?.description)) } },
                                  onFrame: { f in r.frames.withLock { $0.append(f) } })
        return (ingest, r)
    }

    @Test func tenSecondsOfStreamArriveAtTheCameraRate() throws {
        let server = RTSPServer(mounts: ["cam": Self.clip])
        try server.start()
        defer { server.stop() }
        let (ingest, r) = ingest(server.url("cam"))
        ingest.start()
        #expect(r.waitFor(10) { r.firstState(.streaming, after: .distantPast) != nil })
        let decoded0 = ingest.health.snapshot.framesDecoded
        let analysed0 = r.frames.withLock { $0.count }
        let started = Date()
        Thread.sleep(forTimeInterval: 10)
        let h = ingest.health.snapshot
        let analysed = r.frames.withLock { $0.count } - analysed0
        // The window is measured, not assumed: a busy test machine oversleeps.
        let elapsed = Date().timeIntervalSince(started)
        ingest.stop()
        // A 25 fps camera, analysed at 5 fps, within 10 % (scripts/test runs this suite on its own,
        // so that the detector suites do not starve the RTSP server).
        let decodedRate = Double(h.framesDecoded - decoded0) / elapsed, analysedRate = Double(analysed) / elapsed
        #expect(abs(decodedRate - 25) <= 2.5, "decoded \(h.framesDecoded - decoded0) frames in \(elapsed) s")
        #expect(abs(analysedRate - 5) <= 0.5, "analysed \(analysed) frames in \(elapsed) s")
        #expect(abs(h.decodedFps - 25) < 2.5, "decoded fps \(h.decodedFps)")
        #expect(h.stallsLastHour == 0 && h.reconnectsLastHour == 0)
        let frames = r.frames.withLock { $0 }
        #expect(frames.allSatisfy { $0.width == 320 && $0.height == 180 && $0.segment == 1 })
        // Wall-clock stamps track real time for a live source.
        #expect(abs(frames.last!.time.timeIntervalSinceNow) < 2)
    }

    @Test func udpTransportWorksOnRequest() throws {
        let server = RTSPServer(mounts: ["cam": Self.clip])
        try server.start()
        defer { server.stop() }
        let (ingest, r) = ingest(server.url("cam"), transport: .udp)
        ingest.start()
        #expect(r.waitFor(10) { r.frames.withLock { $0.count } >= 10 })
        ingest.stop()
        #expect(ingest.health.snapshot.stream?.codec == "h264")
    }

    @Test func aHungServerIsStalledWithinTheDeadlineAndRecoversWhenItReturns() throws {
        let server = RTSPServer(mounts: ["cam": Self.clip])
        try server.start()
        defer { server.stop() }
        let (ingest, r) = ingest(server.url("cam"), stall: 2)
        ingest.start()
        #expect(r.waitFor(10) { r.frames.withLock { $0.count } >= 5 })
        // The server stops sending but keeps the connection open.
        let pausedAt = Date()
        server.pause()
        #expect(r.waitFor(6) { r.firstState(.stalled, after: pausedAt) != nil })
        if let stalledAt = r.firstState(.stalled, after: pausedAt) {
            let after = stalledAt.timeIntervalSince(pausedAt)
            #expect(after >= 1.5 && after <= 3.5, "stalled after \(after) s with a 2 s deadline")
        }
        #expect(ingest.health.snapshot.stallsLastHour == 1)
        Thread.sleep(forTimeInterval: 1)
        let resumedAt = Date()
        server.resume()
        // Same ingest loop, no restart: it reconnects and frames of a new segment arrive.
        #expect(r.waitFor(15) { r.frames.withLock { $0.contains { $0.segment >= 2 } } })
        #expect(r.firstState(.streaming, after: resumedAt) != nil)
        #expect(ingest.health.snapshot.state == .streaming)
        ingest.stop()
    }

    @Test func credentialsAreCheckedAndNeverShown() throws {
        let server = RTSPServer(mounts: ["cam": Self.clip], auth: "operator:n0tpublic")
        try server.start()
        defer { server.stop() }
        for creds in [nil, "operator:wrong"] {
            do {
                _ = try StreamProbe.probe(url: StreamURL(server.url("cam", credentials: creds)), options: OpenOptions(openTimeout: 5), seconds: 1, maxFrames: 5)
                Issue.record("opened without valid credentials")
            } catch {
                #expect(error == .unauthorized(url: StreamURL(server.url("cam", credentials: creds)).masked))
                #expect("\(error)".contains("401 Unauthorized"))
                #expect(!"\(error)".contains("wrong"))
            }
        }
        let ok = try StreamProbe.probe(url: StreamURL(server.url("cam", credentials: "operator:n0tpublic")), options: OpenOptions(openTimeout: 5),
                                       seconds: 3, maxFrames: 10)
        #expect(ok.width == 640)
    }

    @Test func aWrongPathIsNotFound() throws {
        let server = RTSPServer(mounts: ["cam": Self.clip])
        try server.start()
        defer { server.stop() }
        do {
            _ = try StreamProbe.probe(url: StreamURL(server.url("no-such-stream")), options: OpenOptions(openTimeout: 5), seconds: 1, maxFrames: 1)
            Issue.record("opened a path the server does not have")
        } catch {
            #expect("\(error)".contains("not found"), "got \(error)")
        }
    }

    /// A worker with a good camera beside broken ones: each broken one gets its own clear error and
    /// one camera.offline event; the good one streams on, unaffected; a server that dies and comes
    /// back gives one camera.offline and one camera.online.
    @Test func badCamerasDoNotDisturbAGoodOne() async throws {
        let server = RTSPServer(mounts: ["good": Self.clip, "flaky": Self.clip])
        try server.start()
        let flakyServer = RTSPServer(mounts: ["flaky": Self.clip])
        try flakyServer.start()
        defer { server.stop(); flakyServer.stop() }
        let dir = Fixtures.temporaryDirectory("retina-worker")
        Fixtures.makeGarbage(dir + "/garbage.mp4")
        let yaml = """
        defaults: {offlineAfter: 2s, stallTimeout: 2s, openTimeout: 3s, backoff: [200ms, 500ms, 1s]}
        cameras:
          - {id: good, url: "\(server.url("good"))", motion: {enabled: true}}
          - {id: garbage, url: "\(dir)/garbage.mp4"}
          - {id: wrong-path, url: "\(server.url("nope"))"}
          - {id: flaky, url: "\(flakyServer.url("flaky"))"}
        """
        let config = try ConfigLoader.parse(yaml, file: "test.yaml")
        let store = try SQLiteEventStore(path: dir + "/events.db")
        let worker = GroupWorker(cameras: config.cameras, store: store, evidenceDirectory: dir + "/evidence", healthInterval: 1)
        worker.start()
        try await Task.sleep(for: .seconds(5))
        flakyServer.stop()
        try await Task.sleep(for: .seconds(4))
        let restarted = RTSPServer(mounts: ["flaky": Self.clip], port: flakyServer.port)
        try restarted.start()
        defer { restarted.stop() }
        try await Task.sleep(for: .seconds(5))
        let health = Dictionary(uniqueKeysWithValues: worker.health.map { ($0.camera, $0) })
        let good = worker.pipelines.first { $0.camera.id == "good" }!
        await worker.stop()

        #expect(good.framesAnalysed >= 60, "good camera analysed \(good.framesAnalysed) frames in 14 s")
        #expect(health["good"]?.state == .streaming)
        #expect(health["good"]?.reconnectsLastHour == 0)
        #expect(health["garbage"]?.lastError?.contains("not a readable video stream") == true)
        #expect(health["garbage"]?.state == .failed)
        #expect(health["wrong-path"]?.lastError?.contains("not found") == true)
        #expect(health["flaky"]?.state == .streaming)

        let events = try await store.list(EventQuery(limit: 1000))
        func count(_ type: EventType, _ camera: String) -> Int { events.filter { $0.type == type && $0.source.camera == camera }.count }
        #expect(count("camera.offline", "good") == 0)
        #expect(count("camera.offline", "garbage") == 1)
        #expect(count("camera.offline", "wrong-path") == 1)
        #expect(count("camera.offline", "flaky") == 1)
        #expect(count("camera.online", "flaky") == 1)
        #expect(count("motion.detected", "good") >= 1)  // ffmpeg's test pattern moves
        #expect(try await store.health().count == 4)
        // Every detection event carries a JPEG of the full-resolution frame, with its SHA-256.
        let motion = try #require(events.first { $0.type == "motion.detected" })
        let snapshot = try #require(motion.evidence.first { $0.kind == .snapshot })
        // Stored relative to the evidence folder (the office and exports resolve it only there).
        #expect(snapshot.uri.hasPrefix("snapshots/good/"))
        let jpeg = try Data(contentsOf: URL(fileURLWithPath: dir + "/evidence/" + snapshot.uri))
        #expect(jpeg.starts(with: [0xFF, 0xD8]) && jpeg.count == snapshot.size)
        #expect(snapshot.sha256 == Fixtures.sha256(jpeg))
    }

    // MARK: - Event clips

    /// ffprobe's view of a clip: format, codec, duration, whether the first packet is a key frame.
    static func probeClip(_ path: String) throws -> (format: String, codec: String, duration: Double, firstKey: Bool, packets: Int) {
        let ffprobe = try #require(Fixtures.which("ffprobe"))
        let out = try Fixtures.run(ffprobe, ["-v", "error", "-select_streams", "v:0", "-show_entries",
                                             "stream=codec_name:format=format_name,duration:packet=flags", "-of", "json", path])
        try #require(out.status == 0, "ffprobe: \(out.output)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(out.output.utf8)) as? [String: Any])
        let format = json["format"] as? [String: Any] ?? [:]
        let packets = json["packets"] as? [[String: Any]] ?? []
        return (format["format_name"] as? String ?? "", (json["streams"] as? [[String: Any]])?.first?["codec_name"] as? String ?? "",
                Double(format["duration"] as? String ?? "") ?? .nan, (packets.first?["flags"] as? String)?.hasPrefix("K") == true, packets.count)
    }

    /// A worker over RTSP with clips on: the camera's event gets its clip (MP4 of the camera's own
    /// H.264 packets), and the store's evidence ref has the file's real size and SHA-256.
    func clipWorker(pre: String, post: String) throws -> (RTSPServer, GroupWorker, SQLiteEventStore, String) {
        let server = RTSPServer(mounts: ["good": Self.clip])
        try server.start()
        let dir = Fixtures.temporaryDirectory("retina-clips")
        let yaml = """
        evidence:
          dir: \(dir)/evidence
          clips: {pre: \(pre), post: \(post), ring: 8s}
        cameras:
          - {id: good, url: "\(server.url("good"))", motion: {enabled: true}}
        """
        let config = try ConfigLoader.parse(yaml, file: "test.yaml")
        let store = try SQLiteEventStore(path: dir + "/events.db")
        let worker = GroupWorker(cameras: config.cameras, store: store, evidenceDirectory: config.evidence, healthInterval: 1)
        return (server, worker, store, dir)
    }

    /// Polls the store until an event matches (nil after `timeout` seconds).
    func waitForEvent(in store: SQLiteEventStore, timeout: Double, _ matches: @escaping (Event) -> Bool) async throws -> Event? {
        let until = Date().addingTimeInterval(timeout)
        while Date() < until {
            if let e = try await store.list(EventQuery(limit: 100)).first(where: matches) { return e }
            try await Task.sleep(for: .milliseconds(250))
        }
        return nil
    }

    func clipOf(_ event: Event, evidence: String) throws -> (ref: EvidenceRef, path: String, data: Data) {
        let ref = try #require(event.evidence.first { $0.kind == .clip }, "event has no clip: \(event.evidence)")
        #expect(ref.uri.hasPrefix("clips/"), "stored relative to the evidence folder: \(ref.uri)")
        let path = evidence + "/" + ref.uri
        return (ref, path, try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    @Test func anEventThatOpensGetsItsClipWithTheSHA256InTheStore() async throws {
        let (server, worker, store, dir) = try clipWorker(pre: "2s", post: "2s")
        defer { server.stop() }
        worker.start()
        let started = Date()
        let withClip = try await waitForEvent(in: store, timeout: 15) { e in
            e.type == "motion.detected" && e.evidence.contains { $0.kind == .clip }
        }
        let waited = Date().timeIntervalSince(started)
        await worker.stop()
        let event = try #require(withClip, "no motion event got a clip within 15 s")
        // Published first (with its snapshot), the clip added once its 2 post-event seconds arrived.
        #expect(event.evidence.first?.kind == .snapshot)
        let (ref, path, data) = try clipOf(event, evidence: dir + "/evidence")
        #expect(ref.mime == "video/mp4" && ref.size == data.count && event.pendingEvidence.isEmpty)
        #expect(ref.sha256 == Fixtures.sha256(data))  // sha256sum, not our code
        #expect(path.hasPrefix(dir + "/evidence/clips/good/") && path.hasSuffix("/\(event.id.uuidString.lowercased()).mp4"))
        let probe = try Self.probeClip(path)
        #expect(probe.format.contains("mp4") && probe.codec == "h264" && probe.firstKey)
        // At most pre + post + one GOP (1 s); at least the post seconds (the stream had run less
        // than `pre` when the first motion was seen, if it was early).
        #expect(probe.duration >= 2 - 0.1 && probe.duration <= 4 + 1 + 0.1, "clip is \(probe.duration) s, waited \(waited) s")
        let history = try await store.history(of: event.id)
        #expect(history.contains { $0.action == "evidence_added" && $0.actor == "retina" })
        #expect(worker.pipelines[0].clips?.written ?? 0 >= 1)
        // Nothing half-written is left beside the clips.
        let folder = (path as NSString).deletingLastPathComponent
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).allSatisfy { $0.hasSuffix(".mp4") && !$0.hasPrefix(".") })
    }

    @Test func aGracefulStopWritesPendingClipsWithWhatArrived() async throws {
        // 60 s after the event will not arrive before the stop.
        let (server, worker, store, dir) = try clipWorker(pre: "2s", post: "60s")
        defer { server.stop() }
        worker.start()
        let opened = try await waitForEvent(in: store, timeout: 12) { $0.type == "motion.detected" }
        let event = try #require(opened, "no motion event within 12 s")
        #expect(!event.evidence.contains { $0.kind == .clip })  // still recording, and published as pending
        #expect(event.pendingEvidence == [PendingEvidence(kind: "clip", eventId: event.id)])
        try await Task.sleep(for: .seconds(1))
        let stopAsked = Date()
        await worker.stop()
        let stopTook = Date().timeIntervalSince(stopAsked)
        #expect(stopTook < 10, "stop took \(stopTook) s")
        let stored = try #require(try await store.event(id: event.id))
        let (ref, path, data) = try clipOf(stored, evidence: dir + "/evidence")
        #expect(ref.sha256 == Fixtures.sha256(data) && ref.size == data.count)
        #expect(stored.pendingEvidence.isEmpty)  // completed by the stop
        let probe = try Self.probeClip(path)
        #expect(probe.firstKey && probe.codec == "h264")
        #expect(probe.duration >= 1 && probe.duration < 30, "clip is \(probe.duration) s")
    }

    // MARK: - Two streams

    /// A camera's main stream as IP cameras send it beside the substream: the same scene, larger.
    static let mainClip: String = {
        let dir = Fixtures.temporaryDirectory("retina-rtsp-main")
        let path = dir + "/main.mp4"
        try! Fixtures.makeClip(path, seconds: 40, fps: 25, width: 1280, height: 720)
        return path
    }()

    @Test func aCameraWithTwoStreamsAnalysesTheSubstreamAndKeepsTheMainStreamsPacketsForClipsAndSnapshots() async throws {
        let server = RTSPServer(mounts: ["main": Self.mainClip, "sub": Self.clip])
        try server.start()
        defer { server.stop() }
        let dir = Fixtures.temporaryDirectory("retina-dual")
        let yaml = """
        evidence: {dir: \(dir)/evidence, clips: {pre: 2s, post: 2s, ring: 8s}}
        cameras:
          - {id: dual, url: "\(server.url("main"))", detect: "\(server.url("sub"))", motion: {enabled: true},
             zones: [{id: corner, kind: masked, polygon: [[0, 0], [160, 0], [160, 90], [0, 90]]}]}
          - {id: dual-clips, url: "\(server.url("main"))", detect: "\(server.url("sub"))", motion: {enabled: true}, snapshot: detect}
        """
        let config = try ConfigLoader.parse(yaml, file: "test.yaml")
        let store = try SQLiteEventStore(path: dir + "/events.db")
        let worker = GroupWorker(cameras: config.cameras, store: store, evidenceDirectory: config.evidence, healthInterval: 1)
        worker.start()
        let withClip = try await waitForEvent(in: store, timeout: 20) { e in
            e.source.camera == "dual-clips" && e.type == "motion.detected" && e.evidence.contains { $0.kind == .clip }
        }
        let masked = try await waitForEvent(in: store, timeout: 5) { e in
            e.source.camera == "dual" && e.type == "motion.detected" && e.evidence.filter { $0.kind == .snapshot }.count == 2
        }
        let health = worker.health
        await worker.stop()

        // The substream is the one decoded: its frames are 640×360; the main stream is only read.
        let dual = try #require(health.first { $0.camera == "dual-clips" })
        #expect(dual.state == .streaming && dual.mainStream?.state == .streaming, "\(dual)")
        #expect(worker.pipelines.allSatisfy { $0.framesAnalysed > 0 })
        // The clip is the main stream's own packets: 1280×720, not re-encoded.
        let event = try #require(withClip, "no event of the two-stream camera got a clip within 20 s")
        let (_, path, _) = try clipOf(event, evidence: dir + "/evidence")
        let clip = try PictureFile.read(path)
        #expect(clip.width == 1280 && clip.height == 720)
        #expect(try Self.probeClip(path).firstKey)
        // snapshot: detect keeps the analysed frame alone; by default the main stream's picture of the
        // same moment follows it, decoded from its packets, with the masked corner (given in
        // substream pixels) scaled and black.
        #expect(event.evidence.filter { $0.kind == .snapshot }.count == 1)
        let small = try PictureFile.read(dir + "/evidence/" + (try #require(event.evidence.first { $0.kind == .snapshot })).uri)
        #expect(small.width == 640 && small.height == 360)
        let big = try #require(masked, "no event of the camera with a masked zone got its main-stream snapshot")
        #expect(big.pendingEvidence.isEmpty)
        let picture = try PictureFile.read(dir + "/evidence/" + (try #require(big.evidence.last { $0.kind == .snapshot })).uri)
        #expect(picture.width == 1280 && picture.height == 720)
        let luma = try #require(picture.pixels(.gray, width: 1280, height: 720))
        let corner = (20..<160).flatMap { y in (20..<300).map { x in Int(luma[y * 1280 + x]) } }
        #expect(corner.reduce(0, +) / corner.count < 12, "the masked corner is not black in the main stream's snapshot")
        // A masked camera keeps no clip.
        #expect(!big.evidence.contains { $0.kind == .clip } && big.pendingEvidence.isEmpty)
    }

    @Test func aMainStreamThatIsDownIsItsOwnOutageAndTheCameraIsStillAnalysed() async throws {
        let server = RTSPServer(mounts: ["sub": Self.clip])
        try server.start()
        defer { server.stop() }
        let dir = Fixtures.temporaryDirectory("retina-dual-down")
        let yaml = """
        evidence: {dir: \(dir)/evidence}
        defaults: {offlineAfter: 2s, openTimeout: 2s, backoff: [0.5s, 1s]}
        cameras:
          - {id: dual, url: "\(server.url("missing"))", detect: "\(server.url("sub"))", motion: {enabled: true}}
        """
        let config = try ConfigLoader.parse(yaml, file: "test.yaml")
        let store = try SQLiteEventStore(path: dir + "/events.db")
        let worker = GroupWorker(cameras: config.cameras, store: store, evidenceDirectory: config.evidence, healthInterval: 1)
        worker.start()
        // (A slow first connection of the substream may be an outage of its own: the main stream's says so.)
        let offline = try await waitForEvent(in: store, timeout: 15) { $0.type == .cameraOffline && $0.payload["stream"] != nil }
        let motion = try await waitForEvent(in: store, timeout: 10) { $0.type == "motion.detected" }
        let health = worker.health.first
        await worker.stop()
        let down = try #require(offline, "no camera.offline for the main stream")
        #expect(down.payload["stream"]?.stringValue == "main", "\(down.payload)")
        #expect(health?.state == .streaming && health?.mainStream.map { $0.state != .streaming } == true, "\(String(describing: health))")
        // Analysis goes on, with the analysed frame's snapshot; the main stream's is missing, and says why.
        let seen = try #require(motion, "no motion event while the main stream was down")
        let snapshot = try #require(seen.evidence.first { $0.kind == .snapshot })
        #expect(try PictureFile.read(dir + "/evidence/" + snapshot.uri).width == 640)
        let history = try await store.history(of: seen.id)
        #expect(history.contains { $0.action == "evidence_missing" && ($0.note ?? "").contains("main stream") }, "\(history)")
    }
}
