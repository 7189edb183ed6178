/// Ground-plane calibration by person height: a standing person whose feet are at image row `footY`
/// (source pixels) is `heightPx` tall. Between and beyond the given rows the height is linear in the
/// row (a flat ground plane seen by a pinhole camera), fitted by least squares.
public struct Perspective: Sendable, Equatable {
    public struct Sample: Sendable, Equatable, Codable {
        public var footY: Double
        public var heightPx: Double
        public init(footY: Double, heightPx: Double) { self.footY = footY; self.heightPx = heightPx }
    }

    public let samples: [Sample]
    /// height(y) = slope * y + intercept, in source pixels.
    public let slope: Double
    public let intercept: Double

    public init(samples: [Sample]) {
        self.samples = samples
        if samples.count >= 2 {
            let n = Double(samples.count)
            let mx = samples.map(\.footY).reduce(0, +) / n
            let my = samples.map(\.heightPx).reduce(0, +) / n
            let sxy = samples.map { ($0.footY - mx) * ($0.heightPx - my) }.reduce(0, +)
            let sxx = samples.map { ($0.footY - mx) * ($0.footY - mx) }.reduce(0, +)
            slope = sxx > 0 ? sxy / sxx : 0
            intercept = my - slope * mx
        } else {
            slope = 0
            intercept = samples.first?.heightPx ?? 0
        }
    }

    /// Height in source pixels of a person standing at row `y`; never below 1 px.
    public func personHeight(atRow y: Double) -> Double {
        max(1, slope * y + intercept)
    }
}
