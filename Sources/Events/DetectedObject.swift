/// One object a learned detector found in the picture an event was raised from, as events carry it
/// (`payload.detections`), so the office can draw it on the snapshot: the class name (COCO's, e.g.
/// `person`), the score (0…1) and the box as `[x, y, w, h]` in 0…1 of the whole picture (origin top left).
public struct DetectedObject: Sendable, Equatable, Codable {
    public var className: String
    public var score: Double
    /// `[x, y, w, h]`, normalised to the picture's width and height.
    public var box: [Double]

    /// The payload key the list is written under.
    public static let payloadKey = "detections"

    public init(className: String, score: Double, x: Double, y: Double, width: Double, height: Double) {
        self.className = className
        self.score = Self.rounded(score)
        self.box = [x, y, width, height].map(Self.rounded)
    }

    enum CodingKeys: String, CodingKey {
        case className = "class", score, box
    }

    /// As a payload value: `{"class": …, "score": …, "box": [x, y, w, h]}`.
    public var json: JSONValue {
        .object(["class": .string(className), "score": .number(score), "box": .array(box.map { .number($0) })])
    }

    /// The list as a payload value.
    public static func json(_ objects: [DetectedObject]) -> JSONValue { .array(objects.map(\.json)) }

    /// A payload's list, or nil when it has none (or it is not one).
    public static func list(in payload: JSONValue) -> [DetectedObject]? {
        guard case .array(let items)? = payload[payloadKey] else { return nil }
        return items.compactMap { item in
            guard let o = item.objectValue, let name = o["class"]?.stringValue, let score = o["score"]?.doubleValue,
                  case .array(let b)? = o["box"], b.count == 4 else { return nil }
            let v = b.compactMap(\.doubleValue)
            return v.count == 4 ? DetectedObject(className: name, score: score, x: v[0], y: v[1], width: v[2], height: v[3]) : nil
        }
    }

    /// 4 decimals: a tenth of a pixel on a 1000-pixel picture.
    private static func rounded(_ v: Double) -> Double { (v * 10_000).rounded() / 10_000 }
}
