import Foundation
// The event schema speaks the house vocabulary (types, levels, priorities, states, evidence kinds):
// re-exported so that every user of the schema has its words without a second import.
@_exported import Vocabulary

/// Who produced an event and what it is about.
public struct EventSource: Sendable, Codable, Equatable {
    /// The producing system: `retina`, `fall-detection`, …
    public var producer: String
    /// Camera id (the 20-digit GB/T 28181 device code where known).
    public var camera: String?
    /// 20-digit GB/T 28181 device code of the camera, where it has one.
    public var deviceId: String?
    public var cameraName: String?
    public var group: String?
    public var zone: String?

    public init(producer: String, camera: String? = nil, deviceId: String? = nil, cameraName: String? = nil,
                group: String? = nil, zone: String? = nil) {
        self.producer = producer
        self.camera = camera
        self.deviceId = deviceId
        self.cameraName = cameraName
        self.group = group
        self.zone = zone
    }
}

public struct EventLocation: Sendable, Codable, Equatable {
    public var lat: Double?
    public var lon: Double?
    public var placeCode: String?
    public var address: String?
    public var building: String?

    public init(lat: Double? = nil, lon: Double? = nil, placeCode: String? = nil, address: String? = nil, building: String? = nil) {
        self.lat = lat
        self.lon = lon
        self.placeCode = placeCode
        self.address = address
        self.building = building
    }
}

/// A snapshot or clip that backs an event, with its hash. `uri` is the file's path relative to the
/// server's evidence folder, as the server stored it (older stores wrote absolute `file://` URIs).
public struct EvidenceRef: Sendable, Codable, Equatable {
    public var kind: EvidenceKind
    public var uri: String
    public var mime: String?
    public var size: Int?
    public var sha256: String?
    /// A home camera's evidence: blurred, skeleton or clear (restricted); nil for a street camera's.
    public var privacy: EvidencePrivacy?

    public init(kind: EvidenceKind, uri: String, mime: String? = nil, size: Int? = nil, sha256: String? = nil,
                privacy: EvidencePrivacy? = nil) {
        self.kind = kind
        self.uri = uri
        self.mime = mime
        self.size = size
        self.sha256 = sha256
        self.privacy = privacy
    }

    /// Whether showing it must be recorded in the event's history (a home camera's clear picture or clip).
    public var isRestricted: Bool { privacy?.isRestricted ?? false }
}

/// One event in the shared dispatch-queue schema (../shared/DESIGN.md), the same envelope for every
/// producer: Retina's detectors, the fall-detection system, the CLI.
public struct Event: Sendable, Codable, Equatable, Identifiable {
    public var schemaVersion: String
    /// Chosen by the producer: publishing the same id twice is harmless.
    public var id: UUID
    /// Same condition ⇒ same key.
    public var dedupKey: String?
    public var incidentId: String?
    /// `crowd.density`, `motion.anomaly`, `fall.detected`, `camera.offline`, …
    public var type: EventType
    public var subtype: EventSubtype?
    public var priority: Priority
    /// Crowd: blue/yellow/orange/red (`none` on the event of a cleared level).
    public var level: CrowdLevel?
    public var source: EventSource
    public var location: EventLocation?
    public var occurredAt: Date
    public var detectedAt: Date
    /// Set by the store when the event is first committed.
    public var publishedAt: Date?
    public var payload: JSONValue
    public var evidence: [EvidenceRef]
    /// Evidence still being recorded (a clip waiting for its post-event seconds).
    public var pendingEvidence: [PendingEvidence] = []
    public var state: EventState
    public var escalated: Bool
    /// How many later publications with the same `dedupKey` were folded into this open event.
    public var repeats: Int = 0
    /// Frame time of the latest of them.
    public var lastSeenAt: Date?
    /// The operator holding the claim, and until when (an expired claim returns to the queue).
    public var claimedBy: String?
    public var leaseUntil: Date?
    /// Ack-deadline escalations reached (1: supervisor after 60 s, 2: next tier after 180 s).
    public var escalationStep: Int = 0
    /// Legal hold (exported or escalated to the police): retention never removes it or its evidence.
    public var held: Bool = false

    /// `motion.anomaly/running`, `crowd.density`: the type and subtype as tables and renderings show them.
    public var typeLabel: String { type.rawValue + (subtype.map { "/\($0.rawValue)" } ?? "") }

    public init(id: UUID = UUID(), type: EventType, subtype: EventSubtype? = nil, priority: Priority, level: CrowdLevel? = nil,
                source: EventSource, location: EventLocation? = nil, occurredAt: Date, detectedAt: Date = Date(),
                dedupKey: String? = nil, incidentId: String? = nil, payload: JSONValue = .object([:]),
                evidence: [EvidenceRef] = [], state: EventState = .new, escalated: Bool = false) {
        self.schemaVersion = "1.0"
        self.id = id
        self.type = type
        self.subtype = subtype
        self.priority = priority
        self.level = level
        self.source = source
        self.location = location
        self.occurredAt = occurredAt
        self.detectedAt = detectedAt
        self.dedupKey = dedupKey
        self.incidentId = incidentId
        self.payload = payload
        self.evidence = evidence
        self.state = state
        self.escalated = escalated
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        schemaVersion = try c.decodeIfPresent(String.self, forKey: .schemaVersion) ?? "1.0"
        id = try c.decodeIfPresent(UUID.self, forKey: .id) ?? UUID()
        dedupKey = try c.decodeIfPresent(String.self, forKey: .dedupKey)
        incidentId = try c.decodeIfPresent(String.self, forKey: .incidentId)
        type = try c.decode(EventType.self, forKey: .type)
        subtype = try c.decodeIfPresent(EventSubtype.self, forKey: .subtype)
        priority = try c.decodeIfPresent(Priority.self, forKey: .priority) ?? PriorityTable.unstated(for: type)
        level = try c.decodeIfPresent(CrowdLevel.self, forKey: .level)
        source = try c.decode(EventSource.self, forKey: .source)
        location = try c.decodeIfPresent(EventLocation.self, forKey: .location)
        occurredAt = try c.decode(Date.self, forKey: .occurredAt)
        detectedAt = try c.decodeIfPresent(Date.self, forKey: .detectedAt) ?? occurredAt
        publishedAt = try c.decodeIfPresent(Date.self, forKey: .publishedAt)
        payload = try c.decodeIfPresent(JSONValue.self, forKey: .payload) ?? .object([:])
        evidence = try c.decodeIfPresent([EvidenceRef].self, forKey: .evidence) ?? []
        pendingEvidence = try c.decodeIfPresent([PendingEvidence].self, forKey: .pendingEvidence) ?? []
        state = try c.decodeIfPresent(EventState.self, forKey: .state) ?? .new
        escalated = try c.decodeIfPresent(Bool.self, forKey: .escalated) ?? false
        repeats = try c.decodeIfPresent(Int.self, forKey: .repeats) ?? 0
        lastSeenAt = try c.decodeIfPresent(Date.self, forKey: .lastSeenAt)
        claimedBy = try c.decodeIfPresent(String.self, forKey: .claimedBy)
        leaseUntil = try c.decodeIfPresent(Date.self, forKey: .leaseUntil)
        escalationStep = try c.decodeIfPresent(Int.self, forKey: .escalationStep) ?? 0
        held = try c.decodeIfPresent(Bool.self, forKey: .held) ?? false
    }

    enum CodingKeys: String, CodingKey {
        case schemaVersion, id, dedupKey, incidentId, type, subtype, priority, level, source, location, occurredAt, detectedAt
        case publishedAt, payload, evidence, pendingEvidence, state, escalated, repeats, lastSeenAt, claimedBy, leaseUntil, escalationStep, held
    }

    /// As decoded, but the id in lower case (what the stores, the CLI and URLs use); Foundation
    /// would write it in upper case.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(schemaVersion, forKey: .schemaVersion)
        try c.encode(id.uuidString.lowercased(), forKey: .id)
        try c.encodeIfPresent(dedupKey, forKey: .dedupKey)
        try c.encodeIfPresent(incidentId, forKey: .incidentId)
        try c.encode(type, forKey: .type)
        try c.encodeIfPresent(subtype, forKey: .subtype)
        try c.encode(priority, forKey: .priority)
        try c.encodeIfPresent(level, forKey: .level)
        try c.encode(source, forKey: .source)
        try c.encodeIfPresent(location, forKey: .location)
        try c.encode(occurredAt, forKey: .occurredAt)
        try c.encode(detectedAt, forKey: .detectedAt)
        try c.encodeIfPresent(publishedAt, forKey: .publishedAt)
        try c.encode(payload, forKey: .payload)
        try c.encode(evidence, forKey: .evidence)
        // Left out when nothing is pending: the JSON of every other event is as before.
        if !pendingEvidence.isEmpty { try c.encode(pendingEvidence, forKey: .pendingEvidence) }
        try c.encode(state, forKey: .state)
        try c.encode(escalated, forKey: .escalated)
        try c.encode(repeats, forKey: .repeats)
        try c.encodeIfPresent(lastSeenAt, forKey: .lastSeenAt)
        try c.encodeIfPresent(claimedBy, forKey: .claimedBy)
        try c.encodeIfPresent(leaseUntil, forKey: .leaseUntil)
        try c.encode(escalationStep, forKey: .escalationStep)
        try c.encode(held, forKey: .held)
    }
}

/// JSON in the shared schema: camelCase keys, RFC 3339 times with milliseconds.
public enum EventJSON {
    public static func encoder(pretty: Bool = false) -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        e.dateEncodingStrategy = .custom { date, encoder in
            var c = encoder.singleValueContainer()
            try c.encode(RFC3339.format(date))
        }
        return e
    }

    public static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .custom { decoder in
            let c = try decoder.singleValueContainer()
            let s = try c.decode(String.self)
            guard let date = RFC3339.parse(s) else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "expected an RFC 3339 time such as 2026-11-22T08:30:00+08:00, got '\(s)'")
            }
            return date
        }
        return d
    }
}

/// RFC 3339 times (with or without fractional seconds, any offset).
public enum RFC3339 {
    public static func format(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    public static func parse(_ s: String) -> Date? {
        if let d = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(s) { return d }
        return try? Date.ISO8601FormatStyle().parse(s)
    }

    /// The calendar day (`yyyy-MM-dd`, RFC 3339's full-date) of `date` in `timeZone`: the day
    /// folders of the evidence folder (snapshots, clips, uploads) and a bag's Bagging-Date.
    public static func day(_ date: Date, timeZone: TimeZone = .current) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let d = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", d.year ?? 0, d.month ?? 0, d.day ?? 0)
    }
}
