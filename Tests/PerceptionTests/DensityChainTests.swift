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

    @Test func aWrongModelFileIsRefusedAtLoad() throws {
        let yolox = try LearnedModelFile.yoloxNano.locate(in: [URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Models").path])
        // YOLOX-Nano has a fixed 416×416 input and no `density` output.
        #expect { try CrowdDensityEstimator(modelPath: yolox) } throws: { "\($0)".contains("density") || "\($0)".contains("images") }
        #expect { try CrowdDensityEstimator(modelPath: yolox, sha256: LearnedModelFile.crowdDensity.sha256) } throws: { _ in true }
    }
}
