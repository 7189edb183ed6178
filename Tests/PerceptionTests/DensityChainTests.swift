import Foundation
import Inference
import Media
import ModelStore
import Perception
import Testing
import Vocabulary
import Worker

/// The density chain on a real frame: the PETS fixture cut to 416×288 (a multiple of 32 on both
/// sides, so no resampling: Swift and Python feed the model the same numbers) through Media,
/// Worker's adapter and Models/crowd-density in ONNX Runtime. Needs the ORT library.
@Suite struct DensityChainTests {
    static let frame = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/pets-frame100-416x288.png").path

    static func estimator() throws -> CrowdDensityEstimator {
        let model = LearnedModelFile.crowdDensity
        let folders = [URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Models").path]
        return try CrowdDensityEstimator(modelPath: try model.locate(in: folders), sha256: model.sha256)
    }

    @Test func theDensityIsPythons() throws {
        // Python's onnxruntime 1.31.1 on the same PNG (PIL, BGR planes): the sum, and the three
        // largest cells (row, column, people).
        let picture = try PictureFile.read(Self.frame)
        let (map, _) = try Self.estimator().estimate(picture)
        #expect(map.columns == 52 && map.rows == 36)
        #expect(abs(map.total - 8.830957) < 1e-3)
        for (row, column, value) in [(12, 27, Float(0.11324012)), (11, 27, 0.09779491), (14, 27, 0.09064061)] {
            #expect(abs(map.values[row * map.columns + column] - value) < 1e-4)
        }
        // Red and blue swapped is detectably not it (Python: 8.03).
        let (swapped, _) = try Self.estimator().estimate(ChannelSwapped(picture))
        #expect(abs(swapped.total - map.total) > 0.5)
    }

    static func detectorWithDensity(fitInput: Bool = true) throws -> ObjectDetector {
        let model = LearnedModelFile.peopleDensity
        let folders = [URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Models").path]
        let session = try InferenceSession(path: try model.locate(in: folders), inputs: ObjectDetector.expectedInputs(side: -1),
                                           outputs: ObjectDetector.outputsWithDensity, sha256: model.sha256)
        // As a worker has it: YOLOX-Nano alone for passes that do not ask, the one with the head for those that do.
        return try ObjectDetector(session: try ChainTests.detector(fitInput: fitInput).session,
                                  settings: ObjectDetector.Settings(fitInput: fitInput), densitySession: session)
    }

    @Test func thePeoplePassGivesTheDetectorsBoxesAndTheDensityModelsMapAtItsInput() throws {
        // 416×288 fills the fitted input exactly: the density model fed the same picture sees the same numbers.
        let picture = try PictureFile.read(Self.frame)
        let combined = try Self.detectorWithDensity()
        let plainDetector = try ChainTests.detector(fitInput: true)
        #expect(combined.givesDensity && !plainDetector.givesDensity)
        let result = try combined.detect(picture, density: true)
        let plain = try plainDetector.detect(picture, density: true)
        #expect(result.detections.map(\.box) == plain.detections.map(\.box) && result.detections.map(\.score) == plain.detections.map(\.score))
        let map = try #require(result.density)
        let (model, _) = try Self.estimator().estimate(picture)
        #expect(map.columns == model.columns && map.rows == model.rows && map.cellWidth == model.cellWidth && map.cellHeight == model.cellHeight)
        #expect(zip(map.values, model.values).allSatisfy { abs($0 - $1) < 1e-5 })
        #expect(abs(map.total - 8.830957) < 1e-3)
        // The plain detector gives none.
        #expect(plain.density == nil)
    }

    @Test func thePaddingsCellsAreLeftOutOfThePassDensity() throws {
        // 416×312 in a 416×320 input: 40 rows of cells, of which the last is mostly padding but
        // still reaches into the picture (312 / 8 = 39): kept, as the map's grid may reach past 1.
        // The same picture in the square 416×416 input: 52 rows, 13 of padding alone, dropped.
        let picture = try PictureFile.read(ChainTests.frame)
        let fitted = try #require(try Self.detectorWithDensity().detect(picture, density: true).density)
        let square = try #require(try Self.detectorWithDensity(fitInput: false).detect(picture, density: true).density)
        // Not asked, not given.
        #expect(try Self.detectorWithDensity().detect(picture).density == nil)
        #expect(fitted.rows == 39 && fitted.columns == 52 && square.rows == 39)
        #expect(abs(fitted.cellHeight - 8.0 / 312) < 1e-12 && abs(fitted.cellWidth - 8.0 / 416) < 1e-12)
        #expect(abs(fitted.total - square.total) < 0.05 * fitted.total)
    }

    @Test func aWrongModelFileIsRefusedAtLoad() throws {
        let yolox = try LearnedModelFile.yoloxNano.locate(in: [URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Models").path])
        // YOLOX-Nano has a fixed 416×416 input and no `density` output.
        #expect { try CrowdDensityEstimator(modelPath: yolox) } throws: { "\($0)".contains("density") || "\($0)".contains("images") }
        #expect { try CrowdDensityEstimator(modelPath: yolox, sha256: LearnedModelFile.crowdDensity.sha256) } throws: { _ in true }
        // The detector with the head has two outputs: not the plain detector's one, and the other way round.
        let combined = try LearnedModelFile.peopleDensity.locate(in: [URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Models").path])
        #expect { try ObjectDetector(modelPath: combined) } throws: { "\($0)".contains("density") }
        let plain = try ChainTests.detector().session
        #expect { try ObjectDetector(session: plain, densitySession: plain) } throws: { "\($0)".contains("has no density output") }
        #expect { try InferenceSession(path: yolox, inputs: ObjectDetector.expectedInputs(side: -1), outputs: ObjectDetector.outputsWithDensity) } throws: { "\($0)".contains("outputs") }
    }
}
