/// What a piece of evidence is. Closed: evidence is stored by the server (the worker, an upload),
/// never named by a producer.
public enum EvidenceKind: String, Sendable, Codable, CaseIterable {
    case snapshot, clip
}
