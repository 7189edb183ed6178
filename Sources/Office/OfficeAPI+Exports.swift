import Events
import Evidence
import Foundation
import Hummingbird

/// Where the office writes police exports and with which key: options of the server, never of a
/// request (a request names events, not paths).
public struct OfficeExports: Sendable {
    public var directory: String
    public var key: SiteKey
    public var ivaDeviceId: String
    public var organization: String?
    public var tool: String

    public init(directory: String, key: SiteKey, ivaDeviceId: String = "", organization: String? = nil, tool: String = "retina") {
        self.directory = directory
        self.key = key
        self.ivaDeviceId = ivaDeviceId
        self.organization = organization
        self.tool = tool
    }
}

extension OfficeAPI {
    /// `POST /api/exports` (liaison): `{"events": [id…]}`, `{"incident": "…"}` or `{"from": T, "to": T,
    /// "group"?, "camera"?, "types"?}`, with optional `reason`, `requester` and `zip`. Writes the bag
    /// under the configured exports folder, in a folder named by the export's id, and answers 201
    /// with its id, path, counts and key fingerprint. Unknown fields (a path, say) are refused.
    func createExport(_ request: Request, exports: OfficeExports?) async throws -> Response {
        let who = try await authorize(request, .liaison)
        guard let exports else {
            throw HTTPError(.serviceUnavailable, message: "exports are not configured on this server: start it with an exports folder and a signing key")
        }
        let body = try await request.body.collect(upTo: 256 << 10)
        let allowed: Set<String> = ["events", "incident", "from", "to", "group", "camera", "types", "reason", "requester", "zip"]
        guard let object = (try? JSONDecoder().decode(JSONValue.self, from: Data(buffer: body)))?.objectValue else {
            throw HTTPError(.badRequest, message: "body: expected a JSON object such as {\"events\": [\"<id>\"], \"reason\": \"…\"}")
        }
        if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw HTTPError(.badRequest, message: "body: unknown field '\(unknown)' (the export folder is chosen by the server); fields: \(allowed.sorted().joined(separator: ", "))")
        }
        struct Body: Decodable {
            var reason: String?
            var requester: String?
            var zip: Bool?
        }
        let selection: ExportSelection
        let options: Body
        do {
            selection = try EventJSON.decoder().decode(ExportSelection.self, from: Data(buffer: body))
            options = try JSONDecoder().decode(Body.self, from: Data(buffer: body))
        } catch {
            throw HTTPError(.badRequest, message: "body: events must be full event ids (UUIDs), from/to RFC 3339 times, types a list, zip true or false")
        }
        let id = Exporter.newId()
        do {
            try FileManager.default.createDirectory(atPath: exports.directory, withIntermediateDirectories: true)
            var export = ExportRequest(selection: selection, out: exports.directory + "/" + id, zip: options.zip ?? false,
                                       reason: options.reason ?? "", requester: options.requester ?? "", actor: who.name,
                                       role: who.role.rawValue, key: exports.key, ivaDeviceId: exports.ivaDeviceId,
                                       organization: exports.organization, tool: exports.tool)
            export.id = id  // the folder's name and the bag's External-Identifier agree
            let summary = try await Exporter(store: store).export(export)
            return try json(summary, status: .created)
        } catch let error as ExportError {
            switch error {
            case .badSelection: throw HTTPError(.badRequest, message: error.description)
            case .eventNotFound, .nothingSelected: throw HTTPError(.notFound, message: error.description)
            case .tooMany: throw HTTPError(.contentTooLarge, message: error.description)
            case .evidenceHashMismatch, .evidenceSizeMismatch, .evidence, .outNotEmpty, .outInside:
                throw HTTPError(.unprocessableContent, message: error.description)
            }
        }
    }
}
