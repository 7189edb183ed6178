import Vocabulary

/// How a picture is split for a detector with a small square input: `1` is the whole picture at
/// once; `CxR` adds C columns × R rows of overlapping tiles to the whole picture (small, far people
/// get more input pixels each; the whole picture still sees people larger than a tile); `auto`
/// tiles only a picture much larger than the input.
public enum TileSetting: Sendable, Equatable, CustomStringConvertible {
    case auto
    case grid(columns: Int, rows: Int)

    public static let whole = TileSetting.grid(columns: 1, rows: 1)

    /// `auto`, `1`, or `CxR` (e.g. `2x2`, `3x2`; 1 to 8 each); nil for anything else.
    public init?(_ text: String) {
        let lower = text.lowercased()
        if lower == "auto" { self = .auto; return }
        if lower == "1" { self = .whole; return }
        let parts = lower.split(separator: "x", omittingEmptySubsequences: false)
        guard parts.count == 2, let c = Int(parts[0]), let r = Int(parts[1]), (1...8).contains(c), (1...8).contains(r) else { return nil }
        self = .grid(columns: c, rows: r)
    }

    public var description: String {
        switch self {
        case .auto: return "auto"
        case .grid(let c, let r): return c == 1 && r == 1 ? "1" : "\(c)x\(r)"
        }
    }
}

/// The regions of a picture a detector looks at: the whole picture first, then the tiles.
public struct TilePlan: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public let regions: [PictureRect]
    /// Neighbouring tiles share this fraction of a tile, so a person on a border is whole in one of them.
    public static let overlap = 0.2

    public init(width: Int, height: Int, setting: TileSetting, inputSize: Int) {
        precondition(width > 0 && height > 0, "tile plan for an empty picture")
        self.width = width
        self.height = height
        let (columns, rows) = Self.grid(width: width, height: height, setting: setting, inputSize: inputSize)
        var regions = [PictureRect(x: 0, y: 0, width: width, height: height)]
        if columns * rows > 1 {
            let xs = Self.spans(length: width, count: columns), ys = Self.spans(length: height, count: rows)
            for y in ys { for x in xs { regions.append(PictureRect(x: x.start, y: y.start, width: x.length, height: y.length)) } }
        }
        self.regions = regions
    }

    /// The part of `box` (0…1 of the picture) inside the picture, in its pixels; nil when none is.
    public func region(of box: Box) -> PictureRect? {
        let w = Double(width), h = Double(height)
        let x0 = max(0, Int((box.x0 * w).rounded())), y0 = max(0, Int((box.y0 * h).rounded()))
        let x1 = min(width, Int((box.x1 * w).rounded())), y1 = min(height, Int((box.y1 * h).rounded()))
        guard x1 > x0, y1 > y0 else { return nil }
        return PictureRect(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
    }

    /// `auto`: tiles of at most about twice the input's side, so no tile is shrunk more than 2×.
    static func grid(width: Int, height: Int, setting: TileSetting, inputSize: Int) -> (Int, Int) {
        switch setting {
        case .grid(let c, let r): return (c, r)
        case .auto:
            let most = 2 * inputSize
            guard max(width, height) > most else { return (1, 1) }
            return ((width + most - 1) / most, (height + most - 1) / most)
        }
    }

    /// `count` overlapping spans covering 0..<length exactly, each `overlap` of a span into the next.
    static func spans(length: Int, count: Int) -> [(start: Int, length: Int)] {
        guard count > 1 else { return [(0, length)] }
        let span = Double(length) / (Double(count) - Double(count - 1) * overlap)
        let step = span * (1 - overlap)
        return (0..<count).map { i in
            let start = Int((Double(i) * step).rounded())
            let end = i == count - 1 ? length : min(length, Int((Double(i) * step + span).rounded()))
            return (start, end - start)
        }
    }
}
