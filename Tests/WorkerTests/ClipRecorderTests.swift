import Events
import Foundation
import Media
import RetinaTestSupport
import Synchronization
import Testing
import Worker

/// ClipRecorder over a real ring filled by the real ingest loop from an H.264 file made by ffmpeg.
@Suite struct ClipRecorderTests {
    final class Clips: Sendable {
        let refs = Mutex<[(UUID, EvidenceRef)]>([])
        let missing = Mutex<[(UUID, String)]>([])

        func take(_ id: UUID, _ completion: EvidenceCompletion) {
            switch completion {
            case .recorded(let ref): refs.withLock { $0.append((id, ref)) }
            case .missing(_, let reason): missing.withLock { $0.append((id, reason)) }
            }
        }
    }

    static func source(seconds: Double) throws -> String {
        let path = Fixtures.temporaryDirectory("retina-recorder") + "/camera.mp4"
        try Fixtures.makeClip(path, seconds: seconds, fps: 25, width: 320, height: 180)  // key frame every second
        return path
    }

    static func ingest(_ path: String, ring: PacketRing, pace: Bool) -> CameraIngest {
        let spec = IngestSpec(cameraId: "cam", url: StreamURL(path), analysisFps: 5, analysisWidth: 160,
                              backoff: BackoffPolicy(delays: [0.05], jitter: 0), pace: pace, stopAtEnd: true)
        return CameraIngest(spec: spec, ring: ring, onFrame: { _ in })
    }

    @Test func theClipCoversPreAndPostSecondsFromAKeyFrame() async throws {
        let ring = PacketRing(limits: .init(seconds: 30, maxBytes: 64_000_000))
        Self.ingest(try Self.source(seconds: 10), ring: ring, pace: false).run()
        let dir = Fixtures.temporaryDirectory("retina-recorder")
        let clips = Clips()
        let recorder = ClipRecorder(camera: "gate/1", directory: dir, ring: ring, settings: .init(pre: 2, post: 2),
                                    onClip: { clips.take($0, $1) })
        let id = UUID()
        let day = Date(timeIntervalSince1970: 1_800_000_000)  // 2027-01-15
        recorder.record(eventId: id, segment: 1, streamTime: 5.3, at: day)
        await recorder.finish()

        let (clipId, ref) = try #require(clips.refs.withLock { $0.first })
        #expect(clipId == id && ref.kind == .clip && ref.mime == "video/mp4")
        // Relative to the evidence folder, in the same layout as snapshots; the camera id cannot leave its folder.
        #expect(!ref.uri.hasPrefix("/") && !ref.uri.contains(":"), "\(ref.uri)")
        let path = dir + "/" + ref.uri
        let c = Calendar(identifier: .gregorian).dateComponents(in: .current, from: day)
        let folder = String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
        #expect(path == "\(dir)/clips/gate_1/\(folder)/\(id.uuidString.lowercased()).mp4")
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(ref.size == data.count && ref.sha256 == Fixtures.sha256(data))
        let probe = try RTSPIntegrationTests.probeClip(path)
        // From the key frame at 3 s (5.3 − 2 s, back to its key frame) to the frame at 7.28 s.
        #expect(probe.firstKey && probe.packets == 108 && abs(probe.duration - 4.32) < 0.01, "\(probe)")
        #expect(recorder.written == 1 && recorder.skipped == 0 && clips.missing.withLock { $0.isEmpty })
    }

    @Test func atMostAFewClipsAtOnceAndAStopWritesThemWithWhatArrived() async throws {
        let ring = PacketRing(limits: .init(seconds: 30, maxBytes: 64_000_000))
        // Paced like a camera: the stream is still open while the events come.
        let ingest = Self.ingest(try Self.source(seconds: 20), ring: ring, pace: true)
        ingest.start()
        let until = Date().addingTimeInterval(5)
        while ring.status.packets < 25 && Date() < until { try await Task.sleep(for: .milliseconds(50)) }
        #expect(ring.status.isOpen)
        let dir = Fixtures.temporaryDirectory("retina-recorder")
        let clips = Clips()
        let recorder = ClipRecorder(camera: "cam", directory: dir, ring: ring, settings: .init(pre: 1, post: 60, maxPending: 4),
                                    onClip: { clips.take($0, $1) })
        let ids = (0..<6).map { _ in UUID() }
        for id in ids { recorder.record(eventId: id, segment: 1, streamTime: 0.5, at: Date()) }
        #expect(recorder.skipped == 2)  // beyond four in progress, an event gets no clip, and says why
        #expect(clips.missing.withLock { $0.map(\.0) } == Array(ids.suffix(2)))
        #expect(clips.missing.withLock { $0.allSatisfy { $0.1 == "4 clips of this camera are already being recorded" } })
        try await Task.sleep(for: .milliseconds(600))
        #expect(recorder.written == 0)  // still waiting for their 60 post-event seconds
        // The camera stops: the ring's segment ends, the clips are written with what arrived.
        await Task.detached { ingest.stop() }.value
        await recorder.finish()
        let refs = clips.refs.withLock { $0 }
        #expect(refs.map(\.0) == Array(ids.prefix(4)))
        for (_, ref) in refs {
            let path = dir + "/" + ref.uri
            let probe = try RTSPIntegrationTests.probeClip(path)
            #expect(probe.firstKey && probe.duration >= 1 && probe.duration < 10, "\(probe)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/clips/cam").count == 1)
    }
}
