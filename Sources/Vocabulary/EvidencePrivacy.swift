/// How much of a home a piece of evidence shows (home cameras are private by default): `blurred`,
/// the picture too blurred to recognise anyone or anything, the skeleton drawn on it; `skeleton`,
/// the pose alone on black; `clear`, the picture or clip itself, kept only for a confirmed fall and
/// shown only on request, every view recorded in the event's history. A street camera's evidence
/// has none.
public enum EvidencePrivacy: String, Sendable, Codable, CaseIterable {
    case blurred, skeleton, clear

    /// Whether showing it is recorded in the event's history.
    public var isRestricted: Bool { self == .clear }
}
