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
    /// with its id, the name of the bag (folder or .zip) inside the exports folder, counts and key
    /// fingerprint: never a server path. Unknown fields (a path, say) are refused.
    func createExport(_ request: Request, _ context: OfficeContext) async throws -> Response {
        let who = try context.caller()
        guard let exports else {
            throw OfficeError(.serviceUnavailable, "exports are not configured on this server: start it with an exports folder and a signing key")
        }
        let body = try await request.body.collect(upTo: 256 << 10)
        let allowed: Set<String> = ["events", "incident", "from", "to", "group", "camera", "types", "reason", "requester", "zip"]
        guard let object = (try? JSONDecoder().decode(JSONValue.self, from: Data(buffer: body)))?.objectValue else {
            throw OfficeError(.badRequest, "body: expected a JSON object such as {\"events\": [\"<id>\"], \"reason\": \"…\"}")
        }
        if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw OfficeError(.badRequest, "body: unknown field '\(unknown)' (the export folder is chosen by the server); fields: \(allowed.sorted().joined(separator: ", "))")
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
            throw OfficeError(.badRequest, "body: events must be full event ids (UUIDs), from/to RFC 3339 times, types a list, zip true or false")
        }
        let id = Exporter.newId()
        do {
            try FileManager.default.createDirectory(atPath: exports.directory, withIntermediateDirectories: true)
            var export = ExportRequest(selection: selection, out: exports.directory + "/" + id, zip: options.zip ?? false,
                                       reason: options.reason ?? "", requester: options.requester ?? "", actor: who.name,
                                       role: who.role.rawValue, key: exports.key, evidence: evidence, ivaDeviceId: exports.ivaDeviceId,
                                       organization: exports.organization, tool: exports.tool)
            export.id = id  // the folder's name and the bag's External-Identifier agree
            let summary = try await Exporter(store: store).export(export)
            return try json(ExportCreated(summary), status: .created)
        } catch let error as ExportError {
            switch error {
            case .badSelection: throw OfficeError(.badRequest, error.description)
            case .eventNotFound, .nothingSelected: throw OfficeError(.notFound, error.description)
            case .tooMany: throw OfficeError(.contentTooLarge, error.description)
            case .evidenceHashMismatch, .evidenceSizeMismatch, .evidence, .outNotEmpty, .outInside:
                throw OfficeError(.unprocessableContent, error.description)
            }
        }
    }
}

/// What the office says of an export made through it: the bag's name in the exports folder, never
/// the server's path to it.
struct ExportCreated: Encodable {
    let id: String
    let bag: String
    let events, snapshots, clips, files, bytes: Int
    let fingerprint: String
    let warnings: [String]

    init(_ s: ExportSummary) {
        id = s.id
        bag = (s.path as NSString).lastPathComponent
        events = s.events
        snapshots = s.snapshots
        clips = s.clips
        files = s.files
        bytes = s.bytes
        fingerprint = s.fingerprint
        warnings = s.warnings
    }
}
