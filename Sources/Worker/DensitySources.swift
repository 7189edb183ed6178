import Perception

/// Where a camera's crowd density comes from, pass by pass: the density model (`CrowdDensityEstimator`,
/// a full pass at the scene's scale) on its cadence, and between its passes the people pass's own
/// density scaled to it (`PassDensityScale`), once the camera has learned that scale. While a zone
/// is dense the model runs every `every` s until the scale is learned, then every `checkEvery` s
/// (each of its passes also keeps the scale learned); with no dense zone, every `checkEvery` s.
/// Pure: the caller runs the passes and says what they gave. The worker and `retina eval` both
/// decide with it.
public struct DensitySources: Sendable {
    public let every: Double
    public let checkEvery: Double
    /// Whether the people pass's own density may stand in for the model's.
    public let usePass: Bool
    public private(set) var scale = PassDensityScale()
    private var cadence: DensityCadence
    private var recent: DensityMap?
    private var sizes: [Int]?

    /// `phase`: where in a segment's first seconds the model's first pass falls (`DensityCadence.phase`).
    public init(every: Double, checkEvery: Double, usePass: Bool, phase: Double = 0) {
        self.every = every
        self.checkEvery = checkEvery
        self.usePass = usePass
        cadence = DensityCadence(phase: phase)
    }

    /// A camera's place in the spread of first passes, 0 to 1, from its id: the same on every start
    /// (FNV-1a; Swift's own hash differs from run to run).
    public static func phase(of camera: String) -> Double {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in camera.utf8 { h = (h ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return Double(h % 1000) / 1000
    }

    /// Whether a pass that gave `passMap` counts the frame with it: there is one, it may be used,
    /// and the scale is learned.
    public func countsWithPass(_ passMap: DensityMap?) -> Bool {
        usePass && passMap != nil && scale.isCalibrated
    }

    /// Whether the coming people pass should bring its own density (the head costs about 10 % of a
    /// pass): while a zone is dense, to count it; otherwise only when the model's check is due on
    /// the same frame, a frame to learn the scale from before the zone turns dense.
    public func wantsPassDensity(segment: Int, time: Double, dense: Bool) -> Bool {
        usePass && (dense || cadence.isDue(segment: segment, time: time, interval: checkEvery))
    }

    /// Seconds between the model's passes for a camera that is `dense` now and whose pass gave `passMap`.
    public func interval(dense: Bool, passMap: DensityMap?) -> Double {
        dense && !countsWithPass(passMap) ? every : checkEvery
    }

    /// Whether the model's pass is due on this frame, and how late it is (in its intervals).
    public mutating func due(segment: Int, time: Double, dense: Bool, passMap: DensityMap?) -> (isDue: Bool, overdue: Double) {
        cadence.ask(segment: segment, time: time, interval: interval(dense: dense, passMap: passMap))
    }

    /// The picture this camera's passes see and the input the model is fed it at: when either
    /// changes (a reconnect at another resolution; a substream's main stream that has now said its
    /// size) the people are at another scale in one of the two, so the scale is learned again.
    public mutating func looking(at picture: (width: Int, height: Int), modelInput: (width: Int, height: Int)) {
        let now = [picture.width, picture.height, modelInput.width, modelInput.height]
        if sizes != now {
            scale.reset()
            sizes = now
        }
    }

    /// Records the model's map of the frame at `time` and the pass's own of the same frame. True
    /// when this frame made the scale learned (the caller says so in its log).
    @discardableResult
    public mutating func made(_ map: DensityMap, passMap: DensityMap?, segment: Int, time: Double) -> Bool {
        recent = map
        cadence.made(segment: segment, time: time)
        guard usePass, let passMap else { return false }
        let wasCalibrated = scale.isCalibrated
        return scale.observe(full: map.total, pass: passMap.total) && !wasCalibrated && scale.isCalibrated
    }

    /// The map a frame's zones are counted with: the model's of this very frame (`madeNow`), else
    /// the pass's own scaled, else the model's last while it is recent (two of its intervals).
    public func map(segment: Int, time: Double, dense: Bool, passMap: DensityMap?, madeNow: Bool) -> DensityMap? {
        if madeNow { return recent }
        if countsWithPass(passMap), let passMap { return scale.scaled(passMap) }
        return cadence.usable(segment: segment, time: time, interval: interval(dense: dense, passMap: passMap)) ? recent : nil
    }
}
