import Events
import Foundation
import Inference
import Synchronization
import Media
import Perception
import Vision
import Vocabulary

/// Writes an event's snapshot (JPEG of the full-resolution frame) under the evidence folder and
/// returns its reference with SHA-256, as the event schema's `evidence` wants it. Encoding and
/// writing run on a queue of their own, off Swift's cooperative pool.
public final class EvidenceWriter: Sendable {
    public let directory: String
    private let queue = DispatchQueue(label: "retina.evidence")
    /// Pictures nothing waits for (a main stream's, decoded from its packets after the event went
    /// out; the live pictures): apart, so they never hold up the snapshots events wait for, and on a
    /// thread at the decoders' lower priority, so that on a full machine they wait for idle CPU
    /// instead of taking it from analysis (64 cameras' first events used to decode a GOP of 1080p each
    /// at once, and every camera's events waited).
    private let laterQueue = InferenceExecutor(threads: 1, name: "retina-evidence", niceness: 5)

    /// Cameras whose live picture is being written: a slow disk skips pictures, it does not queue them.
    private let liveInFlight = Mutex<Set<String>>([])

    public init(directory: String) { self.directory = directory }

    /// The camera's live picture (`LivePicture`), scaled down, its masks blacked out; written on the
    /// queue nothing waits for, skipped while the last one is still being written.
    public func live(camera: String, picture: DecodedPicture, masks: [Zone]) {
        guard let relative = LivePicture.relativePath(camera: camera),
              liveInFlight.withLock({ $0.insert(camera).inserted }) else { return }
        let path = (directory as NSString).appendingPathComponent(relative)
        laterQueue.async { [self] in
            defer { _ = liveInFlight.withLock { $0.remove(camera) } }
            let width = min(LivePicture.width, picture.width) & ~1
            let height = max(2, (picture.height * width / max(1, picture.width)) & ~1)
            guard var bgr = picture.pixels(.bgr, width: width, height: height) else { return }
            PictureMasks.blacken(masks, source: (picture.width, picture.height), in: &bgr, width: width, height: height)
            guard let jpeg = PackedPicture.jpeg(bgr, layout: .bgr, width: width, height: height) else { return }
            try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try? jpeg.write(to: URL(fileURLWithPath: path), options: .atomic)
        }
    }

    /// `snapshots/<camera>/<yyyy-MM-dd>/<event id>.jpg` of `picture` (the analysed frame's), its
    /// `masks` blacked out; nil when it cannot be encoded or the disk refuses.
    public func snapshot(for eventId: UUID, camera: String, of picture: DecodedPicture, at time: Date,
                         masks: [Zone] = []) async -> EvidenceRef? {
        await snapshot(for: eventId, camera: camera, at: time, masks: masks, maskSource: (picture.width, picture.height)) { picture }
    }

    /// The same, of the picture `make` gives on the writer's queue (a main stream's picture is
    /// decoded from its packets there, off the cooperative pool).
    /// `maskSource`: the size of the picture the masks' pixels are of (the analysed stream's).
    /// `name` is added to the file's name; `later`: on the queue of pictures nothing waits for.
    public func snapshot(for eventId: UUID, camera: String, at time: Date, masks: [Zone] = [],
                         maskSource: (width: Int, height: Int), name: String = "", later: Bool = false,
                         picture make: @escaping @Sendable () -> DecodedPicture?) async -> EvidenceRef? {
        await write(for: eventId, camera: camera, at: time, name: name, later: later) {
            guard let picture = make() else { return nil }
            guard !masks.isEmpty else { return picture.jpeg() }
            guard var bgr = picture.pixels(.bgr, width: picture.width, height: picture.height) else { return nil }
            PictureMasks.blacken(masks, source: maskSource, in: &bgr, width: picture.width, height: picture.height)
            return PackedPicture.jpeg(bgr, layout: .bgr, width: picture.width, height: picture.height)
        }
    }

    /// A picture made from the frame's (`make` runs on the writer's queue), as
    /// `snapshots/<camera>/<yyyy-MM-dd>/<event id><name>.jpg`, with its privacy.
    public func picture(for eventId: UUID, camera: String, at time: Date, name: String, privacy: EvidencePrivacy?,
                        _ make: @escaping @Sendable () -> Data?) async -> EvidenceRef? {
        var ref = await write(for: eventId, camera: camera, at: time, name: name, make)
        ref?.privacy = privacy
        return ref
    }

    private func write(for eventId: UUID, camera: String, at time: Date, name: String, later: Bool = false,
                       _ make: @escaping @Sendable () -> Data?) async -> EvidenceRef? {
        let directory = directory
        let (queue, laterQueue) = (queue, laterQueue)
        func run(_ job: @escaping @Sendable () -> Void) {
            if later { laterQueue.async(job) } else { queue.async(execute: job) }
        }
        return await withCheckedContinuation { continuation in
            run {
                guard let jpeg = make() else { return continuation.resume(returning: nil) }
                let day = RFC3339.day(time)
                let relative = "snapshots/\(Self.safe(camera))/\(day)/\(eventId.uuidString.lowercased())\(Self.safe(name)).jpg"
                let path = (directory as NSString).appendingPathComponent(relative)
                do {
                    try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                            withIntermediateDirectories: true)
                    try jpeg.write(to: URL(fileURLWithPath: path), options: .atomic)
                } catch {
                    return continuation.resume(returning: nil)
                }
                let digest = Checksum.sha256Hex(jpeg)
                // Relative to the evidence folder: the office and exports resolve it only inside theirs.
                continuation.resume(returning: EvidenceRef(kind: .snapshot, uri: relative,
                                                           mime: "image/jpeg", size: jpeg.count, sha256: digest))
            }
        }
    }

    /// Camera ids are validated by the config loader; this keeps a path inside its folder anyway.
    static func safe(_ name: String) -> String {
        String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" })
    }
}
