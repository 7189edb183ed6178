import ArgumentParser
import Evaluation
import Foundation
import Media
import ModelStore
import Vision

struct Calibrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fit a camera's crowd model from a handful of labelled frames, or its perspective from its own detections.",
        discussion: """
        Label 5-20 frames of a camera's video (frame,count in calibration.csv;
        count everyone at least half visible) and fit the camera's crowd model
        on them. The fit starts from the generic model and is pulled towards it
        (ridge), so a few frames are enough. Point the camera's `crowd.model` at
        the written file.

        With several datasets, fits one model on all their calibration frames:
        that is how Models/crowd-generic.json is made (see Models/README.md).

        With --from-detections, no labels are needed: the learned models count
        every Nth frame of each dataset's video (the labelled frames left out),
        and the camera's crowd model, the cheap path that runs on every frame, is
        fitted on those counts; calibration.csv frames, where there are some, are
        added, each weighing as much as three learned counts.

        With --auto, no labels at all: the people the learned detector finds in
        frames spread over the camera's video give its perspective (a standing
        person's height against the row of their feet). It writes the
        `perspective:` lines for the camera's scene and a PNG with the people
        and the fitted heights drawn: look at it before you use the lines. A
        "person" found still at one place on most looks for 10 s (a sign, a
        cone) is left out of the fit and drawn red: the camera leaves such
        lookalikes out of its counts too.

        Examples:
          retina calibrate --auto .build/datasets/pets2009-s2l1
          retina calibrate --auto gate-3.mp4 --frames 60 --out gate-3-perspective.yaml
          retina calibrate cameras/gate-3 --out models/gate-3.json
          retina calibrate --from-detections --every 20 cameras/gate-3 --out models/gate-3.json
          retina calibrate --prior physical --out Models/crowd-generic.json \\
                 .build/datasets/pets2009-s2l1 .build/datasets/concourse
        """
    )

    @Argument(help: ArgumentHelp("Dataset folder(s) with video.mp4, scene.yaml and calibration.csv; with --auto, one video file or dataset folder.", valueName: "dataset"))
    var datasets: [String]

    @Flag(name: .long, help: "Fit the perspective from the detector's people instead (no labels).")
    var auto = false

    @Flag(name: .long, help: "Fit the crowd model on the learned models' counts of frames across the video (detector or density by regime) instead of calibration.csv: no hand labels.")
    var fromDetections = false

    @Option(name: .long, help: ArgumentHelp("--auto: frames to look at.", valueName: "n"))
    var frames = 30

    @Option(name: .long, help: ArgumentHelp("--auto, --from-detections: look at every Nth frame of the video.", valueName: "n"))
    var every = 10

    @Option(name: .long, help: ArgumentHelp("--auto: the PNG to draw (default: the YAML's name with .png).", valueName: "file"))
    var draw: String?

    @Option(name: .long, help: ArgumentHelp("Where to write the model (default: DATASET/crowd-model.json; with --auto, DATASET/perspective.yaml).", valueName: "file"))
    var out: String?

    @Option(name: .long, help: ArgumentHelp("Model to start from: a file, or 'physical' (one person per 0.3 h² of foreground). Default: Models/crowd-generic.json.", valueName: "file"))
    var prior: String?

    @Option(name: .long, help: ArgumentHelp("Weight of the prior, in labelled frames (0: fit on the labels alone).", valueName: "frames"))
    var strength = 3.0

    @Option(name: .long, help: ArgumentHelp("Comma-separated features to fit (default: the prior's). Known: \(CrowdFeatures.names.joined(separator: ", ")).", valueName: "list"))
    var features: String?

    @Option(name: .long, help: ArgumentHelp("Analysis width in pixels.", valueName: "px"))
    var width = 384

    func run() async throws {
        guard !datasets.isEmpty else { throw ValidationError("give at least one dataset folder") }
        if auto {
            guard datasets.count == 1 else { throw ValidationError("--auto calibrates one camera: give one video or dataset folder") }
            guard (1...1000).contains(frames), (1...10_000).contains(every) else { throw ValidationError("--frames must be 1 to 1000 and --every 1 to 10000") }
            return try await AutoCalibrate(source: datasets[0], frames: frames, every: every, out: out, draw: draw).run()
        }
        let chosen = features?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        if let unknown = chosen?.first(where: { !CrowdFeatures.names.contains($0) }) {
            throw ValidationError("unknown feature '\(unknown)' (known: \(CrowdFeatures.names.joined(separator: ", ")))")
        }
        let (datasets, priorSpec, width, strength, every) = (datasets, prior, width, strength, every)
        // Without labels, the learned models count the frames (the regime's choice per frame, as the pipeline counts).
        let learned = fromDetections ? try await LearnedCounter(source: .fused, densityModel: nil, tiles: .whole, threads: 1).load() : nil
        if learned != nil { FFmpegLog.set(.quiet) }
        let (model, path) = try await runOnThread { () throws -> (CrowdModel, String) in
            let (prior, priorName): (CrowdModel, String)
            switch priorSpec {
            case "physical": (prior, priorName) = (Self.physical, "the physical prior")
            case let file?: (prior, priorName) = (try ModelFiles.load(file), file)
            case nil: (prior, priorName) = try ModelFiles.loadGeneric()
            }
            var samples: [(features: CrowdFeatures, count: Double, name: String)] = []
            for (i, directory) in datasets.enumerated() {
                FileHandle.standardError.write(Data("[\(i + 1)/\(datasets.count)] \(directory): analysing…\n".utf8))
                var options = Evaluator.Options()
                options.analysisWidth = width
                let evaluator = Evaluator(dataset: try Dataset.load(directory), options: options)
                if let learned {
                    let count = learned.count
                    options.learnedCounter = { picture, _ in try count(picture) }
                    samples += try Evaluator(dataset: evaluator.dataset, options: options).pseudoLabelledSamples(every: every)
                    // Hand-labelled frames, where the camera has some, improve the fit: each weighs as much as
                    // `handWeight` learned counts (a person's count beats a model's).
                    if !evaluator.dataset.calibration.isEmpty {
                        let hand = try evaluator.calibrationSamples()
                        for _ in 0..<Self.handWeight { samples += hand }
                    }
                } else {
                    samples += try evaluator.calibrationSamples()
                }
            }
            let names = datasets.map { ($0 as NSString).lastPathComponent }.joined(separator: ", ")
            let source = learned.map { "every \(every)th frame counted by \($0.name) (no hand labels)" } ?? "the calibration.csv frames"
            let model = CrowdModel.fit(
                samples: samples.map { ($0.features, $0.count) }, featureNames: chosen ?? prior.features, prior: prior, strength: strength,
                description: "Crowd model fitted by `retina calibrate --strength \(strength)` on \(source) of \(names), starting from \(priorName). Analysis width \(width) px.",
                fittedOn: samples.map(\.name))
            let path = out ?? (datasets[0] as NSString).appendingPathComponent("crowd-model.json")
            return (model, path)
        }
        do {
            try model.encoded().write(to: URL(fileURLWithPath: path))
        } catch {
            throw CLIError("cannot write \(path): \(error.localizedDescription)")
        }
        print("fitted on \(model.fittedOn?.count ?? 0) frames; error on them: MAE \(String(format: "%.2f", model.trainingMAE ?? 0))")
        print("coefficients: " + zip(model.features, model.coefficients).map { "\($0) \(String(format: "%.4g", $1))" }.joined(separator: ", ")
              + ", intercept \(String(format: "%.4g", model.intercept))")
        print("wrote \(path)")
    }

    /// With --from-detections, how many learned counts one hand-labelled frame weighs.
    static let handWeight = 3

    /// Without any labels: a person covers about 0.3 h² of foreground (h: their height in pixels).
    static let physical = CrowdModel(description: "physical prior: one person per 0.3 h² of foreground",
                                     features: CrowdFeatures.names, coefficients: [1 / 0.3, 0, 0, 0], intercept: 0)
}
