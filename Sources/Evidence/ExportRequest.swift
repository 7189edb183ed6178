import Events
import Foundation

/// Which events an export takes: explicit ids, an incident, or a time window narrowed by camera
/// group, camera and event type. Exactly one of the three kinds.
public struct ExportSelection: Sendable, Codable, Equatable {
    public var events: [UUID]
    public var incident: String?
    public var from: Date?
    public var to: Date?
    public var group: String?
    public var camera: String?
    public var types: [EventType]

    public init(events: [UUID] = [], incident: String? = nil, from: Date? = nil, to: Date? = nil,
                group: String? = nil, camera: String? = nil, types: [EventType] = []) {
        self.events = events
        self.incident = incident
        self.from = from
        self.to = to
        self.group = group
        self.camera = camera
        self.types = types
    }

    enum CodingKeys: String, CodingKey { case events, incident, from, to, group, camera, types }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        events = try c.decodeIfPresent([UUID].self, forKey: .events) ?? []
        incident = try c.decodeIfPresent(String.self, forKey: .incident)
        from = try c.decodeIfPresent(Date.self, forKey: .from)
        to = try c.decodeIfPresent(Date.self, forKey: .to)
        group = try c.decodeIfPresent(String.self, forKey: .group)
        camera = try c.decodeIfPresent(String.self, forKey: .camera)
        types = try c.decodeIfPresent([EventType].self, forKey: .types) ?? []
    }

    /// Refuses a selection that is none of the three kinds, or more than one.
    public func validate() throws {
        let window = from != nil || to != nil
        let kinds = [!events.isEmpty, incident != nil, window].filter { $0 }.count
        guard kinds == 1 else {
            throw ExportError.badSelection(kinds == 0 ? "choose what to export: event ids, an incident, or a time window (from and to)"
                                                      : "choose one of: event ids, an incident, a time window — not several")
        }
        if window {
            guard let from, let to else { throw ExportError.badSelection("a time window needs both from and to") }
            guard from < to else { throw ExportError.badSelection("the window's from (\(RFC3339.format(from))) is not before its to (\(RFC3339.format(to)))") }
        } else if group != nil || camera != nil || !types.isEmpty {
            throw ExportError.badSelection("group, camera and type narrow a time window (from and to) only")
        }
    }

    /// In words, for the extraction record and the custody log.
    public var summary: String {
        if !events.isEmpty { return "events " + events.map { $0.uuidString.lowercased() }.joined(separator: ", ") }
        if let incident { return "incident \(incident)" }
        var s = "events from \(from.map(RFC3339.format) ?? "?") to \(to.map(RFC3339.format) ?? "?")"
        if let group { s += " in group \(group)" }
        if let camera { s += " from camera \(camera)" }
        if !types.isEmpty { s += " of type \(types.map(\.rawValue).joined(separator: ", "))" }
        return s
    }
}

/// Everything one export needs besides the store.
public struct ExportRequest: Sendable {
    public var selection: ExportSelection
    /// The export folder: the bag itself, or (with `zip`) the folder that receives `<id>.zip`.
    /// Must not exist or be empty.
    public var out: String
    public var zip: Bool
    /// 案由/事由
    public var reason: String
    public var requester: String
    /// Who exports (the history's and the custody log's actor) and in which role.
    public var actor: String
    public var role: String
    public var key: SiteKey
    /// The only folder evidence files are copied from.
    public var evidence: EvidenceRoot
    /// The analysis system's 20-digit GA/T 1400 / GB/T 28181 id (IVADeviceID); empty when unknown.
    public var ivaDeviceId: String
    public var organization: String?
    public var timeZone: TimeZone
    /// `retina 0.1.0`: the tool and version the custody log and bag-info name.
    public var tool: String
    /// A selection larger than this is refused (ask for a narrower window).
    public var maxEvents: Int
    /// The export's id (bag-info External-Identifier, the zip's name); a new one when nil.
    public var id: String?

    public init(selection: ExportSelection, out: String, zip: Bool = false, reason: String = "", requester: String = "",
                actor: String, role: String = "cli", key: SiteKey, evidence: EvidenceRoot, ivaDeviceId: String = "", organization: String? = nil,
                timeZone: TimeZone = .current, tool: String = "retina", maxEvents: Int = 100_000) {
        self.selection = selection
        self.out = out
        self.zip = zip
        self.reason = reason
        self.requester = requester
        self.actor = actor
        self.evidence = evidence
        self.role = role
        self.key = key
        self.ivaDeviceId = ivaDeviceId
        self.organization = organization
        self.timeZone = timeZone
        self.tool = tool
        self.maxEvents = maxEvents
    }
}

/// What an export made.
public struct ExportSummary: Sendable, Codable, Equatable {
    public var id: String
    /// The bag folder, or the .zip.
    public var path: String
    public var events: Int
    public var snapshots: Int
    public var clips: Int
    /// Payload files and their bytes.
    public var files: Int
    public var bytes: Int
    public var fingerprint: String
    /// Things a receiver should know (missing device ids, evidence hashed only at export, …).
    public var warnings: [String]
}

/// How far an export is, for a progress bar.
public struct ExportProgress: Sendable, Equatable {
    /// `selecting`, `copying`, `sealing`, `zipping`, `done`.
    public var phase: String
    public var eventsDone: Int
    public var eventsTotal: Int
    public var bytesCopied: Int
}

/// Why an export did not happen, naming what to fix.
public enum ExportError: Error, Sendable, CustomStringConvertible, Equatable {
    case badSelection(String)
    case outNotEmpty(String, String)
    case outInside(String, String)
    case nothingSelected(String)
    case tooMany(Int, max: Int)
    case eventNotFound(UUID)
    case evidenceHashMismatch(event: UUID, file: String, expected: String, actual: String)
    case evidenceSizeMismatch(event: UUID, file: String, expected: Int, actual: Int)
    case evidence(event: UUID, String)

    public var description: String {
        switch self {
        case .badSelection(let m): "selection: \(m)"
        case .outNotEmpty(let p, let why): "export folder \(p) cannot be used: \(why) — give a new or empty folder"
        case .outInside(let p, let m): "export folder \(p): \(m)"
        case .nothingSelected(let s): "no events match: \(s)"
        case .tooMany(let n, let max): "\(n) events selected, more than \(max) in one export: narrow the window or the camera group"
        case .eventNotFound(let id): "no event \(id.uuidString.lowercased()) in the store"
        case .evidenceHashMismatch(let id, let file, let expected, let actual):
            "evidence of event \(id.uuidString.lowercased()) does not match its recorded hash: \(file) sha256 expected \(expected) (recorded at capture), actual \(actual) — the file changed since it was captured; nothing was exported"
        case .evidenceSizeMismatch(let id, let file, let expected, let actual):
            "evidence of event \(id.uuidString.lowercased()) does not match its recorded size: \(file) expected \(expected) bytes, actual \(actual); nothing was exported"
        case .evidence(let id, let m): "evidence of event \(id.uuidString.lowercased()): \(m); nothing was exported"
        }
    }
}
