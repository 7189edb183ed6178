import Evidence
import Events
import Foundation
import Hummingbird

extension OfficeAPI {
    /// A report's body: what the grid staff member saw, where, and a photo (base64 JPEG or PNG).
    struct ReportBody: Decodable {
        let note: String
        let place: String?
        let photo: String?
    }

    /// `POST /api/reports` (operator: grid staff on patrol): an incident someone saw, into the same
    /// queue as `report.manual` (P3) with the reporter's name from the session. The photo goes the
    /// way of every uploaded picture: its bytes checked, stored in the evidence folder and hashed.
    func report(_ request: Request, _ context: OfficeContext) async throws -> Response {
        let who = try context.caller()
        let body = try await request.body.collect(upTo: Self.maxUpload * 4 / 3 + 64 << 10)
        let parsed: ReportBody
        do { parsed = try JSONDecoder().decode(ReportBody.self, from: Data(buffer: body)) } catch {
            throw OfficeError(.badRequest, "body: expected {\"note\": \"what you saw\", \"place\": \"where\", \"photo\": \"base64 JPEG or PNG\"} (place and photo optional)")
        }
        let note = parsed.note.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !note.isEmpty, parsed.note.unicodeScalars.count <= 2000, !note.contains("\0") else {
            throw OfficeError(.badRequest, "note: say what you saw, 1 to 2000 characters")
        }
        if let place = parsed.place, place.unicodeScalars.count > 200 || ProducerEvents.identifierProblem(place) != nil {
            throw OfficeError(.badRequest, "place: at most 200 printable characters")
        }
        var photo: (data: Data, mime: String)?
        if let text = parsed.photo {
            guard let data = Data(base64Encoded: text, options: .ignoreUnknownCharacters), data.count <= Self.maxUpload,
                  let mime = MediaSniff.mime(of: data.prefix(16)), mime.hasPrefix("image/") else {
                throw OfficeError(.unsupportedMediaType, "photo: expected a JPEG or PNG picture in base64 (checked by its bytes), at most \(Self.maxUpload >> 20) MiB")
            }
            photo = (data, mime)
        }
        var payload: [String: JSONValue] = ["reporter": .string(who.name), "note": .string(note)]
        let place = parsed.place.flatMap { $0.isEmpty ? nil : $0 }
        if let place { payload["place"] = .string(place) }
        var event = Event(type: .reportManual, priority: PriorityTable.priority(of: .reportManual),
                          source: EventSource(producer: "office", zone: place), occurredAt: Date(), payload: .object(payload))
        if let photo {
            event.evidence = [try await storeUpload(photo.data, mime: photo.mime, digest: Checksum.sha256Hex(photo.data), for: event.id, by: who.name)]
        }
        _ = try await store.publish([event], by: who.name, fence: nil)
        guard let stored = try await store.event(id: event.id) else { throw OfficeError(.notFound, "no event \(event.id.uuidString.lowercased())") }
        return try json(stored, status: .created)
    }
}
