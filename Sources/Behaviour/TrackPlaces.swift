import Perception
import Tracking
import Vision

extension Box {
    /// Where a person stands: the bottom centre of the box (0…1 of the picture) in a `width`×`height`
    /// picture's pixels, kept inside its last pixel row and column (a box cut by the picture's edge
    /// ends on it, and a point on a zone polygon's edge is outside).
    public func feet(width: Int, height: Int) -> Point {
        let w = Double(width), h = Double(height)
        return Point(x: min(max((x0 + x1) / 2 * w, 0.5), w - 0.5), y: min(max(y1 * h, 0.5), h - 0.5))
    }
}

extension Array where Element == MultiObjectTracker.Track {
    /// The people followed and seen on the pass at `t`, with at least `settledHits` sightings (a
    /// speed or a direction from boxes needs a few to settle) or measured by the optical flow.
    func people(seenAt t: Double, settledHits: Int) -> [MultiObjectTracker.Track] {
        filter { $0.kind == .person && $0.state == .confirmed && $0.lastSeen == t && ($0.hits >= settledHits || $0.flowMeasured) }
    }
}
