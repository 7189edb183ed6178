import ArgumentParser
import Evaluation
import Foundation
import Inference
import Media
import ModelStore
import Perception
import RetinaConfig
import Synchronization
import Worker

/// The learned people counter `retina eval` scores: the detector, the density model, or both fused,
/// loaded from Models/ (checked by sha256) or, for the density model, a file given.
struct LearnedCounter {
    var source: PeopleCountSource
    var densityModel: String?
    var tiles: TileSetting
    var threads: Int
    /// The longer side of the camera's main stream when the video is its substream: the density
    /// model sees the picture at that scale, as a dual-stream worker feeds it.
    var mainSide: Int? = nil
    /// Videos, fused: the density model on a camera's cadence, the detector's own density scaled in
    /// between (`DensitySources`), instead of the density model on every frame counted.
    var passDensity = false

    /// The models this counter needs (it loads them off the cooperative pool), and a name for reports.
    private func models() async throws -> (name: String, detector: ObjectDetector?, density: CrowdDensityEstimator?) {
        let (tiles, threads, source, densityModel, passDensity) = (tiles, threads, source, densityModel, passDensity)
        let (detector, density) = try await runOnThread { () throws in
            var detector: ObjectDetector?, density: CrowdDensityEstimator?
            if source != .density {
                detector = passDensity ? try ObjectDetector.yoloxNanoWithDensity(threads: threads, settings: .init(tiles: tiles))
                    : try ObjectDetector.yoloxNano(threads: threads, settings: .init(tiles: tiles))
            }
            if source != .detector {
                // A model given by path is one being trained: it has no digest to check yet.
                density = try densityModel.map { try CrowdDensityEstimator(modelPath: $0, threads: threads) } ?? CrowdDensityEstimator.shipped(threads: threads)
            }
            return (detector, density)
        }
        let parts = [detector.map { "YOLOX-Nano (tiles \(tiles))" + ($0.givesDensity ? " with its own density" : "") }, density.map { "density \(($0.session.path as NSString).lastPathComponent)" }]
        return ("\(source.rawValue): " + parts.compactMap { $0 }.joined(separator: " + "), detector, density)
    }

    /// A name for reports, and the counter of single pictures (it blocks: call it off the cooperative pool).
    func load() async throws -> (name: String, count: StillEvaluator.Counter) {
        let (name, detector, density) = try await models()
        let count = Self.counter(source, detector: detector, density: density, mainSide: nil, lookalikes: nil)
        return (name, { picture in try count(picture, 0) })
    }

    /// The counter on a video, given its frames in order as a camera's passes: `fused` leaves out
    /// the still lookalikes the camera learns from them (`StillLookalikes`), as the worker does;
    /// `detector` and `density` stay the plain models (the references).
    func loadForVideo() async throws -> (name: String, count: Evaluator.VideoCounter) {
        let (name, detector, density) = try await models()
        let lookalikes = source == .fused ? LookalikesLearned() : nil
        let scale = density != nil && mainSide != nil ? ", density at a \(mainSide!) px main stream's scale" : ""
        let settings = PerceptionSettings()
        let sources = passDensity ? FollowedDensity(DensitySources(every: settings.densityEvery, checkEvery: settings.densityCheckEvery, usePass: true)) : nil
        let cadence = sources == nil ? "" : ", the density model every \(Int(settings.densityEvery)) s while dense, every \(Int(settings.densityCheckEvery)) s once its scale is learned"
        return (name + scale + (lookalikes == nil ? "" : ", less still lookalikes") + cadence,
                Self.counter(source, detector: detector, density: density, mainSide: mainSide, lookalikes: lookalikes, sources: sources))
    }

    /// People in a picture at a stream time by `source`, and the inference seconds it took.
    private static func counter(_ source: PeopleCountSource, detector: ObjectDetector?, density: CrowdDensityEstimator?,
                                mainSide: Int?, lookalikes: LookalikesLearned?, sources: FollowedDensity? = nil) -> Evaluator.VideoCounter {
        { picture, time in
            let found = try detector?.detect(picture, density: sources != nil)
            let detections = found?.detections ?? []
            let people = (lookalikes?.filter(detections, at: time, picture: picture) ?? detections).filter { $0.classIndex == COCOClass.person }
            let estimated: (map: DensityMap?, seconds: Double)?
            if let sources, let density {
                estimated = try sources.map(picture, at: time, people: people, passMap: found?.density, model: density, sceneSide: mainSide)
            } else {
                let made = try density?.estimate(picture, sceneSide: mainSide)
                estimated = made.map { (map: $0.map, seconds: $0.seconds) }
            }
            let regime = CrowdRegime.of(CrowdRegime.Crowding(people: people, density: estimated?.map))
            let count: Double = switch source {
            case .detector: Double(people.count)
            case .density: estimated?.map?.total ?? 0
            case .fused: CountFusion.count(people: people, density: estimated?.map, regime: regime)
            }
            return (count, (found?.inferenceSeconds.reduce(0, +) ?? 0) + (estimated?.seconds ?? 0))
        }
    }
}

/// A camera's `DensitySources` shared by the calls of a counter closure (made one at a time, in
/// stream order): whether the scene is dense is the previous frame's regime, as a worker decides
/// before its density pass.
private final class FollowedDensity: Sendable {
    private struct State {
        var sources: DensitySources
        var dense = false
    }
    private let state: Mutex<State>

    init(_ sources: DensitySources) { state = Mutex(State(sources: sources)) }

    /// The map this frame is counted with, running the density model when it is due, and the seconds that took.
    func map(_ picture: DecodedPicture, at time: Double, people: [Detection], passMap: DensityMap?, model: CrowdDensityEstimator,
             sceneSide: Int?) throws -> (map: DensityMap?, seconds: Double) {
        try state.withLock { s in
            let input = model.inputSize(width: picture.width, height: picture.height, sceneSide: sceneSide)
            s.sources.looking(at: (picture.width, picture.height), modelInput: input)
            var seconds = 0.0, madeNow = false
            if s.sources.due(segment: 0, time: time, dense: s.dense, passMap: passMap).isDue {
                let (full, took) = try model.estimate(picture, sceneSide: sceneSide)
                s.sources.made(full, passMap: passMap, segment: 0, time: time)
                seconds = took
                madeNow = true
            }
            let map = s.sources.map(segment: 0, time: time, dense: s.dense, passMap: passMap, madeNow: madeNow)
            s.dense = CrowdRegime.of(CrowdRegime.Crowding(people: people, density: map)) == .dense
            return (map, seconds)
        }
    }
}

/// A camera's `StillLookalikes` shared by the calls of a counter closure (made one at a time).
private final class LookalikesLearned: Sendable {
    private let learned = Mutex(StillLookalikes())

    func filter(_ detections: [Detection], at time: Double, picture: DecodedPicture) -> [Detection] {
        learned.withLock { $0.filter(detections, at: time, picture: picture) }
    }
}

/// `retina eval` on a folder of still pictures: nothing to fit, nothing to warm up.
struct StillEval {
    var directory: String
    var only: String?
    var counter: LearnedCounter
    var perFrame: Bool

    func run() async throws -> EvaluationReport {
        FFmpegLog.set(.quiet)  // JPEG's full-range YUV earns a libswscale notice per picture
        let only = try only.map { file -> Set<String> in
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { throw ValidationError("--images \(file): cannot be read") }
            return Set(text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        }
        let dataset: StillDataset
        do { dataset = try StillDataset.load(directory, only: only) } catch { throw CLIError(error) }
        let (name, count) = try await counter.load()
        let showProgress = isatty(2) != 0
        let evaluator = StillEvaluator(dataset: dataset, counterName: name, perFrame: perFrame) { done, total in
            if showProgress { FileHandle.standardError.write(Data("\rpictures: \(done)/\(total)".utf8)) }
        }
        defer { if showProgress { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) } }
        // Decoding and inference block: the whole pass runs on a thread of its own.
        return try await runOnThread { () throws in try evaluator.evaluate(count) }
    }
}
