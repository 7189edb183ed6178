/// What one camera's detectors share about each frame, computed once per frame: the background and
/// foreground, the edges, the change since the previous frame, image pyramids for optical flow, and
/// the perspective weights per row. Several detectors of one camera hold the same `SceneModel`;
/// `update` is a no-op for a frame it has already seen.
public final class SceneModel {
    public struct Parameters: Sendable, Equatable, Codable {
        public var background = BackgroundModel.Parameters()
        /// Sobel magnitude (|gx|+|gy|, 0–2040) above which a pixel is an edge.
        public var edgeThreshold: Int = 160
        /// Per-pixel change since the previous frame that counts as motion.
        public var changeThreshold: Int = 14
        /// Pyramid levels for optical flow (1 = the analysis image only). Each level doubles how far
        /// a point can move between two looked-at frames and still be followed: five follow about
        /// 40 px with the flow's 9×9 window, a runner at 3.5 body heights a second near the camera at
        /// 384 px and 5 frames a second (four: about 25 px, 2.4 body heights).
        public var pyramidLevels: Int = 5
        public init() {}
    }

    public let parameters: Parameters
    /// Person height by image row, in source pixels.
    public let perspective: Perspective?
    public private(set) var background: BackgroundModel
    public private(set) var frame: AnalysisFrame?
    /// Seconds since the previous frame of the same segment (0 for the first).
    public private(set) var dt = 0.0
    /// 1 where the pixel is an edge in the current frame.
    public private(set) var edges: [UInt8] = []
    /// 1 where the pixel changed since the previous frame (light change taken out).
    public private(set) var changed: [UInt8] = []
    public private(set) var changedFraction = 0.0
    /// Mean Sobel magnitude over the picture: collapses when the lens is covered or defocused.
    public private(set) var edgeEnergy = 0.0
    /// Analysis image pyramid of this frame (level 0 = analysis size).
    public private(set) var pyramid: [GrayImage] = []
    /// Person height in analysis pixels for each analysis row (from the perspective, or a default).
    public private(set) var personHeight: [Double] = []
    /// True on the first frame of a segment: there is no previous frame to compare with.
    public private(set) var isFirstOfSegment = true
    private var lastKey: (segment: Int, time: Double)?

    public init(perspective: Perspective?, parameters: Parameters = Parameters()) {
        self.perspective = perspective
        self.parameters = parameters
        background = BackgroundModel(parameters: parameters.background)
    }

    public var width: Int { frame?.image.width ?? 0 }
    public var height: Int { frame?.image.height ?? 0 }

    /// Analyses `frame` unless this model has already done so.
    public func update(_ frame: AnalysisFrame) {
        if let lastKey, lastKey.segment == frame.segment, lastKey.time == frame.streamTime { return }
        let image = frame.image
        let sameGeometry = self.frame.map { $0.image.width == image.width && $0.image.height == image.height } ?? false
        let continues = sameGeometry && lastKey?.segment == frame.segment
        dt = continues ? max(0, frame.streamTime - (lastKey?.time ?? frame.streamTime)) : 0
        lastKey = (frame.segment, frame.streamTime)
        if !sameGeometry { personHeight = Self.rowHeights(perspective, frame) }

        if continues {
            background.update(image, dt: dt)
            markChanged(image, previous: pyramid[0])
        } else {
            // A new segment (reconnect) or new geometry: nothing from before may be compared.
            background.reset(to: image)
            changed = [UInt8](repeating: 0, count: image.pixels.count)
            changedFraction = 0
        }
        isFirstOfSegment = !continues
        pyramid = [image]
        for _ in 1..<max(parameters.pyramidLevels, 1) where pyramid[pyramid.count - 1].width >= 16 {
            pyramid.append(ImageOps.downsample(pyramid[pyramid.count - 1]))
        }
        markEdges(image)
        self.frame = frame
    }

    /// Restarts the background from the current frame (the view changed for good).
    public func relearnBackground() {
        if let image = frame?.image { background.reset(to: image) }
    }

    private func markEdges(_ image: GrayImage) {
        let energy = ImageOps.sobelEdges(image, threshold: parameters.edgeThreshold, into: &edges)
        edgeEnergy = Double(energy) / Double(max(image.pixels.count, 1))
    }

    /// Change since the previous frame, after the global light change the background fit found.
    private func markChanged(_ image: GrayImage, previous: GrayImage) {
        let count = ImageOps.markDifferent(image, from: previous, gain: background.gain, offset: background.offset,
                                           threshold: parameters.changeThreshold, into: &changed)
        changedFraction = Double(count) / Double(max(image.pixels.count, 1))
    }

    /// Height in analysis pixels of a person whose body centre is on each analysis row (the
    /// calibration is by foot row: a pixel at row y belongs to someone whose feet are lower, at
    /// y_f = y + h(y_f)/2). Without a calibration a person is a quarter of the picture tall everywhere.
    static func rowHeights(_ perspective: Perspective?, _ frame: AnalysisFrame) -> [Double] {
        let h = frame.image.height
        let scale = Double(h) / Double(max(frame.sourceHeight, 1))
        return (0..<h).map { y in
            guard let perspective else { return Double(h) / 4 }
            let sourceRow = (Double(y) + 0.5) / scale
            let denominator = 1 - 0.5 * perspective.slope
            let footRow = denominator > 0.2 ? (sourceRow + 0.5 * perspective.intercept) / denominator : sourceRow
            // Never below 3 analysis pixels: beyond the horizon the line would reach zero.
            return max(3, perspective.personHeight(atRow: footRow) * scale)
        }
    }
}
