import ArgumentParser
import Evaluation
import Foundation
import ModelStore
import Vision

struct Calibrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fit a camera's crowd model from a handful of labelled frames.",
        discussion: """
        Label 5-20 frames of a camera's video (frame,count in calibration.csv;
        count everyone at least half visible) and fit the camera's crowd model
        on them. The fit starts from the generic model and is pulled towards it
        (ridge), so a few frames are enough. Point the camera's `crowd.model` at
        the written file.

        With several datasets, fits one model on all their calibration frames:
        that is how Models/crowd-generic.json is made (see Models/README.md).

        Examples:
          retina calibrate cameras/gate-3 --out models/gate-3.json
          retina calibrate --prior physical --out Models/crowd-generic.json \\
                 .build/datasets/pets2009-s2l1 .build/datasets/concourse
        """
    )

    @Argument(help: ArgumentHelp("Dataset folder(s) with video.mp4, scene.yaml and calibration.csv.", valueName: "dataset"))
    var datasets: [String]

    @Option(name: .long, help: ArgumentHelp("Where to write the model (default: DATASET/crowd-model.json).", valueName: "file"))
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
        let chosen = features?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        if let unknown = chosen?.first(where: { !CrowdFeatures.names.contains($0) }) {
            throw ValidationError("unknown feature '\(unknown)' (known: \(CrowdFeatures.names.joined(separator: ", ")))")
        }
        let (datasets, priorSpec, width, strength) = (datasets, prior, width, strength)
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
                samples += try Evaluator(dataset: try Dataset.load(directory), options: options).calibrationSamples()
            }
            let names = datasets.map { ($0 as NSString).lastPathComponent }.joined(separator: ", ")
            let model = CrowdModel.fit(
                samples: samples.map { ($0.features, $0.count) }, featureNames: chosen ?? prior.features, prior: prior, strength: strength,
                description: "Crowd model fitted by `retina calibrate --strength \(strength)` on the calibration.csv frames of \(names), starting from \(priorName). Analysis width \(width) px.",
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

    /// Without any labels: a person covers about 0.3 h² of foreground (h: their height in pixels).
    static let physical = CrowdModel(description: "physical prior: one person per 0.3 h² of foreground",
                                     features: CrowdFeatures.names, coefficients: [1 / 0.3, 0, 0, 0], intercept: 0)
}
