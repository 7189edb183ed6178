import Inference
import Vocabulary

/// A YOLOX detector (COCO classes) over a whole picture or a tile plan: each region letterboxed
/// into the model's square input, decoded, and merged into one list with boxes in 0…1 of the
/// whole picture. `detect` blocks for every inference it makes: call it on an `InferenceExecutor`
/// (`detect(_:on:)` does).
public final class ObjectDetector: Sendable {
    public struct Settings: Sendable, Equatable {
        /// `objectness × class score` below this is dropped. 0.3 suits counting people.
        public var scoreThreshold: Float
        /// Boxes of one class overlapping more than this are one object.
        public var nmsIoU: Double
        /// Only these COCO classes are reported (nil: all 80).
        public var classes: Set<Int>?
        public var tiles: TileSetting
        /// On a model that takes any size: the input fitted to each region's shape (`Letterbox`),
        /// 39 % fewer pixels for a 16:9 picture than the square; false keeps the square.
        public var fitInput: Bool

        public init(scoreThreshold: Float = 0.3, nmsIoU: Double = 0.45, classes: Set<Int>? = COCOClass.street,
                    tiles: TileSetting = .whole, fitInput: Bool = true) {
            self.scoreThreshold = scoreThreshold
            self.nmsIoU = nmsIoU
            self.classes = classes
            self.tiles = tiles
            self.fitInput = fitInput
        }
    }

    /// What the model must declare: YOLOX's export names; the sides may be symbolic.
    public static func expectedInputs(side: Int) -> [TensorSpec] { [TensorSpec(name: "images", shape: [1, 3, side, side])] }
    public static let expectedOutputs = [TensorSpec(name: "output", shape: [1, -1, 85])]
    /// The same with the crowd-density head on the detector's own features (`Training/density/combine.py`):
    /// a pass also gives the whole picture's density at the detector's input.
    public static let outputsWithDensity = expectedOutputs + [TensorSpec(name: "density", shape: [1, 1, -1, -1])]

    public let session: InferenceSession
    /// The same detector with the density head on its features (`outputsWithDensity`): run instead
    /// of `session` on the whole picture when a pass asks for its density. Two sessions, so that a
    /// pass that does not ask (a sparse camera's, a tile's, a home camera's) does not pay the head:
    /// ONNX Runtime 1.31 runs the whole graph even when asked for one output (measured).
    public let densitySession: InferenceSession?
    public let settings: Settings
    /// The input side (the longer one): the model's own when fixed, else the one given at init.
    public let inputSize: Int
    /// Whether inputs are fitted to each region (a model with symbolic sides and `fitInput`).
    public let fitsInput: Bool
    /// Whether a pass can also give the whole picture's density (`detect(_:density:)`).
    public var givesDensity: Bool { densitySession != nil }

    /// A detector on a loaded YOLOX session. `inputSize` is used only when the model's input size is symbolic.
    public init(session: InferenceSession, settings: Settings = Settings(), inputSize: Int = 416,
                densitySession: InferenceSession? = nil) throws(InferenceError) {
        guard inputSize > 0, inputSize % 32 == 0 else { throw .badInput("input size must be a positive multiple of 32, not \(inputSize)") }
        guard let shape = session.inputs.first?.shape, shape.count == 4 else {
            throw .model(path: session.path, problem: "has no 1×3×H×W input")
        }
        let declared = shape[2] == shape[3] && shape[2] > 0 ? shape[2] : nil
        self.inputSize = declared ?? inputSize
        fitsInput = declared == nil && settings.fitInput
        if let densitySession, densitySession.outputs.map(\.name) != Self.outputsWithDensity.map(\.name) {
            throw .model(path: densitySession.path, problem: "has no density output (its outputs: \(densitySession.outputs.map(\.name).joined(separator: ", ")))")
        }
        self.densitySession = densitySession
        self.session = session
        self.settings = settings
    }

    /// Loads a YOLOX model file (checked against `sha256` when given) and makes a detector on it.
    public convenience init(modelPath: String, sha256: String? = nil, threads: Int = 1, settings: Settings = Settings(),
                            inputSize: Int = 416) throws(InferenceError) {
        let session = try InferenceSession(path: modelPath, inputs: Self.expectedInputs(side: -1), outputs: Self.expectedOutputs,
                                           threads: threads, sha256: sha256)
        try self.init(session: session, settings: settings, inputSize: inputSize)
    }

    /// The model's raw output for one region: what `detect` decodes (and the tests compare with Python).
    public func rawOutput(_ picture: some BGRPixelSource, region: PictureRect) throws(InferenceError) -> (Tensor, Letterbox) {
        let (outputs, letterbox, _) = try infer(picture, region: region)
        return (outputs[0], letterbox)
    }

    /// The raw outputs (the detector's first), its letterbox, and the seconds `session.run` took;
    /// with `density`, from `densitySession`.
    private func infer(_ picture: some BGRPixelSource, region: PictureRect, density: Bool = false) throws(InferenceError) -> ([Tensor], Letterbox, Double) {
        let letterbox = Letterbox(region: region, inputSize: inputSize, fitted: fitsInput)
        guard let bgr = picture.bgrPixels(width: letterbox.scaledWidth, height: letterbox.scaledHeight, crop: region) else {
            throw .badInput("the picture (\(picture.width)×\(picture.height)) gave no pixels for \(region)")
        }
        let input = try InputTensor.nchw(bgr: bgr, letterbox: letterbox)
        let clock = ContinuousClock(), start = clock.now
        let running = density ? densitySession ?? session : session
        let outputs = try running.run([input])
        guard !outputs.isEmpty else { throw .runtime(during: "running \(running.path)", message: "no output") }
        let took = start.duration(to: clock.now)
        return (outputs, letterbox, took.inSeconds)
    }

    /// Every object found, boxes in 0…1 of the whole picture, best first; with `density`, on a
    /// detector that gives one (`givesDensity`), also the whole picture's density at its input.
    /// `focus` (0…1 of the picture): a region looked at once more on its own, scaled up into the
    /// input (where the flow moves and nothing is followed: `MotionFocus`), for the tracks
    /// (`DetectionResult.closerLook`); the counts stay the plan's, as they were measured.
    public func detect(_ picture: some BGRPixelSource, density: Bool = false, focus: Box? = nil) throws(InferenceError) -> DetectionResult {
        guard picture.width > 0, picture.height > 0 else { throw .badInput("the picture is empty") }
        let plan = TilePlan(width: picture.width, height: picture.height, setting: settings.tiles, inputSize: inputSize)
        var found: [(region: PictureRect, detections: [Detection])] = []
        var seconds: [Double] = []
        var densityMap: DensityMap?
        for (index, region) in plan.regions.enumerated() {
            let wanted = density && index == 0 && givesDensity
            let (outputs, letterbox, took) = try infer(picture, region: region, density: wanted)
            seconds.append(took)
            // The whole picture's (the plan's first region); a tile's would count its overlaps twice.
            // Its outputs were checked at init: the detector's, then the density.
            if wanted { densityMap = try DensityMap(output: outputs[1], letterbox: letterbox, path: densitySession!.path) }
            found.append((region, try decode(outputs[0], letterbox)))
        }
        let merged = found.count == 1 ? found[0].detections : TileMerge.merge(found, plan: plan, iou: settings.nmsIoU)
        var regions = plan.regions
        var closer: [Detection]?
        if let focus, let region = plan.region(of: focus), region != plan.regions[0] {
            let (outputs, letterbox, took) = try infer(picture, region: region)
            seconds.append(took)
            regions.append(region)
            closer = Self.adding(try decode(outputs[0], letterbox), in: region, plan: plan, to: merged, iou: settings.nmsIoU)
        }
        let w = Double(picture.width), h = Double(picture.height)
        let normalise = { (found: [Detection]) in
            found.map { Detection(classIndex: $0.classIndex, score: $0.score, box: Box(x0: $0.box.x0 / w, y0: $0.box.y0 / h, x1: $0.box.x1 / w, y1: $0.box.y1 / h)) }
                .sorted { $0.score > $1.score }
        }
        return DetectionResult(detections: normalise(merged), regions: regions, inferenceSeconds: seconds, density: densityMap,
                               closerLook: closer.map(normalise))
    }

    /// `found`, what a closer look at `region` found, added to the plan's `merged`: an object both
    /// found keeps the plan's box (with the better score), so that a followed person's box does not
    /// jump between two scales from pass to pass; a box cut by the region's border is a part, left out.
    static func adding(_ found: [Detection], in region: PictureRect, plan: TilePlan, to merged: [Detection], iou: Double) -> [Detection] {
        var all = merged
        for d in found where TileMerge.cuts(of: d.box, region: region, plan: plan).isEmpty {
            if let i = all.firstIndex(where: { $0.classIndex == d.classIndex && ($0.box.iou(d.box) > iou || d.box.overlapOfSmaller($0.box) >= TileMerge.sameObject) }) {
                all[i] = Detection(classIndex: d.classIndex, score: max(all[i].score, d.score), box: all[i].box)
            } else {
                all.append(d)
            }
        }
        return all
    }

    /// One region's output as detections in picture pixels, cut to the region, one box per object.
    private func decode(_ output: Tensor, _ letterbox: Letterbox) throws(InferenceError) -> [Detection] {
        let inInput = try YOLOXDecoder.decode(output, width: letterbox.inputWidth, height: letterbox.inputHeight,
                                              threshold: settings.scoreThreshold, classes: settings.classes)
        let region = letterbox.region
        let bounds = Box(x0: Double(region.x), y0: Double(region.y), x1: Double(region.x + region.width), y1: Double(region.y + region.height))
        let inPicture = inInput.map { Detection(classIndex: $0.classIndex, score: $0.score, box: letterbox.toPicture($0.box).clamped(to: bounds)) }
        return NonMaximumSuppression.apply(inPicture, iou: settings.nmsIoU)
    }

    /// `detect` on one of `executor`'s threads: the way async code calls it.
    public func detect(_ picture: some BGRPixelSource, density: Bool = false, focus: Box? = nil, on executor: InferenceExecutor) async throws(InferenceError) -> DetectionResult {
        try await executor.run { () throws(InferenceError) in try self.detect(picture, density: density, focus: focus) }
    }
}

/// What one `detect` found, and what it cost.
public struct DetectionResult: Sendable {
    /// Best first; boxes in 0…1 of the whole picture.
    public let detections: [Detection]
    /// The regions looked at (the whole picture first, then any tiles), in picture pixels.
    public let regions: [PictureRect]
    /// Seconds each region's inference took (ONNX Runtime's run alone).
    public let inferenceSeconds: [Double]
    /// The whole picture's density at the detector's input, when asked of a detector that gives one
    /// (`ObjectDetector.givesDensity`): the people it sees, in too small a picture to count a crowd
    /// as the density model does until a camera scales it (`PassDensityScale`).
    public var density: DensityMap? = nil
    /// With a `focus`: the same detections with what the closer look found (best first): the
    /// tracks' input. Counts stay on `detections`, the plan's alone, as they were measured.
    public var closerLook: [Detection]? = nil
    /// What the tracks follow: `closerLook` when the pass looked closer, else `detections`.
    public var forTracking: [Detection] { closerLook ?? detections }

    public func count(of classIndex: Int) -> Int { detections.count { $0.classIndex == classIndex } }
}

extension DensityMap {
    /// The density output of a pass over a letterboxed region that is the whole picture: the cells
    /// over the scaled picture (the padding's are dropped; the last row and column may reach past it).
    init(output: Tensor, letterbox: Letterbox, path: String) throws(InferenceError) {
        let stride = CrowdDensityEstimator.stride
        let rows = letterbox.inputHeight / stride, columns = letterbox.inputWidth / stride
        guard output.shape == [1, 1, rows, columns] else {
            throw .model(path: path, problem: "gave a density of shape \(output.shape) for a \(letterbox.inputWidth)×\(letterbox.inputHeight) input (expected [1, 1, \(rows), \(columns)])")
        }
        let keptRows = min(rows, (letterbox.scaledHeight + stride - 1) / stride)
        let keptColumns = min(columns, (letterbox.scaledWidth + stride - 1) / stride)
        var values: [Float] = []
        values.reserveCapacity(keptRows * keptColumns)
        for row in 0..<keptRows { values += output.data[(row * columns)..<(row * columns + keptColumns)] }
        self.init(columns: keptColumns, rows: keptRows, values: values,
                  cellWidth: Double(stride) / Double(letterbox.scaledWidth), cellHeight: Double(stride) / Double(letterbox.scaledHeight))
    }
}
