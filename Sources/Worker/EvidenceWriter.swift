import Events
import Foundation
import Media

/// Writes an event's snapshot (JPEG of the full-resolution frame) under the evidence folder and
/// returns its reference with SHA-256, as the event schema's `evidence` wants it. Encoding and
/// writing run on a queue of their own, off Swift's cooperative pool.
public final class EvidenceWriter: Sendable {
    public let directory: String
    private let queue = DispatchQueue(label: "retina.evidence")

    public init(directory: String) { self.directory = directory }

    /// `snapshots/<camera>/<yyyy-MM-dd>/<event id>.jpg` of `picture` (the analysed frame's); nil when
    /// it cannot be encoded or the disk refuses.
    public func snapshot(for eventId: UUID, camera: String, of picture: DecodedPicture, at time: Date) async -> EvidenceRef? {
        let directory = directory
        return await withCheckedContinuation { continuation in
            queue.async {
                guard let jpeg = picture.jpeg() else { return continuation.resume(returning: nil) }
                let day = RFC3339.day(time)
                let relative = "snapshots/\(Self.safe(camera))/\(day)/\(eventId.uuidString.lowercased()).jpg"
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
