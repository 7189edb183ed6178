import Foundation
@testable import Media
import RetinaTestSupport
import Testing

/// Event clips: packets of a real H.264 file go through the real ingest loop into the ring, are
/// cut around an event and remuxed by ClipWriter; ffprobe (not our code) says what the MP4 holds.
@Suite struct ClipTests {
    struct Packet: Equatable {
        var pts: Double
        var size: Int
        var key: Bool
        var md5: String
    }

    /// The video packets of a file as ffprobe reads them, in file (decode) order.
    static func packets(_ path: String) throws -> [Packet] {
        let ffprobe = try #require(Fixtures.which("ffprobe"))
        let out = try Fixtures.run(ffprobe, ["-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts_time,size,flags,data_hash",
                                             "-show_data_hash", "MD5", "-of", "json", path])
        try #require(out.status == 0, "ffprobe: \(out.output)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(out.output.utf8)) as? [String: Any])
        let list = try #require(json["packets"] as? [[String: Any]])
        return list.map { p in
            Packet(pts: Double(p["pts_time"] as? String ?? "") ?? .nan, size: Int(p["size"] as? String ?? "") ?? -1,
                   key: (p["flags"] as? String ?? "").hasPrefix("K"), md5: p["data_hash"] as? String ?? "")
        }
    }

    static func stream(_ path: String) throws -> (codec: String, profile: String, width: Int, duration: Double) {
        let ffprobe = try #require(Fixtures.which("ffprobe"))
        let out = try Fixtures.run(ffprobe, ["-v", "error", "-select_streams", "v:0", "-show_entries",
                                             "stream=codec_name,profile,width:format=duration,format_name", "-of", "json", path])
        try #require(out.status == 0, "ffprobe: \(out.output)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(out.output.utf8)) as? [String: Any])
        let s = try #require((json["streams"] as? [[String: Any]])?.first)
        let f = try #require(json["format"] as? [String: Any])
        #expect((f["format_name"] as? String)?.contains("mp4") == true)
        return (s["codec_name"] as? String ?? "", s["profile"] as? String ?? "", s["width"] as? Int ?? 0,
                Double(f["duration"] as? String ?? "") ?? .nan)
    }

    /// The MP4's top-level box types, in file order.
    static func topLevelBoxes(_ path: String) throws -> [String] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        var boxes: [String] = []
        var i = 0
        while i + 8 <= data.count {
            let size = data[i..<i + 4].reduce(0) { $0 << 8 | Int($1) }
            boxes.append(String(decoding: data[i + 4..<i + 8], as: UTF8.self))
            guard size >= 8 else { break }
            i += size
        }
        return boxes
    }

    /// Reads a file through the ingest loop (as a camera's thread does), filling `ring`.
    static func ingest(_ path: String, into ring: PacketRing) {
        let spec = IngestSpec(cameraId: "clip-test", url: StreamURL(path), analysisFps: 5, analysisWidth: 160,
                              backoff: BackoffPolicy(delays: [0.05], jitter: 0), pace: false, skipNonReference: true, stopAtEnd: true)
        CameraIngest(spec: spec, ring: ring, onFrame: { _ in }).run()
    }

    /// No B-frames (an IP camera) and B-frames (pts ≠ dts, a recorded file): key frame every second.
    @Test(arguments: [["-bf", "0"], ["-bf", "2", "-b-pyramid", "none"]])
    func aClipIsTheSourcePacketsAroundTheEventRemuxedToMP4(bframes: [String]) throws {
        let dir = Fixtures.temporaryDirectory("retina-clip")
        let source = dir + "/camera.mp4"
        try Fixtures.makeClip(source, seconds: 10, fps: 25, width: 640, height: 360,
                              codec: ["-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-keyint_min", "25", "-sc_threshold", "0",
                                      "-pix_fmt", "yuv420p"] + bframes)
        let ring = PacketRing(limits: .init(seconds: 60, maxBytes: 64_000_000))
        Self.ingest(source, into: ring)
        let status = ring.status
        #expect(status.segment == 1 && !status.isOpen)  // the segment ended with the stream
        #expect(status.packets == 250)

        // An event in the frame at 5.3 s; 2 s before, 2 s after.
        let (event, pre, post) = (5.3, 2.0, 2.0)
        let read = ring.read(segment: 1, from: event - pre)
        let first = try #require(read.packets.first)
        #expect(first.isKey && first.time == 3.0)  // the key frame at or before 3.3 s
        // Decode order up to the first packet past the window: every kept packet's references are kept.
        let window = Array(read.packets.prefix { $0.time <= event + post })
        let clip = dir + "/clips/cam/2026-01-01/event.mp4"
        let info = try ClipWriter.write(window, to: clip)

        // What ffprobe says: a valid MP4 with the source's codec and profile, pre+post within one GOP.
        let (src, out) = (try Self.stream(source), try Self.stream(clip))
        #expect(out.codec == "h264" && out.codec == src.codec && out.profile == src.profile && out.width == 640)
        #expect(out.duration >= pre + post && out.duration <= pre + post + 1.0 + 0.05, "clip is \(out.duration) s")
        #expect(abs(info.duration - out.duration) < 0.05, "writer says \(info.duration) s, ffprobe \(out.duration) s")
        // No re-encode: the very same packets (sizes and MD5 of their data), in the same order,
        // starting with a key frame — exactly the source packets from 3.0 s to 7.3 s.
        let sourcePackets = try Self.packets(source)
        let start = try #require(sourcePackets.firstIndex { $0.key && abs($0.pts - 3.0) < 0.001 })
        let expected = Array(sourcePackets[start...].prefix { $0.pts <= event + post + 0.001 })
        let got = try Self.packets(clip)
        #expect(got.first?.key == true)
        #expect(got.count == window.count && got.count == info.packets)
        #expect(got.map(\.size) == expected.map(\.size))
        #expect(got.map(\.md5) == expected.map(\.md5))
        #expect(got.map(\.size) == window.map(\.size))
        // Timestamps start at zero (the first key frame's decode time).
        #expect((got.map(\.pts).min() ?? -1) >= 0 && (got.map(\.pts).min() ?? -1) < 0.1)
        // And it decodes, every frame, with no error.
        let ffmpeg = try #require(Fixtures.which("ffmpeg"))
        let decoded = try Fixtures.run(ffmpeg, ["-v", "error", "-i", clip, "-f", "null", "-"])
        #expect(decoded.status == 0 && decoded.output.isEmpty, "\(decoded.output)")
        // +faststart: the index (moov) comes before the media data, so playback starts at once.
        #expect(try Self.topLevelBoxes(clip) == ["ftyp", "moov", "free", "mdat"])
        // Only the clip is left in its folder: the temporary file was renamed.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/clips/cam/2026-01-01") == ["event.mp4"])
        #expect(info.size == (try FileManager.default.attributesOfItem(atPath: clip)[.size] as? Int))
    }

    @Test func aClipNeverStartsBeforeAKeyFrameAndAFailedWriteLeavesNoFile() throws {
        let dir = Fixtures.temporaryDirectory("retina-clip")
        let source = dir + "/camera.mp4"
        try Fixtures.makeClip(source, seconds: 3, fps: 25, width: 320, height: 180)
        let ring = PacketRing(limits: .init(seconds: 60, maxBytes: 64_000_000))
        Self.ingest(source, into: ring)
        let all = ring.read(segment: 1).packets
        // Leading non-key packets are skipped: the clip starts at the next key frame (1.0 s).
        let info = try ClipWriter.write(Array(all.dropFirst(3)), to: dir + "/late.mp4")
        #expect(info.firstTime == 1.0 && info.packets == all.count - 25)
        #expect(try Self.packets(dir + "/late.mp4").first?.key == true)

        // No key frame at all: a clear error, and no file.
        let noKey = Array(all[1..<20])
        #expect(throws: MediaError.self) { try ClipWriter.write(noKey, to: dir + "/nokey.mp4") }
        do { _ = try ClipWriter.write(noKey, to: dir + "/nokey.mp4") } catch {
            #expect(error.description.contains("no key frame"), "\(error)")
        }
        // A muxer failure (packets without a codec) after the file was created: nothing half-written.
        let synthetic = PacketRing(limits: .init(seconds: 10, maxBytes: 1_000_000))
        synthetic.beginSynthetic(segment: 1)
        for i in 0..<5 { synthetic.pushSynthetic(size: 100, pts: Int64(i) * 3600, key: i == 0) }
        let failed = dir + "/failed"
        #expect(throws: MediaError.self) { try ClipWriter.write(synthetic.read(segment: 1).packets, to: failed + "/x.mp4") }
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: failed)) ?? []).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: dir + "/nokey.mp4"))
    }

    // MARK: - Ring bounds (synthetic packets: 10 per second, a key frame every second)

    func fill(_ ring: PacketRing, seconds: Int, size: Int = 1000, from start: Int = 0, afterEach: (PacketRing) -> Void = { _ in }) {
        for i in start..<(start + seconds * 10) {
            ring.pushSynthetic(size: size, pts: Int64(i) * 9000, key: i % 10 == 0)
            afterEach(ring)
        }
    }

    @Test func theRingKeepsItsSecondsFromAKeyFrame() {
        let ring = PacketRing(limits: .init(seconds: 2, maxBytes: 1_000_000_000))
        ring.beginSynthetic(segment: 1)
        fill(ring, seconds: 6) { ring in
            let p = ring.read(segment: 1).packets
            // Always from a key frame; never more than the seconds plus one GOP.
            #expect(p.first?.isKey == true)
            #expect((p.last!.time - p.first!.time) < 2 + 1)
        }
        let s = ring.status
        // Newest 5.9 s: the key frames at 4 s would leave 1.9 s (< 2), so 3.0 s is the start.
        #expect(s.first == 3.0 && s.last == 5.9 && s.packets == 30 && s.bytes == 30_000)
        // A reader asks for 10 s before 5.9 s: it gets what the ring has, from its first key frame.
        #expect(ring.read(segment: 1, from: -4).packets.first?.time == 3.0)
        #expect(ring.read(segment: 1, from: 4.5).packets.first?.time == 4.0)
    }

    @Test func theRingNeverHoldsMoreThanItsBytes() {
        let ring = PacketRing(limits: .init(seconds: 600, maxBytes: 25_000))
        ring.beginSynthetic(segment: 1)
        fill(ring, seconds: 10) { ring in
            let s = ring.status
            #expect(s.bytes <= 25_000)
            #expect(ring.read(segment: 1).packets.first?.isKey == true)
        }
        #expect(ring.status.bytes == 20_000 && ring.status.first == 8.0)

        // One GOP larger than the bound: the ring empties and waits for the next key frame.
        let small = PacketRing(limits: .init(seconds: 600, maxBytes: 5_500))
        small.beginSynthetic(segment: 1)
        fill(small, seconds: 1)  // 10 × 1000 bytes in one GOP
        #expect(small.status.overflows == 1)
        #expect(small.status.packets == 0 && small.status.droppedWaitingForKey == 4)
        small.pushSynthetic(size: 1000, pts: 10 * 9000, key: true)
        #expect(small.status.packets == 1 && small.read(segment: 1).packets.first?.isKey == true)
    }

    @Test func theRingStartsAtAKeyFrameAndResetsPerSegment() {
        let ring = PacketRing(limits: .init(seconds: 30, maxBytes: 1_000_000))
        ring.beginSynthetic(segment: 1)
        // A connection that starts mid-GOP: packets before the first key frame are not kept.
        fill(ring, seconds: 2, from: 5)
        #expect(ring.status.droppedWaitingForKey == 5)
        #expect(ring.read(segment: 1).packets.first?.isKey == true)
        #expect(ring.read(segment: 1).packets.first?.time == 1.0)
        let last = ring.read(segment: 1).packets.last!.seq
        #expect(ring.read(segment: 1, after: last).packets.isEmpty)

        // A reconnect: a new segment; the old one's packets are gone and it is closed.
        ring.beginSynthetic(segment: 2)
        let old = ring.read(segment: 1, after: last)
        #expect(old.packets.isEmpty && !old.isOpen && old.gap)
        #expect(ring.status.packets == 0 && ring.status.isOpen)
        fill(ring, seconds: 1)
        let next = ring.read(segment: 2)
        #expect(next.packets.count == 10 && next.isOpen && next.packets.allSatisfy { $0.parameters.segment == 2 })
        ring.endSynthetic(segment: 2)
        #expect(!ring.read(segment: 2).isOpen)

        // A timestamp jump back within a segment: the ring restarts at the next key frame, and a
        // reader that was following it sees the gap.
        ring.beginSynthetic(segment: 3)
        fill(ring, seconds: 2, from: 100)
        let seen = ring.read(segment: 3).packets.last!.seq
        fill(ring, seconds: 1, from: 5)  // 0.5 s … 1.4 s, key frame at 1.0 s
        let after = ring.read(segment: 3, after: seen)
        #expect(after.gap)
        #expect(ring.read(segment: 3).packets.first?.time == 1.0)
    }
}
