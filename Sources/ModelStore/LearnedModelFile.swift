import Foundation

/// A learned model's file in `Models/` (ONNX), with the digest of the copy Retina was tested with:
/// found in the same folders as the crowd models, checked when it is loaded.
public struct LearnedModelFile: Sendable, Equatable {
    /// The path below a `Models/` folder, e.g. `yolox-nano/yolox_nano.onnx`.
    public let relativePath: String
    public let sha256: String

    public init(relativePath: String, sha256: String) {
        self.relativePath = relativePath
        self.sha256 = sha256
    }

    /// YOLOX-Nano, COCO's 80 classes at 416×416 (Models/yolox-nano/README.md).
    public static let yoloxNano = LearnedModelFile(
        relativePath: "yolox-nano/yolox_nano.onnx",
        sha256: "c1d08ef69af99e08c1bb63ee798abc2d12a403f48cab18dcde56928a86ac6978")

    /// Retina's crowd-density model: YOLOX-Nano's backbone with a density head trained on
    /// ShanghaiTech (Models/crowd-density/README.md, made by Training/density/).
    public static let crowdDensity = LearnedModelFile(
        relativePath: "crowd-density/crowd_density.onnx",
        sha256: "a83472e422448602ac44a087ff5e37c7d64ad925c1ec1c9030f30550ccfb5d8d")

    /// YOLOX-Nano with the crowd-density model's head on its own features: the detector's output
    /// unchanged and a density map from the same pass (Models/crowd-density/README.md, made by
    /// Training/density/combine.py from the two files above).
    public static let peopleDensity = LearnedModelFile(
        relativePath: "crowd-density/people_density.onnx",
        sha256: "a7b3a010f8edd71d3feaa362b9ba85ddb058d0a6f889356b3c6331487405fbfc")

    /// BlazePose's full landmark model, its landmark and person outputs only (Models/pose/README.md,
    /// made by Training/pose/ from the mediapipe wheel).
    public static let poseLandmark = LearnedModelFile(
        relativePath: "pose/pose_landmark.onnx",
        sha256: "d3aa6d7e838e6485e9eb4df4d3af38873b5a98e8e32254568652d0c4c0d483fa")

    /// The file in the first of `ModelFiles.searchFolders()` that has it.
    public func locate(in folders: [String] = ModelFiles.searchFolders()) throws(ModelFileError) -> String {
        let candidates = folders.map { ($0 as NSString).appendingPathComponent(relativePath) }
        guard let path = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            throw ModelFileError(path: "Models/\(relativePath)",
                                 message: "not found in \(folders.joined(separator: ", ")): run from the repository, or set RETINA_MODELS to its Models folder")
        }
        return path
    }
}
