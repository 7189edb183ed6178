import Foundation
import Media
import RetinaTestSupport
import Synchronization
import Testing
import Vocabulary

/// Files decoded through the real ingest loop (libavformat + libavcodec + libswscale).
@Suite struct IngestTests {
    final class Collector: Sendable {
        let frames = Mutex<[CameraFrame]>([])
        let states = Mutex<[(CameraState, MediaError?)]>([])
    }

    func ingest(_ url: String, fps: Double = 5, skipNonReference: Bool? = false) -> (CameraIngest, Collector) {
        let c = Collector()
        let spec = IngestSpec(cameraId: "test", url: StreamURL(url), analysisFps: fps, analysisWidth: 320,
                              backoff: BackoffPolicy(delays: [0.05], jitter: 0), pace: false,
                              skipNonReference: skipNonReference, stopAtEnd: true)
        let ingest = CameraIngest(spec: spec, onState: { s, e in c.states.withLock { $0.append((s, e)) } },
                                  onFrame: { f in c.frames.withLock { $0.append(f) } })
        return (ingest, c)
    }

    @Test func decodesEveryFrameAndSamplesAtTheAnalysisRate() throws {
        let dir = Fixtures.temporaryDirectory()
        let clip = dir + "/clip.mp4"
        try Fixtures.makeClip(clip, seconds: 4, fps: 25, width: 640, height: 360)
        let (ingest, c) = ingest(clip)
        ingest.run()
        let frames = c.frames.withLock { $0 }
        let health = ingest.health.snapshot
        // 100 frames decoded: the decoder was drained at end of stream (frame threads hold several).
        #expect(health.framesDecoded == 100)
        #expect(frames.count == 20)
        #expect(frames.allSatisfy { $0.width == 320 && $0.height == 180 && $0.pixels.count == 320 * 180 })
        #expect(frames.allSatisfy { $0.sourceWidth == 640 && $0.sourceHeight == 360 })
        let times = frames.map(\.streamTime)
        #expect(zip(times.dropFirst(), times).allSatisfy { abs(($0 - $1) - 0.2) < 0.01 })
        // Wall-clock times follow stream time.
        let span = frames.last!.time.timeIntervalSince(frames.first!.time)
        #expect(abs(span - 3.8) < 0.05)
        // Real picture content, not a blank buffer.
        let mean = Double(frames[5].pixels.reduce(0) { $0 + Int($1) }) / Double(frames[5].pixels.count)
        #expect(mean > 20 && mean < 235)
        #expect(c.states.withLock { $0.map(\.0) } == [.connecting, .streaming, .stopped])
    }

    @Test func decodesOnAThreadNicerThanTheRestOfTheProcess() throws {
        // On a full machine, analysis and event commits must not queue behind the decoders.
        let clip = Fixtures.temporaryDirectory() + "/clip.mp4"
        try Fixtures.makeClip(clip, seconds: 1, fps: 25, width: 320, height: 180)
        let which = __priority_which_t(PRIO_PROCESS.rawValue)
        let seen = Mutex<Int32?>(nil)
        let spec = IngestSpec(cameraId: "nice", url: StreamURL(clip), analysisFps: 5, analysisWidth: 160,
                              backoff: BackoffPolicy(delays: [0.05], jitter: 0), pace: false, stopAtEnd: true)
        let ingest = CameraIngest(spec: spec, onFrame: { _ in seen.withLock { $0 = getpriority(which, 0) } })
        ingest.start()
        let until = Date().addingTimeInterval(20)
        while ingest.health.snapshot.state != .stopped && Date() < until { Thread.sleep(forTimeInterval: 0.02) }
        ingest.stop()
        #expect(seen.withLock { $0 } == getpriority(which, 0) + CameraIngest.decodeNiceness)
    }

    @Test func skippingNonReferenceFramesStillYieldsTheAnalysisRate() throws {
        let dir = Fixtures.temporaryDirectory()
        let clip = dir + "/bframes.mp4"
        // x264 with B-frames (non-reference ones among them), as recorded files often have.
        try Fixtures.makeClip(clip, seconds: 4, fps: 25, codec: ["-c:v", "libx264", "-preset", "veryfast", "-bf", "3", "-b-pyramid", "none", "-pix_fmt", "yuv420p"])
        let (ingest, c) = ingest(clip, skipNonReference: true)
        ingest.run()
        let decoded = ingest.health.snapshot.framesDecoded
        #expect(decoded < 100)  // some frames were never decoded
        #expect(decoded > 20)
        let frames = c.frames.withLock { $0 }
        #expect(frames.count >= 18 && frames.count <= 20)
    }

    @Test(arguments: [
        ("garbage", "not a readable video stream"),
        ("missing", "not found"),
        ("audio", "has no video track"),
        ("truncated", "not a readable video stream"),
        ("codec", "unsupported video codec 'ffv1'"),
    ])
    func badInputGivesAClearError(kind: String, expected: String) throws {
        let dir = Fixtures.temporaryDirectory()
        var path = dir + "/input.mp4"
        switch kind {
        case "garbage": Fixtures.makeGarbage(path)
        case "missing": path = dir + "/no-such-file.mp4"
        case "audio": path = dir + "/audio.m4a"; try Fixtures.makeAudioOnly(path)
        case "truncated":
            // moov at the end (ffmpeg's default): cut in half, the file has no index.
            try Fixtures.makeClip(dir + "/full.mp4", seconds: 2)
            try Fixtures.truncate(dir + "/full.mp4", to: path, fraction: 0.5)
        case "codec":
            path = dir + "/lossless.mkv"
            try Fixtures.makeClip(path, seconds: 1, codec: ["-c:v", "ffv1"])
        default: Issue.record("unknown case")
        }
        let (ingest, c) = ingest(path)
        ingest.run()
        let errors = c.states.withLock { $0.compactMap(\.1) }
        #expect(!errors.isEmpty)
        let message = errors.first.map { "\($0)" } ?? ""
        #expect(message.contains(expected), "got: \(message)")
        #expect(message.hasPrefix(path))
        #expect(c.frames.withLock { $0.isEmpty })
    }

    @Test func aPersistentFailureStaysFailedThroughItsRetries() throws {
        // The office must see a damaged camera as failed, not flickering to connecting every retry.
        let path = Fixtures.temporaryDirectory() + "/garbage.mp4"
        Fixtures.makeGarbage(path)
        let c = Collector()
        let spec = IngestSpec(cameraId: "broken", url: StreamURL(path), analysisFps: 5, analysisWidth: 160,
                              backoff: BackoffPolicy(delays: [0.05], jitter: 0), pace: false)
        let ingest = CameraIngest(spec: spec, onState: { s, e in c.states.withLock { $0.append((s, e)) } }, onFrame: { _ in })
        ingest.start()
        let until = Date().addingTimeInterval(20)
        var seen: [CameraState] = []
        while ingest.health.snapshot.reconnectsTotal < 5 && Date() < until {
            seen.append(ingest.health.snapshot.state)
            Thread.sleep(forTimeInterval: 0.002)
        }
        let failedSince = ingest.health.snapshot.since
        ingest.stop()
        #expect(ingest.health.snapshot.reconnectsTotal >= 5)
        let states = c.states.withLock { $0.map(\.0) }
        #expect(states.first == .connecting)
        #expect(states.dropFirst().dropLast().allSatisfy { $0 == .failed }, "\(states)")
        #expect(states.count >= 6)  // every failed retry is still announced, with its error
        let flickers = seen.drop { $0 != .failed }.filter { $0 == .connecting }.count
        #expect(flickers == 0, "read `connecting` \(flickers) times after the first failure")
        #expect(failedSince < Date().addingTimeInterval(-0.12))  // since the first failure, not the last retry
    }

    @Test func probeReportsTheStream() throws {
        let dir = Fixtures.temporaryDirectory()
        let clip = dir + "/clip.mp4"
        try Fixtures.makeClip(clip, seconds: 2, fps: 25, width: 640, height: 360)
        let p = try StreamProbe.probe(url: StreamURL(clip), options: OpenOptions(), seconds: 10, maxFrames: 1000)
        #expect(p.codec == "h264")
        #expect(p.width == 640 && p.height == 360)
        #expect(abs(p.fps - 25) < 0.01)
        #expect(p.framesDecoded == 50)
        #expect(p.decodeFps > 50)
    }

    @Test func refusedConnectionIsReportedWithMaskedCredentials() {
        let port = Fixtures.freePort()
        do {
            _ = try StreamProbe.probe(url: StreamURL("rtsp://admin:topsecret@127.0.0.1:\(port)/live"), options: OpenOptions(openTimeout: 3),
                                      seconds: 1, maxFrames: 1)
            Issue.record("opening a closed port succeeded")
        } catch {
            let text = "\(error)"
            #expect(text.contains("cannot connect"))
            #expect(text.contains("rtsp://admin:***@127.0.0.1"))
            #expect(!text.contains("topsecret"))
        }
    }

    @Test func aCameraWaitsItsStartDelayAndAStopCutsTheWaitShort() throws {
        let clip = Fixtures.temporaryDirectory() + "/clip.mp4"
        try Fixtures.makeClip(clip, seconds: 1, fps: 25, width: 320, height: 180)
        var spec = IngestSpec(cameraId: "later", url: StreamURL(clip), analysisFps: 5, analysisWidth: 160, pace: false, stopAtEnd: true)
        spec.startDelay = 0.6
        let first = Mutex<Date?>(nil)
        let started = Date()
        let ingest = CameraIngest(spec: spec, onFrame: { _ in first.withLock { $0 = $0 ?? Date() } })
        ingest.start()
        let until = Date().addingTimeInterval(20)
        while ingest.health.snapshot.state != .stopped && Date() < until { Thread.sleep(forTimeInterval: 0.02) }
        ingest.stop()
        let seen = try #require(first.withLock { $0 }, "no frame")
        #expect(seen.timeIntervalSince(started) >= 0.6)

        // Stopped while it waits: it never connects, and the stop does not wait out the delay.
        spec.startDelay = 60
        let waiting = CameraIngest(spec: spec, onFrame: { _ in Issue.record("connected during its start delay") })
        stopsPromptly(waiting, after: 0.2, within: 5)
    }

    /// Starts `ingest`, stops it `after` seconds, and expects the stop to take less than `within`.
    func stopsPromptly(_ ingest: CameraIngest, after: Double, within: Double) {
        ingest.start()
        Thread.sleep(forTimeInterval: after)
        let t0 = Date()
        ingest.stop()
        #expect(Date().timeIntervalSince(t0) < within)
        #expect(ingest.health.snapshot.state == .stopped)
    }

    @Test func stopInterruptsABlockingOpen() throws {
        // A listener that accepts and never answers: the open would wait for its full deadline.
        let (fd, port) = Fixtures.silentListener()
        defer { close(fd) }
        let spec = IngestSpec(cameraId: "mute", url: StreamURL("rtsp://127.0.0.1:\(port)/x"), options: OpenOptions(openTimeout: 60))
        stopsPromptly(CameraIngest(spec: spec, onFrame: { _ in }), after: 0.5, within: 2)
    }

    @Test func silentServerTimesOutAtTheOpenDeadline() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let port = Fixtures.freePort()
        addr.sin_port = UInt16(port).bigEndian
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        listen(fd, 4)
        let t0 = Date()
        do {
            _ = try StreamProbe.probe(url: StreamURL("rtsp://127.0.0.1:\(port)/x"), options: OpenOptions(openTimeout: 1.5), seconds: 1, maxFrames: 1)
            Issue.record("a silent server was opened")
        } catch {
            #expect("\(error)".contains("no answer within 1.5 s"))
        }
        #expect(Date().timeIntervalSince(t0) < 4)
    }
}
