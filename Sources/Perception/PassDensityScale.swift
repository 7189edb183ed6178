/// What turns a people pass's own density into the density model's count, learned by a camera from
/// the frames both ran on. The shipped detector carries the density head on its own features
/// (`Models/crowd-density/people_density.onnx`), so every people pass gives a density map for the
/// price of the head; but it sees the picture at the detector's small input (416 px), where people
/// are 0.4× the size the head learned them at, and counts about a third too few (the concourse:
/// 37.7 %, Benchmarks/README). How much too few depends on the camera (how large its people are),
/// not on the moment: so the camera learns the factor from its own density passes, with no label.
///
/// The factor is Σ full / Σ pass over the last `kept` frames both counted, leaving out frames where
/// the pass saw under `minimumPass` people (a ratio of near-nothings says nothing). A camera needs
/// `wanted` such frames before its factor is trusted (one frame's ratio ranges 1.38–1.84 on the
/// concourse; the sum over several is steadier). Pure: the caller feeds it pairs.
public struct PassDensityScale: Sendable, Equatable {
    /// Frames whose counts make the factor (the oldest goes first).
    public static let kept = 8
    /// Frames needed before the factor is used.
    public static let wanted = 4
    /// A frame counts only when the pass's own density found at least this many people.
    public static let minimumPass = 2.0
    /// Outside these bounds the pair is not believed (a broken picture, a model mismatch): the pass
    /// and the model look at the same frame with the same network.
    public static let plausible = 0.5...4.0

    private var pairs: [Pair] = []

    private struct Pair: Sendable, Equatable {
        var full: Double
        var pass: Double
    }

    public init() {}

    /// Records the density model's count and the pass's own on one frame. False when the frame is
    /// left out (too few people for the pass, or a ratio out of `plausible`).
    @discardableResult
    public mutating func observe(full: Double, pass: Double) -> Bool {
        guard pass >= Self.minimumPass, full.isFinite, Self.plausible.contains(full / pass) else { return false }
        pairs.append(Pair(full: full, pass: pass))
        if pairs.count > Self.kept { pairs.removeFirst(pairs.count - Self.kept) }
        return true
    }

    /// Frames behind the factor.
    public var frames: Int { pairs.count }

    /// Whether the factor is trusted (`wanted` frames seen).
    public var isCalibrated: Bool { pairs.count >= Self.wanted }

    /// Σ full / Σ pass over the kept frames; nil before the first.
    public var factor: Double? {
        guard !pairs.isEmpty else { return nil }
        return pairs.reduce(0) { $0 + $1.full } / pairs.reduce(0) { $0 + $1.pass }
    }

    /// A pass's own map in the density model's people, once calibrated; nil before.
    public func scaled(_ map: DensityMap) -> DensityMap? {
        guard isCalibrated, let factor else { return nil }
        return map.scaled(by: factor)
    }

    /// Forgets what was learned (the camera's picture changed: another stream size, another view).
    public mutating func reset() { pairs.removeAll() }
}

extension DensityMap {
    /// Every cell times `factor`.
    public func scaled(by factor: Double) -> DensityMap {
        let f = Float(factor)
        return DensityMap(columns: columns, rows: rows, values: values.map { $0 * f }, cellWidth: cellWidth, cellHeight: cellHeight)
    }
}
