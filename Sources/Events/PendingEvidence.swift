import Foundation

/// Evidence an event will carry once it is recorded. A clip is complete only after its post-event
/// seconds, so the event is published with its clip pending and the recorder completes it by event
/// id (`EventQueue.completeEvidence`). On the wire it is the optional `pendingEvidence` field, left
/// out when nothing is pending: a reader that does not know it sees the event as before, and
/// `evidence` holds only files that exist.
public struct PendingEvidence: Sendable, Codable, Equatable {
    /// An `EvidenceKind` (`clip`).
    public var kind: String
    /// The event it is recorded for: this one, or one folded into it by its dedup key.
    public var eventId: UUID

    public init(kind: String, eventId: UUID) {
        self.kind = kind
        self.eventId = eventId
    }

    enum CodingKeys: String, CodingKey { case kind, eventId }

    /// The id in lower case, as `Event` writes its own.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        try c.encode(eventId.uuidString.lowercased(), forKey: .eventId)
    }
}

/// How a pending part of an event ends.
public enum EvidenceCompletion: Sendable, Equatable {
    /// Written and hashed: it becomes one of the event's `evidence`.
    case recorded(EvidenceRef)
    /// It will not come (no video buffered, too many clips in progress, a failed write): the
    /// history says why.
    case missing(kind: String, reason: String)

    /// A recorded file marked with its privacy (a home camera's clip is `clear`: restricted).
    public func marked(_ privacy: EvidencePrivacy?) -> EvidenceCompletion {
        guard let privacy, case .recorded(var ref) = self else { return self }
        ref.privacy = privacy
        return .recorded(ref)
    }

    public var kind: String {
        switch self {
        case .recorded(let ref): ref.kind.rawValue
        case .missing(let kind, _): kind
        }
    }
}
