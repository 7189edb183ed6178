import Foundation
import Inference
import Vocabulary

/// BlazePose's landmark model (`Models/pose/`, made by `Training/pose/`): a person's square region
/// of the picture, turned upright, in; 33 landmarks and a person-is-there score out. MediaPipe's
/// way of following a person: the pose found in one frame says where to look in the next
/// (`Pose.next`), so a person who falls is followed onto the floor, where person detectors often
/// lose them. `estimate` blocks for its inference: call it on an `InferenceExecutor`.
public final class PoseEstimator: Sendable {
    public static let side = 256
    public static let expectedInputs = [TensorSpec(name: "input_1", shape: [1, 3, side, side])]
    public static let expectedOutputs = [TensorSpec(name: "Identity", shape: [1, 195]), TensorSpec(name: "Identity_1", shape: [1, 1])]

    public let session: InferenceSession

    public init(session: InferenceSession) { self.session = session }

    public convenience init(modelPath: String, sha256: String? = nil, threads: Int = 1) throws(InferenceError) {
        self.init(session: try InferenceSession(path: modelPath, inputs: Self.expectedInputs, outputs: Self.expectedOutputs,
                                                threads: threads, sha256: sha256))
    }

    /// The pose in `region` of a picture, and the seconds the inference took. A low `score` (under
    /// about 0.5) means nobody is there.
    public func estimate(_ picture: some BGRPixelSource, region: PoseRegion) throws(InferenceError) -> (pose: Pose, seconds: Double) {
        guard picture.width > 0, picture.height > 0,
              let bgr = picture.bgrPixels(width: picture.width, height: picture.height,
                                          crop: PictureRect(x: 0, y: 0, width: picture.width, height: picture.height)) else {
            throw .badInput("the picture (\(picture.width)×\(picture.height)) gave no pixels")
        }
        return try estimate(bgr: bgr, width: picture.width, height: picture.height, region: region)
    }

    /// The same on packed BGR pixels (`width`×`height`).
    public func estimate(bgr: [UInt8], width: Int, height: Int, region: PoseRegion) throws(InferenceError) -> (pose: Pose, seconds: Double) {
        guard bgr.count == width * height * 3 else { throw .badInput("expected \(width)×\(height) BGR pixels, got \(bgr.count) bytes") }
        guard region.size > 1 else { throw .badInput("the pose region is \(region.size) pixels wide") }
        let input = try Tensor(shape: [1, 3, Self.side, Self.side], data: Self.crop(bgr: bgr, width: width, height: height, region: region))
        let clock = ContinuousClock(), start = clock.now
        let outputs = try session.run([input])
        let took = start.duration(to: clock.now)
        guard outputs.count == 2, outputs[0].data.count == 195, let score = outputs[1].data.first else {
            throw .model(path: session.path, problem: "gave outputs of shapes \(outputs.map(\.shape)) (expected [1, 195] and [1, 1])")
        }
        return (Self.decode(outputs[0].data, score: Double(score), region: region), took.inSeconds)
    }

    /// 39 × (x, y, z, visibility, presence) in the region's input pixels → the 33 body landmarks in
    /// picture pixels, and the next region from the hip centre (33) and the alignment point (34).
    static func decode(_ values: [Float], score: Double, region: PoseRegion) -> Pose {
        let side = Double(side)
        func point(_ i: Int) -> PoseLandmark {
            let p = region.picturePoint(u: Double(values[5 * i]) / side, v: Double(values[5 * i + 1]) / side)
            return PoseLandmark(x: p.x, y: p.y, visibility: 1 / (1 + exp(-Double(values[5 * i + 3]))))
        }
        let centre = point(33), top = point(34)
        return Pose(landmarks: (0..<Pose.landmarkCount).map(point), score: score, region: region,
                    next: PoseRegion.aligned(center: (centre.x, centre.y), top: (top.x, top.y)))
    }

    /// The region, turned upright, sampled bilinearly into planar RGB 0…1 (`side`×`side`); outside
    /// the picture is black, as MediaPipe pads.
    public static func crop(bgr: [UInt8], width: Int, height: Int, region: PoseRegion, side: Int = side) -> [Float] {
        let plane = side * side
        var out = [Float](repeating: 0, count: 3 * plane)
        let step = region.size / Double(side), c = cos(region.rotation), s = sin(region.rotation)
        bgr.withUnsafeBufferPointer { px in
            out.withUnsafeMutableBufferPointer { o in
                for v in 0..<side {
                    let b = (Double(v) + 0.5) * step - region.size / 2
                    for u in 0..<side {
                        let a = (Double(u) + 0.5) * step - region.size / 2
                        // The picture point, in pixel-centre coordinates.
                        let x = region.centerX + a * c - b * s - 0.5, y = region.centerY + a * s + b * c - 0.5
                        let x0 = Int(x.rounded(.down)), y0 = Int(y.rounded(.down))
                        guard x0 >= -1, y0 >= -1, x0 < width, y0 < height else { continue }
                        let fx = Float(x - Double(x0)), fy = Float(y - Double(y0))
                        var r: Float = 0, g: Float = 0, bl: Float = 0
                        @inline(__always) func add(_ xx: Int, _ yy: Int, _ w: Float) {
                            guard xx >= 0, yy >= 0, xx < width, yy < height else { return }
                            let p = (yy * width + xx) * 3
                            r += w * Float(px[p + 2]); g += w * Float(px[p + 1]); bl += w * Float(px[p])
                        }
                        add(x0, y0, (1 - fx) * (1 - fy)); add(x0 + 1, y0, fx * (1 - fy))
                        add(x0, y0 + 1, (1 - fx) * fy); add(x0 + 1, y0 + 1, fx * fy)
                        let i = v * side + u
                        o[i] = r / 255; o[plane + i] = g / 255; o[2 * plane + i] = bl / 255
                    }
                }
            }
        }
        return out
    }
}
