/// One people count from both learned models, each where it is good: a person the detector sees
/// counts as one; the density model counts the rest (people too small, too crowded or too hidden
/// for the detector). Density inside a detected person's box is that person, so it is not added
/// again. In a sparse scene with large people this is the detector's count; in a dense one it is
/// mostly the density's.
public enum CountFusion {
    /// People whose feet (bottom centre of the box) are inside the zone, plus the density of the
    /// zone's cells (by centre) that no person box covers. `inZone` answers for a point in 0…1
    /// picture coordinates (the caller's zone polygon: `Vision.Zone.contains`); nil is the whole picture.
    public static func count(people: [Detection], density: DensityMap?, inZone: ((_ x: Double, _ y: Double) -> Bool)? = nil) -> Double {
        let inZone = inZone ?? { _, _ in true }
        let detected = people.count { inZone(($0.box.x0 + $0.box.x1) / 2, $0.box.y1) }
        guard let density else { return Double(detected) }
        var rest = 0.0
        for row in 0..<density.rows {
            let y = (Double(row) + 0.5) * density.cellHeight
            for column in 0..<density.columns {
                let value = density.values[row * density.columns + column]
                guard value > 0 else { continue }
                let x = (Double(column) + 0.5) * density.cellWidth
                guard inZone(x, y), !people.contains(where: { $0.box.x0 <= x && x <= $0.box.x1 && $0.box.y0 <= y && y <= $0.box.y1 }) else { continue }
                rest += Double(value)
            }
        }
        return Double(detected) + rest
    }
}

/// Which learned count a caller wants: the detector's alone, the density's alone, or both fused.
public enum PeopleCountSource: String, Sendable, CaseIterable {
    case detector, density, fused
}
