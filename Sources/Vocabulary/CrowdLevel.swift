/// Crowd warning levels (突发事件 colours, IV…I). `none` is what a cleared level event carries;
/// producers name one of the four warning levels.
public enum CrowdLevel: String, Sendable, Comparable, CaseIterable, Codable {
    case none, blue, yellow, orange, red

    /// The four levels a zone can enter, lowest first.
    public static let warnings: [CrowdLevel] = [.blue, .yellow, .orange, .red]

    /// 0 for `none`, 1 (blue) … 4 (red).
    public var rank: Int { Self.allCases.firstIndex(of: self)! }
    public init?(rank: Int) {
        guard Self.allCases.indices.contains(rank) else { return nil }
        self = Self.allCases[rank]
    }

    public static func < (a: CrowdLevel, b: CrowdLevel) -> Bool { a.rank < b.rank }

    /// Says what is expected instead of Foundation's "cannot initialize": the office returns this to producers.
    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        let s = try c.decode(String.self)
        guard let level = CrowdLevel(rawValue: s) else {
            // Printed back to producers and in logs: control characters escaped, long values cut.
            let shown = s.prefix(80).unicodeScalars.map { $0.properties.generalCategory == .control ? $0.escaped(asASCII: true) : String($0) }.joined()
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "expected one of \(Self.warnings.map(\.rawValue).joined(separator: ", ")), got '\(shown)'")
        }
        self = level
    }
}
