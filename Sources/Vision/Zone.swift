/// A point in the source picture's pixel coordinates.
public struct Point: Sendable, Equatable, Codable {
    public var x: Double
    public var y: Double
    public init(x: Double, y: Double) { self.x = x; self.y = y }
}

/// A named region of a camera's view (source pixel coordinates), with its real area where known.
public struct Zone: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable { case watch, forbidden }
    public var id: String
    public var polygon: [Point]
    public var areaM2: Double?
    public var kind: Kind
    /// For a forbidden zone: when it is forbidden (nil: always).
    public var schedule: DailySchedule?
    /// Presence in the zone longer than this many seconds is loitering (nil: not watched for it).
    public var loiterSeconds: Double?
    /// A counting line across its entrance: crossing it towards the polygon's side is in.
    public var line: (a: Point, b: Point)?

    public init(id: String, polygon: [Point], areaM2: Double? = nil, kind: Kind = .watch,
                schedule: DailySchedule? = nil, loiterSeconds: Double? = nil, line: (a: Point, b: Point)? = nil) {
        self.id = id
        self.polygon = polygon
        self.areaM2 = areaM2
        self.kind = kind
        self.schedule = schedule
        self.loiterSeconds = loiterSeconds
        self.line = line
    }

    public static func == (a: Zone, b: Zone) -> Bool {
        a.id == b.id && a.polygon == b.polygon && a.areaM2 == b.areaM2 && a.kind == b.kind && a.schedule == b.schedule
            && a.loiterSeconds == b.loiterSeconds && a.line?.a == b.line?.a && a.line?.b == b.line?.b
    }

    /// The polygon's centroid (mean of its corners): which side of its line is inside.
    public var centre: Point {
        Point(x: polygon.reduce(0) { $0 + $1.x } / Double(max(1, polygon.count)), y: polygon.reduce(0) { $0 + $1.y } / Double(max(1, polygon.count)))
    }

    /// Whether `point` (source pixels) lies inside the polygon, by the even–odd rule (the rule
    /// `ZoneMask` rasterises with).
    public func contains(_ point: Point) -> Bool {
        guard polygon.count >= 3 else { return false }
        var inside = false
        for i in polygon.indices {
            let a = polygon[i], b = polygon[(i + 1) % polygon.count]
            if (a.y <= point.y) != (b.y <= point.y), point.x < a.x + (point.y - a.y) / (b.y - a.y) * (b.x - a.x) { inside.toggle() }
        }
        return inside
    }

    /// The whole picture.
    public static func whole(width: Int, height: Int) -> Zone {
        Zone(id: "all", polygon: [Point(x: 0, y: 0), Point(x: Double(width), y: 0),
                                  Point(x: Double(width), y: Double(height)), Point(x: 0, y: Double(height))])
    }
}

/// A zone rasterised at the analysis size: which analysis pixels belong to it.
public struct ZoneMask: Sendable {
    public let zone: Zone
    public let width: Int
    public let height: Int
    /// 1 inside the zone, 0 outside, row-major.
    public let inside: [UInt8]
    public let pixelCount: Int

    /// Rasterises `zone` (given in a `sourceWidth`×`sourceHeight` picture) at `width`×`height`,
    /// testing each analysis pixel's centre with the even–odd rule.
    public init(zone: Zone, sourceWidth: Int, sourceHeight: Int, width: Int, height: Int) {
        self.zone = zone
        self.width = width
        self.height = height
        let sx = Double(width) / Double(max(sourceWidth, 1))
        let sy = Double(height) / Double(max(sourceHeight, 1))
        let poly = zone.polygon.map { Point(x: $0.x * sx, y: $0.y * sy) }
        var inside = [UInt8](repeating: 0, count: width * height)
        var count = 0
        if poly.count >= 3 {
            for y in 0..<height {
                let cy = Double(y) + 0.5
                // Crossings of this row with the polygon's edges, then fill between pairs.
                var xs: [Double] = []
                for i in 0..<poly.count {
                    let a = poly[i], b = poly[(i + 1) % poly.count]
                    if (a.y <= cy) != (b.y <= cy) {
                        xs.append(a.x + (cy - a.y) / (b.y - a.y) * (b.x - a.x))
                    }
                }
                xs.sort()
                var i = 0
                while i + 1 < xs.count {
                    let x0 = max(0, Int((xs[i] - 0.5).rounded(.up)))
                    let x1 = min(width - 1, Int((xs[i + 1] - 0.5).rounded(.down)))
                    if x0 <= x1 {
                        for x in x0...x1 { inside[y * width + x] = 1 }
                        count += x1 - x0 + 1
                    }
                    i += 2
                }
            }
        }
        self.inside = inside
        self.pixelCount = count
    }
}
