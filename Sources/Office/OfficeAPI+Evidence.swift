import Evidence
import Events
import Foundation
import Hummingbird

extension OfficeAPI {
    /// A picture a producer may upload for one event.
    static let maxUpload = 8 << 20
    /// Evidence files one event may carry; a producer that loops is stopped here.
    static let maxEvidencePerEvent = 16

    /// `GET /api/snapshots/ID`: the event's first snapshot, read only from the evidence folder by
    /// the path the server stored, and only when it still matches the SHA-256 recorded at capture.
    func snapshot(_ request: Request, _ context: OfficeContext) async throws -> Response {
        let id = try eventId(context)
        guard let event = try await store.event(id: id),
              let ref = event.evidence.first(where: { $0.kind == .snapshot }) else {
            throw OfficeError(.notFound, "event \(id.uuidString.lowercased()) has no snapshot")
        }
        let root = evidence
        let data: Data
        do {
            data = try await EvidenceRoot.offPool { () throws(EvidenceFileError) -> Data in try root.read(ref, limit: 16 << 20) }
        } catch let error as EvidenceFileError {
            switch error {
            case .missing: throw OfficeError(.notFound, "the snapshot of event \(id.uuidString.lowercased()) is no longer on disk")
            default:
                // Integrity: worth an operator's and an administrator's attention, never a file served.
                context.logger.error("snapshot of event \(id.uuidString.lowercased()) refused: \(error)")
                throw OfficeError(.conflict, "the snapshot of event \(id.uuidString.lowercased()) is refused: it is not an intact file of the evidence folder")
            }
        }
        guard let mime = MediaSniff.mime(of: data.prefix(16)), mime.hasPrefix("image/") else {
            throw OfficeError(.conflict, "the snapshot of event \(id.uuidString.lowercased()) is not a picture")
        }
        return Response(status: .ok, headers: [.contentType: mime, .cacheControl: "private, max-age=3600"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// `POST /api/events/ID/evidence` (producer), the body a JPEG or PNG: the server checks the
    /// bytes, stores the file in its evidence folder, hashes it and adds it to the event. Only the
    /// producer that published the event may add to it.
    func uploadEvidence(_ request: Request, _ context: OfficeContext) async throws -> Response {
        let who = try context.caller()
        let id = try eventId(context)
        let body = try await request.body.collect(upTo: Self.maxUpload)
        let data = Data(buffer: body)
        guard let mime = MediaSniff.mime(of: data.prefix(16)), mime.hasPrefix("image/") else {
            throw OfficeError(.unsupportedMediaType, "expected a JPEG or PNG picture as the body (checked by its bytes), at most \(Self.maxUpload >> 20) MiB")
        }
        guard let event = try await store.event(id: id) else { throw OfficeError(.notFound, "no event \(id.uuidString.lowercased())") }
        let publisher = try await store.history(of: id).first { $0.action == "published" }?.actor
        guard publisher == who.name || who.role == .admin else {
            throw OfficeError(.forbidden, "event \(id.uuidString.lowercased()) was published by another producer; only it may add evidence")
        }
        let digest = Checksum.sha256Hex(data)
        if event.evidence.contains(where: { $0.sha256 == digest }) { return try json(event) }  // the same picture again: nothing to do
        guard event.evidence.count < Self.maxEvidencePerEvent else {
            throw OfficeError(.conflict, "event \(id.uuidString.lowercased()) already has \(event.evidence.count) evidence files")
        }
        let relative = "uploads/\(SafeName.component(who.name))/\(RFC3339.day(Date()))/\(id.uuidString.lowercased())-\(digest.prefix(16)).\(MediaSniff.fileExtension(mime))"
        let root = evidence
        let ref = try await EvidenceRoot.offPool { () throws(EvidenceFileError) -> EvidenceRef in
            try root.store(data, relative: relative, kind: .snapshot, mime: mime)
        }
        try await store.addEvidence([ref], to: id, by: who.name, now: Date())
        guard let updated = try await store.event(id: id) else { throw OfficeError(.notFound, "no event \(id.uuidString.lowercased())") }
        return try json(updated, status: .created)
    }
}
