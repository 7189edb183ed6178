import Foundation
import Media
import Vocabulary

/// Counts the people of each picture of a still dataset with a single-picture counter and scores
/// it: the same `crowd` object as a video's (`perFrame` rows are the pictures in order, by name).
public struct StillEvaluator: Sendable {
    /// People in a whole picture, and the seconds of inference it took.
    public typealias Counter = @Sendable (DecodedPicture) throws -> (count: Double, inferenceSeconds: Double)

    public let dataset: StillDataset
    public let counterName: String
    public let perFrame: Bool
    public var progress: (@Sendable (Int, Int) -> Void)?

    public init(dataset: StillDataset, counterName: String, perFrame: Bool, progress: (@Sendable (Int, Int) -> Void)? = nil) {
        self.dataset = dataset
        self.counterName = counterName
        self.perFrame = perFrame
        self.progress = progress
    }

    public func evaluate(_ counter: Counter) throws -> EvaluationReport {
        let clock = ContinuousClock(), start = clock.now
        var estimates: [Double] = [], inference = 0.0
        for (i, picture) in dataset.pictures.enumerated() {
            let decoded: DecodedPicture
            do { decoded = try PictureFile.read(picture.path) } catch { throw EvaluationError.dataset(picture.path, "cannot be decoded: \(error)") }
            let (count, seconds) = try counter(decoded)
            estimates.append(count)
            inference += seconds
            progress?(i + 1, dataset.pictures.count)
        }
        let truth = dataset.pictures.enumerated().map { Dataset.Count(frame: $0.offset, count: $0.element.count) }
        var crowd = Scoring.crowd(truth: truth, estimates: estimates, model: counterName, perFrame: perFrame)
        let named = crowd?.perFrame?.map { row in
            var row = row
            row.image = dataset.pictures[row.frame].name
            return row
        }
        crowd?.perFrame = named
        let took = start.duration(to: clock.now)
        let wall = took.inSeconds
        let n = Double(max(1, dataset.pictures.count))
        return EvaluationReport(dataset: dataset.name, crowd: crowd, anomaly: nil, fps: n / max(wall, 1e-9),
                                detectorMsPerFrame: inference / n * 1000, analysisSize: "each picture at its own size",
                                learnedMsPerInference: inference / n * 1000)
    }
}
