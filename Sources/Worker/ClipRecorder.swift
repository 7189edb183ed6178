import Events
import Foundation
import Logging
import Media
import Synchronization

/// Cuts each new event's clip from the camera's packet ring: the compressed packets from `pre`
/// seconds before the event's frame (from the key frame at or before it) to `post` seconds after
/// it, remuxed to MP4 without re-encoding, written under the evidence folder and then handed back
/// with its SHA-256 to complete the event's pending clip. A clip waits for its post-event seconds;
/// when the stream ends, stalls or the camera stops first, it is written with what there is. An
/// event that gets no clip is completed as missing, with the reason.
///
/// Muxing, file I/O and hashing run on a dispatch queue of the recorder's own, never on Swift's
/// cooperative pool; at most `maxPending` clips of a camera are in progress at once.
public final class ClipRecorder: Sendable {
    public struct Settings: Sendable {
        public var pre: Double
        public var post: Double
        /// A clip whose post-event seconds have not arrived this long after the event (a stalled
        /// or slow stream the ingest has not given up on yet) is written with what there is.
        public var patience: Double
        public var maxPending: Int
        /// Bytes one clip may collect (the ring's bound: a clip never holds much more than the ring).
        public var maxBytes: Int

        public init(pre: Double = 10, post: Double = 10, patience: Double = 20, maxPending: Int = 4, maxBytes: Int = 64_000_000) {
            self.pre = pre
            self.post = post
            self.patience = patience
            self.maxPending = maxPending
            self.maxBytes = maxBytes
        }
    }

    private struct Pending {
        var eventId: UUID
        var segment: Int
        var until: Double
        var giveUpAt: Date
        var day: Date
        var packets: [RingPacket]
        var bytes: Int
        var complete = false
    }

    public let camera: String
    public let directory: String
    public let settings: Settings
    private let ring: PacketRing
    private let onClip: @Sendable (UUID, EvidenceCompletion) -> Void
    private let logger: Logger
    private let queue: DispatchQueue
    private let pending = Mutex<[Pending]>([])
    private let polling = Atomic<Bool>(false)
    private let writtenCount = Atomic<Int>(0)
    private let skippedCount = Atomic<Int>(0)

    /// - Parameter onClip: called once per recorded event with its id and how its clip ended: on the
    ///   recorder's queue, or at once from `record` when no clip can be made.
    public init(camera: String, directory: String, ring: PacketRing, settings: Settings, logger: Logger = Logger(label: "retina.clips"),
                onClip: @escaping @Sendable (UUID, EvidenceCompletion) -> Void) {
        self.camera = camera
        self.directory = directory
        self.ring = ring
        self.settings = settings
        self.logger = logger
        self.onClip = onClip
        queue = DispatchQueue(label: "retina.clips.\(camera)")
    }

    /// Clips written so far, and events that got none (too many in progress, nothing in the ring, a write failure).
    public var written: Int { writtenCount.load(ordering: .relaxed) }
    public var skipped: Int { skippedCount.load(ordering: .relaxed) }

    /// Starts the clip of a new event seen in the frame at `streamTime` of ingest segment `segment`.
    /// Returns at once: the packets before the event are taken now (references, no copy), the rest
    /// as it arrives.
    public func record(eventId: UUID, segment: Int, streamTime: Double, at time: Date) {
        let read = ring.read(segment: segment, from: streamTime - settings.pre)
        guard !read.packets.isEmpty else {
            return skip(eventId, because: "no video packets of this connection are buffered")
        }
        let clip = Pending(eventId: eventId, segment: segment, until: streamTime + settings.post,
                           giveUpAt: Date().addingTimeInterval(settings.post + settings.patience), day: time,
                           packets: read.packets, bytes: read.packets.reduce(0) { $0 + $1.size }, complete: !read.isOpen)
        let accepted = pending.withLock { p -> Bool in
            guard p.count < settings.maxPending else { return false }
            p.append(clip)
            return true
        }
        guard accepted else {
            return skip(eventId, because: "\(settings.maxPending) clips of this camera are already being recorded")
        }
        if !polling.exchange(true, ordering: .acquiring) { queue.async { [self] in poll() } }
    }

    /// Starts the clip of a new event seen at wall time `time` on another stream of the camera (its
    /// analysed substream): this ring's stream is placed by its newest packet, which came in about
    /// now, so the event's moment here is that packet's time less how long ago the event was.
    public func record(eventId: UUID, at time: Date) {
        guard let streamTime = ring.streamTime(at: time) else { return skip(eventId, because: "no video packets of the main stream are buffered") }
        record(eventId: eventId, segment: ring.status.segment, streamTime: streamTime, at: time)
    }

    private func skip(_ eventId: UUID, because reason: String) {
        skippedCount.add(1, ordering: .relaxed)
        logger.warning("no clip for event \(eventId.uuidString.lowercased()): \(reason)")
        onClip(eventId, .missing(kind: EvidenceKind.clip.rawValue, reason: reason))
    }

    /// Writes every clip in progress with the packets that have arrived, and returns when they are
    /// on disk (graceful stop: call it once no more events can open).
    public func finish() async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            queue.async { [self] in
                collect(force: true)
                done.resume()
            }
        }
    }

    // MARK: - On the recorder's queue

    private func poll() {
        collect(force: false)
        if pending.withLock({ $0.isEmpty }) {
            polling.store(false, ordering: .releasing)
            // A clip may have been added between the check and the store.
            if pending.withLock({ !$0.isEmpty }), !polling.exchange(true, ordering: .acquiring) { queue.async { [self] in poll() } }
            return
        }
        queue.asyncAfter(deadline: .now() + 0.25) { [self] in poll() }
    }

    /// Extends every clip in progress with new packets, and writes those that are complete (all of them with `force`).
    private func collect(force: Bool) {
        let now = Date()
        let clips = pending.withLock { $0 }
        var done: [Pending] = []
        for var clip in clips {
            if !clip.complete, let last = clip.packets.last {
                let read = ring.read(segment: clip.segment, after: last.seq)
                for p in read.packets {
                    if p.time > clip.until || clip.bytes + p.size > settings.maxBytes { clip.complete = true; break }
                    clip.packets.append(p)
                    clip.bytes += p.size
                }
                // A stream that ended, a gap (packets dropped since) or a reconnect ends the clip.
                if !read.isOpen || read.gap || (clip.packets.last?.time ?? 0) >= clip.until { clip.complete = true }
            }
            if clip.complete || force || now >= clip.giveUpAt { done.append(clip) }
            else { pending.withLock { p in if let i = p.firstIndex(where: { $0.eventId == clip.eventId }) { p[i] = clip } } }
        }
        for clip in done {
            pending.withLock { p in p.removeAll { $0.eventId == clip.eventId } }
            write(clip)
        }
    }

    private func write(_ clip: Pending) {
        let relative = "clips/\(EvidenceWriter.safe(camera))/\(RFC3339.day(clip.day))/\(clip.eventId.uuidString.lowercased()).mp4"
        let path = (directory as NSString).appendingPathComponent(relative)
        let started = DispatchTime.now().uptimeNanoseconds
        do {
            // Decode order up to the first packet past the window, so every kept packet's references are kept.
            let info = try ClipWriter.write(Array(clip.packets.prefix { $0.time <= clip.until }), to: path)
            // Mapped, not read: a clip of tens of megabytes is hashed without holding it in memory.
            let data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
            let ref = EvidenceRef(kind: .clip, uri: relative, mime: "video/mp4",
                                  size: data.count, sha256: Checksum.sha256Hex(data))
            writtenCount.add(1, ordering: .relaxed)
            let ms = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6
            logger.info("clip for event \(clip.eventId.uuidString.lowercased()): \(String(format: "%.1f", info.duration)) s, \(info.packets) packets, \(info.size) bytes in \(String(format: "%.0f", ms)) ms")
            onClip(clip.eventId, .recorded(ref))
        } catch {
            skippedCount.add(1, ordering: .relaxed)
            logger.error("no clip for event \(clip.eventId.uuidString.lowercased()): \(error)")
            onClip(clip.eventId, .missing(kind: EvidenceKind.clip.rawValue, reason: "the clip could not be written: \(error)"))
        }
    }
}
