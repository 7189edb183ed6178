import Inference
import Vocabulary

/// Retina's crowd-density model (`Models/crowd-density/`, made by `Training/density/`): the picture,
/// resized to a multiple of 32 on each side, in; people per stride-8 cell out. It counts where the
/// detector cannot: heads of a few pixels, people hidden behind each other. `estimate` blocks for
/// its inference: call it on an `InferenceExecutor` (`estimate(_:on:)` does).
public final class CrowdDensityEstimator: Sendable {
    public static let expectedInputs = [TensorSpec(name: "images", shape: [1, 3, -1, -1])]
    public static let expectedOutputs = [TensorSpec(name: "density", shape: [1, 1, -1, -1])]
    /// The model's output cell, in input pixels.
    public static let stride = 8

    public let session: InferenceSession
    /// Pictures whose longer side is larger are scaled down to it first (cost grows with area).
    public let maxSide: Int

    public init(session: InferenceSession, maxSide: Int = 1024) throws(InferenceError) {
        guard maxSide >= 32 else { throw .badInput("the density input's longer side must be at least 32 pixels, not \(maxSide)") }
        self.session = session
        self.maxSide = maxSide
    }

    /// `memory`: per run by default, as a camera runs this model now and then on its largest input.
    public convenience init(modelPath: String, sha256: String? = nil, threads: Int = 1, maxSide: Int = 1024,
                            memory: InferenceSession.Memory = .perRun) throws(InferenceError) {
        let session = try InferenceSession(path: modelPath, inputs: Self.expectedInputs, outputs: Self.expectedOutputs,
                                           threads: threads, sha256: sha256, memory: memory)
        try self.init(session: session, maxSide: maxSide)
    }

    /// The model's input size for a picture: the picture scaled so that its longer side is the
    /// scene's (`sceneSide`, default the picture's own) but at most `maxSide`, each side rounded to a
    /// multiple of 32, as in training. The scene is larger than the picture on a camera's substream:
    /// its main stream shows the same people, and the model counts them at the size it learned them
    /// (the overhead concourse's 640×360 substream at its own size: 16 % error; scaled up to
    /// 1024×576, as its main stream would be: 3 %; Benchmarks/README).
    public func inputSize(width: Int, height: Int, sceneSide: Int? = nil) -> (width: Int, height: Int) {
        Self.inputSize(width: width, height: height, maxSide: maxSide, sceneSide: sceneSide)
    }

    public static func inputSize(width: Int, height: Int, maxSide: Int, sceneSide: Int? = nil) -> (width: Int, height: Int) {
        let longer = max(width, height)
        let scale = Double(min(maxSide, max(1, sceneSide ?? longer))) / Double(longer)
        func side(_ v: Int) -> Int { max(32, Int((Double(v) * scale / 32).rounded()) * 32) }
        return (side(width), side(height))
    }

    /// The density over the whole picture, and the seconds the inference took. `sceneSide`: the
    /// longer side of the scene the picture shows (a substream's main stream), see `inputSize`.
    public func estimate(_ picture: some BGRPixelSource, sceneSide: Int? = nil) throws(InferenceError) -> (map: DensityMap, seconds: Double) {
        guard picture.width > 0, picture.height > 0 else { throw .badInput("the picture is empty") }
        let (w, h) = inputSize(width: picture.width, height: picture.height, sceneSide: sceneSide)
        guard let bgr = picture.bgrPixels(width: w, height: h, crop: PictureRect(x: 0, y: 0, width: picture.width, height: picture.height)) else {
            throw .badInput("the picture (\(picture.width)×\(picture.height)) gave no pixels at \(w)×\(h)")
        }
        let input = try InputTensor.nchw(bgr: bgr, width: w, height: h, paddedWidth: w, paddedHeight: h)
        let clock = ContinuousClock(), start = clock.now
        guard let output = try session.run([input]).first else { throw .runtime(during: "running \(session.path)", message: "no output") }
        let took = start.duration(to: clock.now)
        let rows = h / Self.stride, columns = w / Self.stride
        guard output.shape == [1, 1, rows, columns] else {
            throw .model(path: session.path, problem: "gave a density of shape \(output.shape) for a \(w)×\(h) input (expected [1, 1, \(rows), \(columns)])")
        }
        let map = DensityMap(columns: columns, rows: rows, values: output.data, cellWidth: 1 / Double(columns), cellHeight: 1 / Double(rows))
        return (map, took.inSeconds)
    }

    public func estimate(_ picture: some BGRPixelSource, sceneSide: Int? = nil, on executor: InferenceExecutor) async throws(InferenceError) -> (map: DensityMap, seconds: Double) {
        try await executor.run { () throws(InferenceError) in try self.estimate(picture, sceneSide: sceneSide) }
    }
}
