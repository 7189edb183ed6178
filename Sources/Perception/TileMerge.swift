import Vocabulary

/// Merges what a detector found in each region of a tile plan (boxes in picture pixels) into one
/// list. A box ending on a tile's inner border is an object cut by the tile: it is dropped when a
/// box of the same class that is not cut continues it across that border (or contains it), and
/// joined with the other part when only parts were found; then class-aware NMS removes the
/// duplicates the overlaps and the whole view make.
public enum TileMerge {
    /// How close (in picture pixels) to an inner border a box must end to count as cut.
    static let borderMargin = 2.0
    /// Two boxes are one object when they share this much of the smaller one's extent (or area).
    static let sameObject = 0.6

    public static func merge(_ found: [(region: PictureRect, detections: [Detection])], plan: TilePlan, iou: Double) -> [Detection] {
        var whole: [Detection] = []
        var parts: [(detection: Detection, cuts: [Cut])] = []
        for (region, detections) in found {
            for d in detections {
                let cuts = cuts(of: d.box, region: region, plan: plan)
                if cuts.isEmpty { whole.append(d) } else { parts.append((d, cuts)) }
            }
        }
        var joined: [Detection] = []
        for (part, cuts) in parts.sorted(by: { $0.detection.score > $1.detection.score }) {
            if whole.contains(where: { isRest(of: part, cuts, $0) }) { continue }
            if let i = joined.firstIndex(where: { isRest(of: part, cuts, $0) || contains($0, part) || contains(part, $0) }) {
                let other = joined[i]
                joined[i] = Detection(classIndex: other.classIndex, score: max(other.score, part.score), box: other.box.union(part.box))
            } else {
                joined.append(part)
            }
        }
        return NonMaximumSuppression.apply(whole + joined, iou: iou)
    }

    /// An inner border of a region a box ends on: a vertical line at x, or a horizontal one at y.
    enum Cut: Equatable {
        case vertical(Double)
        case horizontal(Double)
    }

    static func cuts(of box: Box, region: PictureRect, plan: TilePlan) -> [Cut] {
        let left = Double(region.x), top = Double(region.y)
        let right = Double(region.x + region.width), bottom = Double(region.y + region.height)
        var cuts: [Cut] = []
        if region.x > 0 && box.x0 <= left + borderMargin { cuts.append(.vertical(left)) }
        if region.x + region.width < plan.width && box.x1 >= right - borderMargin { cuts.append(.vertical(right)) }
        if region.y > 0 && box.y0 <= top + borderMargin { cuts.append(.horizontal(top)) }
        if region.y + region.height < plan.height && box.y1 >= bottom - borderMargin { cuts.append(.horizontal(bottom)) }
        return cuts
    }

    /// Whether `other` is the rest of the object `part` shows: same class, and it crosses one of the
    /// part's cut borders level with the part (sharing most of its extent along the border), or it
    /// contains the part.
    private static func isRest(of part: Detection, _ cuts: [Cut], _ other: Detection) -> Bool {
        guard other.classIndex == part.classIndex else { return false }
        if contains(other, part) { return true }
        let p = part.box, o = other.box
        return cuts.contains { cut in
            switch cut {
            case .vertical(let x):
                return o.x0 < x - borderMargin && o.x1 > x + borderMargin && shared(p.y0, p.y1, o.y0, o.y1) >= sameObject
            case .horizontal(let y):
                return o.y0 < y - borderMargin && o.y1 > y + borderMargin && shared(p.x0, p.x1, o.x0, o.x1) >= sameObject
            }
        }
    }

    private static func contains(_ a: Detection, _ b: Detection) -> Bool {
        a.classIndex == b.classIndex && b.box.overlapOfSmaller(a.box) >= sameObject
    }

    /// The overlap of two intervals over the shorter one.
    private static func shared(_ a0: Double, _ a1: Double, _ b0: Double, _ b1: Double) -> Double {
        let shorter = min(a1 - a0, b1 - b0)
        return shorter > 0 ? max(0, min(a1, b1) - max(a0, b0)) / shorter : 0
    }
}
