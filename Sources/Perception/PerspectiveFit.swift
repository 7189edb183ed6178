/// A camera's perspective from its own detections: a standing person's height in pixels as a
/// straight line of the row their feet are on (h = slope × footY + intercept), fitted to the
/// people the detector found, so that a new camera needs no hand calibration. Robust: a least-
/// squares line, then again without the people further from it than 2.5 × the median residual
/// (sitting people, a sign taken for a person, two people in one box).
public struct PerspectiveFit: Sendable, Equatable {
    public let slope: Double
    public let intercept: Double
    /// People the line was fitted to, and those left out as outliers.
    public let used: Int
    public let rejected: Int
    /// The foot rows the people spanned (pixels).
    public let footRange: ClosedRange<Double>

    public func height(atFootY y: Double) -> Double { slope * y + intercept }

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case tooFewPeople(found: Int, needed: Int)
        case tooNarrow(spanPx: Double, neededPx: Double)
        case implausible(String)

        public var description: String {
            switch self {
            case .tooFewPeople(let found, let needed):
                "\(found) whole people seen, \(needed) needed: use more frames, or a busier moment"
            case .tooNarrow(let span, let needed):
                "the people's feet span \(Int(span)) rows, \(Int(needed)) needed to tell near from far: use more frames"
            case .implausible(let why): why
            }
        }
    }

    public static let minimumPeople = 8

    /// - Parameters:
    ///   - people: person boxes in picture pixels (x0, y0, x1, y1).
    ///   - pictureHeight: boxes touching the top or bottom edge are cut off, so their heights are left out.
    public static func fit(people: [Box], pictureHeight: Double) throws(Failure) -> PerspectiveFit {
        let whole = people.filter { $0.y0 > 1 && $0.y1 < pictureHeight - 1 && $0.height > 4 }
        guard whole.count >= minimumPeople else { throw .tooFewPeople(found: whole.count, needed: minimumPeople) }
        let points = whole.map { (y: $0.y1, h: $0.height) }
        let ys = points.map(\.y)
        let span = (ys.max() ?? 0) - (ys.min() ?? 0)
        let needed = pictureHeight * 0.15
        guard span >= needed else { throw .tooNarrow(spanPx: span, neededPx: needed) }
        var line = leastSquares(points)
        let residuals = points.map { abs($0.h - (line.slope * $0.y + line.intercept)) }
        let limit = max(2.5 * median(residuals), 1)
        let kept = zip(points, residuals).filter { $0.1 <= limit }.map(\.0)
        if kept.count >= minimumPeople { line = leastSquares(kept) }
        let fit = PerspectiveFit(slope: line.slope, intercept: line.intercept, used: kept.count >= minimumPeople ? kept.count : points.count,
                                 rejected: kept.count >= minimumPeople ? points.count - kept.count : 0, footRange: (ys.min() ?? 0)...(ys.max() ?? 0))
        // A person lower in the picture is nearer and so taller (cameras look down); a line that says
        // otherwise, or gives no height inside the range, describes the detections' noise, not the scene.
        guard fit.slope > -0.05, fit.height(atFootY: fit.footRange.lowerBound) > 2, fit.height(atFootY: fit.footRange.upperBound) > 2 else {
            throw .implausible("the fitted heights (\(Int(fit.height(atFootY: fit.footRange.lowerBound))) px at row \(Int(fit.footRange.lowerBound)), \(Int(fit.height(atFootY: fit.footRange.upperBound))) px at row \(Int(fit.footRange.upperBound))) shrink towards the camera: check the detections drawn")
        }
        return fit
    }

    static func leastSquares(_ points: [(y: Double, h: Double)]) -> (slope: Double, intercept: Double) {
        let n = Double(points.count)
        let my = points.reduce(0) { $0 + $1.y } / n, mh = points.reduce(0) { $0 + $1.h } / n
        let sxy = points.reduce(0) { $0 + ($1.y - my) * ($1.h - mh) }, sxx = points.reduce(0) { $0 + ($1.y - my) * ($1.y - my) }
        let slope = sxx > 0 ? sxy / sxx : 0
        return (slope, mh - slope * my)
    }

    static func median(_ values: [Double]) -> Double {
        let s = values.sorted()
        return s.isEmpty ? 0 : s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}
