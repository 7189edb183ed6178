import Media
import Testing

@Suite struct StreamURLTests {
    @Test func masksPasswordsButKeepsTheRest() {
        #expect(StreamURL("rtsp://admin:s3cret@10.0.0.5:554/Streaming/Channels/101").masked
                == "rtsp://admin:***@10.0.0.5:554/Streaming/Channels/101")
        #expect(StreamURL("rtsp://10.0.0.5/live").masked == "rtsp://10.0.0.5/live")
        #expect(StreamURL("rtsp://admin@10.0.0.5/live").masked == "rtsp://admin:***@10.0.0.5/live")
        // An '@' in the path is not credentials.
        #expect(StreamURL("http://host/a@b.mp4").masked == "http://host/a@b.mp4")
        #expect(StreamURL("/var/video/a.mp4").masked == "/var/video/a.mp4")
        #expect(!"\(StreamURL("rtsp://u:pw123@h/x"))".contains("pw123"))
    }

    /// Issue 15: texts that hold several URLs (a YAML error's lines, a store URL beside a camera's).
    @Test func masksEveryURLInAText() {
        let text = "url: rtsp://admin:pw1@10.0.0.5/x\n  store: postgres://retina:pw2@db/retina\nhttp://u:pw3@h"
        #expect(StreamURL.mask(text) == "url: rtsp://admin:***@10.0.0.5/x\n  store: postgres://retina:***@db/retina\nhttp://u:***@h")
        // A line ends the authority: a later line's '@' is not a password of this URL.
        #expect(StreamURL.mask("rtsp://10.0.0.5\nmail: ops@example.com") == "rtsp://10.0.0.5\nmail: ops@example.com")
        // An unparsable URL is masked too, and masking twice changes nothing.
        #expect(StreamURL.mask("got 'rtsp://admin:pw@[bad'") == "got 'rtsp://admin:***@[bad'")
        #expect(StreamURL.mask(StreamURL.mask(text)) == StreamURL.mask(text))
    }

    @Test func kinds() {
        #expect(StreamURL("RTSP://h/x").kind == .rtsp)
        #expect(StreamURL("https://h/x.mp4").kind == .http)
        #expect(StreamURL("clip.mp4").kind == .file)
        #expect(StreamURL("rtsp://h/x").isLive && !StreamURL("x.mp4").isLive)
    }
}

@Suite struct BackoffTests {
    @Test func tiersGrowThenRepeatTheLast() {
        let b = BackoffPolicy(delays: [0.5, 2, 60], jitter: 0)
        #expect(b.delay(attempt: 0) == 0.5)
        #expect(b.delay(attempt: 1) == 2)
        #expect(b.delay(attempt: 2) == 60)
        #expect(b.delay(attempt: 50) == 60)
        #expect(b.persistentDelay() == 60)
    }

    @Test func jitterStaysWithinItsBand() {
        let b = BackoffPolicy(delays: [10], jitter: 0.2)
        #expect(b.delay(attempt: 0, random: -1) == 8)
        #expect(b.delay(attempt: 0, random: 1) == 12)
        for _ in 0..<100 { #expect((8...12).contains(b.delay(attempt: 0))) }
    }
}

@Suite struct FrameSamplerTests {
    func accepted(fps: Double, streamFps: Double, seconds: Double, jitter: Double = 0) -> [Double] {
        var s = FrameSampler(fps: fps)
        var out: [Double] = []
        var i = 0
        while Double(i) / streamFps < seconds {
            let t = Double(i) / streamFps + (i % 2 == 0 ? jitter : -jitter)
            if s.accept(t) { out.append(t) }
            i += 1
        }
        return out
    }

    @Test func picksEvenlySpacedFrames() {
        let a = accepted(fps: 5, streamFps: 25, seconds: 10)
        #expect(a.count == 50)
        let gaps = zip(a.dropFirst(), a).map { $0 - $1 }
        #expect(gaps.allSatisfy { abs($0 - 0.2) < 1e-9 })
    }

    @Test func toleratesTimestampJitter() {
        #expect(accepted(fps: 5, streamFps: 25, seconds: 10, jitter: 0.003).count == 50)
        #expect(accepted(fps: 5, streamFps: 29.97, seconds: 10).count == 50)
    }

    @Test func passesEverythingWhenTheStreamIsSlower() {
        #expect(accepted(fps: 10, streamFps: 5, seconds: 4).count == 20)
    }

    @Test func restartsAfterATimestampJump() {
        var s = FrameSampler(fps: 5)
        // The stream restarts its clock at 3 s.
        let got = [100, 100.04, 3, 3.04, 3.2].map { s.accept($0) }
        #expect(got == [true, false, true, false, true])
    }
}
