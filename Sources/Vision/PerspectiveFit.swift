/// A camera's perspective from its own detections, so that a new camera needs no hand calibration:
/// each person the detector found is a `Perspective` sample (feet row, height), and the line is
/// `Perspective`'s own least-squares fit, made twice: once on everyone, then without the people
/// further from it than 2.5 × the median residual (sitting people, a sign taken for a person, two
/// people in one box).
public struct PerspectiveFit: Sendable, Equatable {
    public let perspective: Perspective
    /// People the line was fitted to, and those left out as outliers.
    public let used: Int
    public let rejected: Int
    /// The foot rows the people spanned (pixels).
    public let footRange: ClosedRange<Double>

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
    ///   - people: each person's top and bottom (feet) row, in picture pixels.
    ///   - pictureHeight: people touching the top or bottom edge are cut off, so their heights are left out.
    public static func fit(people: [(top: Double, bottom: Double)], pictureHeight: Double) throws(Failure) -> PerspectiveFit {
        let samples = people.filter { $0.top > 1 && $0.bottom < pictureHeight - 1 && $0.bottom - $0.top > 4 }
            .map { Perspective.Sample(footY: $0.bottom, heightPx: $0.bottom - $0.top) }
        guard samples.count >= minimumPeople else { throw .tooFewPeople(found: samples.count, needed: minimumPeople) }
        let rows = samples.map(\.footY)
        let range = (rows.min() ?? 0)...(rows.max() ?? 0)
        let needed = pictureHeight * 0.15
        guard range.upperBound - range.lowerBound >= needed else { throw .tooNarrow(spanPx: range.upperBound - range.lowerBound, neededPx: needed) }
        let all = Perspective(samples: samples)
        let residuals = samples.map { abs($0.heightPx - all.personHeight(atRow: $0.footY)) }
        let limit = max(2.5 * median(residuals), 1)
        let kept = zip(samples, residuals).filter { $0.1 <= limit }.map(\.0)
        let fit = kept.count >= minimumPeople
            ? PerspectiveFit(perspective: Perspective(samples: kept), used: kept.count, rejected: samples.count - kept.count, footRange: range)
            : PerspectiveFit(perspective: all, used: samples.count, rejected: 0, footRange: range)
        // A person lower in the picture is nearer and so taller (cameras look down); a line that says
        // otherwise, or gives no height inside the range, describes the detections' noise, not the scene.
        let near = fit.perspective.personHeight(atRow: range.upperBound), far = fit.perspective.personHeight(atRow: range.lowerBound)
        guard fit.perspective.slope > -0.05, near > 2, far > 2 else {
            throw .implausible("the fitted heights (\(Int(far)) px at row \(Int(range.lowerBound)), \(Int(near)) px at row \(Int(range.upperBound))) shrink towards the camera: check the detections drawn")
        }
        return fit
    }

    static func median(_ values: [Double]) -> Double {
        let s = values.sorted()
        return s.isEmpty ? 0 : s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}
