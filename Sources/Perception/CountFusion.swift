/// One people count from both learned models, each in the regime where it is good (`CrowdRegime`):
/// in a sparse zone the people the detector sees; in a dense one the density model's sum, or the
/// detector's count where that is higher (the density model never counts fewer than were seen).
///
/// Adding the density of the cells no person box covers to the detected people (tried first) was
/// worse on both kinds of scene: PETS MAE 10.6 (texture counted as people), concourse 16.1 %.
public enum CountFusion {
    /// People whose feet (bottom centre of the box) are inside the zone, or in a dense zone the
    /// density of its cells. `inZone` answers for a point in 0…1 picture coordinates (the caller's
    /// zone polygon: `Vision.Zone.contains`); nil is the whole picture. Without a density map the
    /// detector's count is all there is.
    public static func count(people: [Detection], density: DensityMap?, regime: CrowdRegime,
                             inZone: ((_ x: Double, _ y: Double) -> Bool)? = nil) -> Double {
        let detected = Double(people.count { inZone?(($0.box.x0 + $0.box.x1) / 2, $0.box.y1) ?? true })
        guard regime == .dense, let density else { return detected }
        return max(detected, density.sum(inZone: inZone))
    }
}

extension DensityMap {
    /// People in the cells whose centre is inside the zone (0…1 picture coordinates; nil: all cells).
    public func sum(inZone: ((_ x: Double, _ y: Double) -> Bool)? = nil) -> Double {
        guard let inZone else { return total }
        var sum = 0.0
        for row in 0..<rows {
            let y = (Double(row) + 0.5) * cellHeight
            for column in 0..<columns {
                let value = values[row * columns + column]
                if value > 0, inZone((Double(column) + 0.5) * cellWidth, y) { sum += Double(value) }
            }
        }
        return sum
    }
}
