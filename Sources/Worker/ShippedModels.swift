import Inference
import ModelStore
import Perception

/// The learned models in `Models/`, located (`ModelFiles.searchFolders`) and loaded with their
/// SHA-256 checked: the one way the commands load them. Loading blocks: call off the cooperative pool.
extension ObjectDetector {
    public static func yoloxNano(threads: Int = 1, settings: Settings = Settings()) throws -> ObjectDetector {
        let file = LearnedModelFile.yoloxNano
        return try ObjectDetector(modelPath: try file.locate(), sha256: file.sha256, threads: threads, settings: settings)
    }

    /// YOLOX-Nano whose passes can also give the whole picture's density (`peopleDensity`).
    public static func yoloxNanoWithDensity(threads: Int = 1, settings: Settings = Settings()) throws -> ObjectDetector {
        let plain = try yoloxNano(threads: threads, settings: settings)
        return try ObjectDetector(session: plain.session, settings: settings, densitySession: try InferenceSession.peopleDensity(threads: threads))
    }
}

extension InferenceSession {
    /// The detector with the density head (`Models/crowd-density/people_density.onnx`), SHA-256 checked.
    public static func peopleDensity(threads: Int = 1) throws -> InferenceSession {
        let file = LearnedModelFile.peopleDensity
        return try InferenceSession(path: try file.locate(), inputs: ObjectDetector.expectedInputs(side: -1),
                                    outputs: ObjectDetector.outputsWithDensity, threads: threads, sha256: file.sha256)
    }
}

extension CrowdDensityEstimator {
    public static func shipped(threads: Int = 1) throws -> CrowdDensityEstimator {
        let file = LearnedModelFile.crowdDensity
        return try CrowdDensityEstimator(modelPath: try file.locate(), sha256: file.sha256, threads: threads)
    }
}

extension PoseEstimator {
    public static func shipped(threads: Int = 1) throws -> PoseEstimator {
        let file = LearnedModelFile.poseLandmark
        return try PoseEstimator(modelPath: try file.locate(), sha256: file.sha256, threads: threads)
    }
}
