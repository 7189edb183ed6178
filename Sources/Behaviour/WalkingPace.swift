import Tracking

/// How fast people walk in front of this camera: the 90th percentile of the speeds (box heights
/// per second) of the people followed in its normal period. Box heights make it independent of
/// distance and resolution; the camera's own normal makes it independent of the place (a station
/// concourse walks faster than a park).
public struct WalkingPace: Sendable {
    /// A velocity needs a few sightings to settle.
    public static let settledHits = 4
    /// Speeds learned before the percentile is trusted.
    public static let enough = 20

    /// Ascending.
    private var speeds: [Double] = []
    /// The learned pace, or `assumed` until enough speeds were seen; kept up to date by `learn`.
    public private(set) var normal: Double

    public init(assumed: Double) { normal = assumed }

    /// Adds the settled people among the tracks seen at `t`.
    public mutating func learn(_ tracks: [MultiObjectTracker.Track], at t: Double, aspect: Double) {
        let seen = tracks.people(seenAt: t, settledHits: Self.settledHits)
        guard !seen.isEmpty else { return }
        // Kept sorted as they come (a binary search and an insert each), not sorted again every
        // pass of a 10-minute normal period.
        // The speed the watches compare with it (`currentSpeed`), measured the same way.
        for speed in seen.map({ $0.currentSpeed(aspect: aspect) }) {
            var lo = 0, hi = speeds.count
            while lo < hi { let mid = (lo + hi) / 2; if speeds[mid] < speed { lo = mid + 1 } else { hi = mid } }
            speeds.insert(speed, at: lo)
        }
        if speeds.count >= Self.enough { normal = speeds[Int(Double(speeds.count - 1) * 0.9)] }
    }

    public var learnedSpeeds: Int { speeds.count }
}
