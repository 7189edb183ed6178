import Vocabulary

/// Merges what a detector found in each region of a tile plan (boxes in picture pixels) into one
/// list. A box touching a tile's inner border is a person cut by the tile: it is dropped when a box
/// of the same class that is not cut covers it, and joined with the other part when only parts
/// were found; then class-aware NMS removes the duplicates the overlaps and the whole view make.
public enum TileMerge {
    /// How close (in picture pixels) to an inner border a box must end to count as cut.
    static let borderMargin = 2.0
    /// A cut part lies in the whole box by at least this much of its own area.
    static let partOfWhole = 0.6

    public static func merge(_ found: [(region: PictureRect, detections: [Detection])], plan: TilePlan, iou: Double) -> [Detection] {
        var whole: [Detection] = []
        var parts: [Detection] = []
        for (region, detections) in found {
            for d in detections {
                if isCut(d.box, region: region, plan: plan) { parts.append(d) } else { whole.append(d) }
            }
        }
        var joined: [Detection] = []
        for part in parts.sorted(by: { $0.score > $1.score }) {
            if whole.contains(where: { covers($0, part) }) { continue }
            if let i = joined.firstIndex(where: { covers($0, part) || covers(part, $0) }) {
                let other = joined[i]
                joined[i] = Detection(classIndex: other.classIndex, score: max(other.score, part.score), box: other.box.union(part.box))
            } else {
                joined.append(part)
            }
        }
        return NonMaximumSuppression.apply(whole + joined, iou: iou)
    }

    private static func covers(_ a: Detection, _ b: Detection) -> Bool {
        a.classIndex == b.classIndex && b.box.overlapOfSmaller(a.box) >= partOfWhole
    }

    /// Whether the box ends on an edge of its region that is not an edge of the picture.
    static func isCut(_ box: Box, region: PictureRect, plan: TilePlan) -> Bool {
        let left = Double(region.x), top = Double(region.y)
        let right = Double(region.x + region.width), bottom = Double(region.y + region.height)
        return (region.x > 0 && box.x0 <= left + borderMargin)
            || (region.y > 0 && box.y0 <= top + borderMargin)
            || (region.x + region.width < plan.width && box.x1 >= right - borderMargin)
            || (region.y + region.height < plan.height && box.y1 >= bottom - borderMargin)
    }
}
