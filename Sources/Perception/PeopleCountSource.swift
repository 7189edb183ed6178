/// Which learned count a caller wants: the detector's alone, the density's alone, or both fused by regime.
public enum PeopleCountSource: String, Sendable, CaseIterable {
    case detector, density, fused
}
