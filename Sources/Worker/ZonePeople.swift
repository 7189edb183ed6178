import Events
import Perception
import Vision

/// People per zone from a learned detection pass: a person counts for a zone when the feet point
/// of its box (bottom centre, in the source picture's pixels) lies inside the zone's polygon.
enum ZonePeople {
    /// The feet point of a normalised box in a `width`×`height` picture, kept inside its last pixel
    /// row and column (a box cut by the picture's edge ends on it, and a point on a polygon's edge is outside).
    static func feet(_ box: Box, width: Int, height: Int) -> Point {
        let w = Double(width), h = Double(height)
        return Point(x: min(max((box.x0 + box.x1) / 2 * w, 0.5), w - 0.5), y: min(max(box.y1 * h, 0.5), h - 0.5))
    }

    /// People by zone id; without zones, the whole picture as zone `all` (as the crowd detector has it).
    static func counts(_ detections: [Perception.Detection], zones: [Zone], width: Int, height: Int) -> [String: Double] {
        let people = detections.filter { $0.classIndex == COCOClass.person }.map { feet($0.box, width: width, height: height) }
        guard !zones.isEmpty else { return [Zone.whole(width: width, height: height).id: Double(people.count)] }
        var counts: [String: Double] = [:]
        for zone in zones { counts[zone.id] = Double(people.count { zone.contains($0) }) }
        return counts
    }

    /// A pass's detections as events carry them: `[x, y, w, h]` in 0…1 of the picture.
    static func objects(_ detections: [Perception.Detection]) -> [DetectedObject] {
        detections.map { DetectedObject(className: $0.className, score: Double($0.score), x: $0.box.x0, y: $0.box.y0,
                                        width: $0.box.width, height: $0.box.height) }
    }
}
