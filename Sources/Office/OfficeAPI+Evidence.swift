import Evidence
import Events
import Foundation
import Hummingbird

extension OfficeAPI {
    /// A picture a producer may upload for one event.
    static let maxUpload = 8 << 20
    /// Evidence files one event may carry; a producer that loops is stopped here.
    static let maxEvidencePerEvent = 16

    /// `GET /api/snapshots/ID`: the event's first snapshot that anyone on duty may see (a home
    /// camera's blurred one, never its clear one), read only from the evidence folder by the path the
    /// server stored, and only when it still matches the SHA-256 recorded at capture.
    func snapshot(_ request: Request, _ context: OfficeContext) async throws -> Response {
        let id = try eventId(context)
        guard let event = try await store.event(id: id),
              let ref = event.evidence.first(where: { $0.kind == .snapshot && !$0.isRestricted }) else {
            throw OfficeError(.notFound, "event \(id.uuidString.lowercased()) has no snapshot")
        }
        return try await serve(ref, of: id, context, picture: true)
    }

    /// `GET /api/events/ID/evidence/N`: the event's N-th evidence file, or the byte range asked for
    /// (`Range: bytes=…`: a clip played and sought in the page). A restricted one (a home camera's
    /// clear picture or clip) is served only once its view is in the event's history: one row per
    /// view, not per range (a player asks for many), so a request from its first byte counts.
    func evidenceFile(_ request: Request, _ context: OfficeContext) async throws -> Response {
        let who = try context.caller()
        let id = try eventId(context)
        guard let text = context.parameters.get("n"), let n = Int(text), n >= 0 else {
            throw OfficeError(.badRequest, "expected the evidence file's index (0, 1, …) after /evidence/")
        }
        guard let event = try await store.event(id: id) else { throw OfficeError(.notFound, "no event \(id.uuidString.lowercased())") }
        guard n < event.evidence.count else {
            throw OfficeError(.notFound, "event \(id.uuidString.lowercased()) has \(event.evidence.count) evidence file(s); there is no \(n)")
        }
        let ref = event.evidence[n]
        let range = request.headers[.range]
        if ref.isRestricted, range.map({ Self.startsAtZero($0) }) ?? true {
            try await store.recordEvidenceView(ref, of: id, by: who.name, now: Date())
        }
        return try await serve(ref, of: id, context, picture: false, range: range)
    }

    /// Whether a `Range` header asks from the file's first byte (a new view, not a seek).
    static func startsAtZero(_ header: String) -> Bool {
        header.trimmingCharacters(in: .whitespaces).lowercased().hasPrefix("bytes=0-")
    }

    /// The one byte range of a `Range: bytes=a-b | a- | -n` header over `count` bytes; nil when the
    /// header asks for something else (several ranges, another unit: the whole file is served).
    static func byteRange(_ header: String, count: Int) throws(OfficeError) -> ClosedRange<Int>? {
        let text = header.trimmingCharacters(in: .whitespaces).lowercased()
        guard text.hasPrefix("bytes="), !text.contains(",") else { return nil }
        let parts = text.dropFirst(6).split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2 else { return nil }
        let unsatisfiable = OfficeError(.rangeNotSatisfiable, "the file has \(count) bytes; '\(header)' asks for none of them")
        if parts[0].isEmpty {
            guard let suffix = Int(parts[1]), suffix > 0, count > 0 else { throw unsatisfiable }
            return max(0, count - suffix)...(count - 1)
        }
        guard let start = Int(parts[0]), start >= 0 else { return nil }
        guard start < count else { throw unsatisfiable }
        let end = parts[1].isEmpty ? count - 1 : min(Int(parts[1]) ?? -1, count - 1)
        guard end >= start else { return nil }
        return start...end
    }

    /// An uploaded picture into the evidence folder (`uploads/<who>/<day>/<event>-<hash>.<ext>`),
    /// stored and hashed: a producer's upload, a grid staff member's report photo.
    func storeUpload(_ data: Data, mime: String, digest: String, for id: UUID, by who: String) async throws -> EvidenceRef {
        let relative = "uploads/\(SafeName.component(who))/\(RFC3339.day(Date()))/\(id.uuidString.lowercased())-\(digest.prefix(16)).\(MediaSniff.fileExtension(mime))"
        let root = evidence
        return try await EvidenceRoot.offPool { () throws(EvidenceFileError) -> EvidenceRef in
            try root.store(data, relative: relative, kind: .snapshot, mime: mime)
        }
    }

    private func serve(_ ref: EvidenceRef, of id: UUID, _ context: OfficeContext, picture: Bool, range: String? = nil) async throws -> Response {
        let what = "the \(ref.kind.rawValue) of event \(id.uuidString.lowercased())"
        let root = evidence
        let data: Data
        do {
            data = try await EvidenceRoot.offPool { () throws(EvidenceFileError) -> Data in try root.read(ref, limit: 256 << 20) }
        } catch let error as EvidenceFileError {
            switch error {
            case .missing: throw OfficeError(.notFound, "\(what) is no longer on disk")
            default:
                // Integrity: worth an operator's and an administrator's attention, never a file served.
                context.logger.error("\(what) refused: \(error)")
                throw OfficeError(.conflict, "\(what) is refused: it is not an intact file of the evidence folder")
            }
        }
        guard let mime = MediaSniff.mime(of: data.prefix(16)), mime.hasPrefix("image/") || (!picture && mime == "video/mp4") else {
            throw OfficeError(.conflict, "\(what) is not a \(picture ? "picture" : "picture or MP4 clip")")
        }
        // A restricted file is not kept by the browser: each view is asked for, and recorded, again.
        let cache = ref.isRestricted ? "no-store" : "private, max-age=3600"
        if let range, let bytes = try Self.byteRange(range, count: data.count) {
            return Response(status: .partialContent,
                            headers: [.contentType: mime, .cacheControl: cache, .acceptRanges: "bytes",
                                      .contentRange: "bytes \(bytes.lowerBound)-\(bytes.upperBound)/\(data.count)"],
                            body: .init(byteBuffer: ByteBuffer(bytes: data.dropFirst(bytes.lowerBound).prefix(bytes.count))))
        }
        return Response(status: .ok, headers: [.contentType: mime, .cacheControl: cache, .acceptRanges: "bytes"],
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
        let ref = try await storeUpload(data, mime: mime, digest: digest, for: id, by: who.name)
        try await store.addEvidence([ref], to: id, by: who.name, now: Date())
        guard let updated = try await store.event(id: id) else { throw OfficeError(.notFound, "no event \(id.uuidString.lowercased())") }
        return try json(updated, status: .created)
    }
}
