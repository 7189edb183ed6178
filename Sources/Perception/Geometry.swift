/// An axis-aligned box by its corners, in whatever frame its owner says (model input pixels,
/// picture pixels, or 0…1 of the whole picture).
public struct Box: Sendable, Equatable {
    public var x0, y0, x1, y1: Double

    public init(x0: Double, y0: Double, x1: Double, y1: Double) {
        self.x0 = x0
        self.y0 = y0
        self.x1 = x1
        self.y1 = y1
    }

    public var width: Double { max(0, x1 - x0) }
    public var height: Double { max(0, y1 - y0) }
    public var area: Double { width * height }

    public func intersection(_ other: Box) -> Double {
        max(0, min(x1, other.x1) - max(x0, other.x0)) * max(0, min(y1, other.y1) - max(y0, other.y0))
    }

    /// Intersection over union; 0 for two empty boxes.
    public func iou(_ other: Box) -> Double {
        let inter = intersection(other)
        let union = area + other.area - inter
        return union > 0 ? inter / union : 0
    }

    /// Intersection over the smaller box: 1 when one box lies inside the other (a part of a person
    /// cut at a tile border inside the whole person).
    public func overlapOfSmaller(_ other: Box) -> Double {
        let smaller = min(area, other.area)
        return smaller > 0 ? intersection(other) / smaller : 0
    }

    public func union(_ other: Box) -> Box {
        Box(x0: min(x0, other.x0), y0: min(y0, other.y0), x1: max(x1, other.x1), y1: max(y1, other.y1))
    }

    /// The box grown by `fraction` of its width and height on each side.
    public func grown(by fraction: Double) -> Box {
        let dx = width * fraction, dy = height * fraction
        return Box(x0: x0 - dx, y0: y0 - dy, x1: x1 + dx, y1: y1 + dy)
    }

    /// The box cut to `bounds`.
    public func clamped(to bounds: Box) -> Box {
        Box(x0: min(max(x0, bounds.x0), bounds.x1), y0: min(max(y0, bounds.y0), bounds.y1),
            x1: min(max(x1, bounds.x0), bounds.x1), y1: min(max(y1, bounds.y0), bounds.y1))
    }
}
