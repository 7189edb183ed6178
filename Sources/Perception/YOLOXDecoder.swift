import Foundation
import Inference

/// Turns YOLOX's raw output (1×N×(5+classes): cx, cy, w, h as grid offsets and log sizes, then
/// objectness and class scores, already through a sigmoid) into boxes in input pixels. N covers the
/// stride 8, 16 and 32 grids of the input, row by row, finest first.
public enum YOLOXDecoder {
    public static let strides = [8, 16, 32]

    /// The number of rows a square input of `side` pixels gives.
    public static func rows(inputSize side: Int) -> Int { rows(width: side, height: side) }

    /// The number of rows a `width`×`height` input gives.
    public static func rows(width: Int, height: Int) -> Int {
        strides.reduce(0) { $0 + (width / $1) * (height / $1) }
    }

    /// Every row whose best class scores `objectness × class score ≥ threshold` (one detection per
    /// row, its best class of all), kept only when that class is in `classes` (when given).
    public static func decode(_ output: Tensor, inputSize side: Int, threshold: Float,
                              classes: Set<Int>? = nil) throws(InferenceError) -> [Detection] {
        try decode(output, width: side, height: side, threshold: threshold, classes: classes)
    }

    /// The same for a `width`×`height` input (each grid `width / stride` cells across).
    public static func decode(_ output: Tensor, width inputWidth: Int, height inputHeight: Int, threshold: Float,
                              classes: Set<Int>? = nil) throws(InferenceError) -> [Detection] {
        guard output.shape.count == 3, output.shape[0] == 1, output.shape[2] > 5 else {
            throw .badInput("YOLOX output must be 1×N×(5+classes), not \(output.shape)")
        }
        let n = output.shape[1], width = output.shape[2]
        guard n == rows(width: inputWidth, height: inputHeight) else {
            throw .badInput("YOLOX output has \(n) rows; a \(inputWidth)×\(inputHeight) input gives \(rows(width: inputWidth, height: inputHeight))")
        }
        var found: [Detection] = []
        output.data.withUnsafeBufferPointer { data in
            var row = 0
            for stride in strides {
                let (columns, rows) = (inputWidth / stride, inputHeight / stride)
                for gy in 0..<rows {
                    for gx in 0..<columns {
                        defer { row += 1 }
                        let r = row * width
                        let objectness = data[r + 4]
                        guard objectness >= threshold else { continue }  // score ≤ objectness: cheap early out
                        var best = -1
                        var bestScore: Float = 0
                        for c in 0..<(width - 5) {
                            let s = data[r + 5 + c]
                            if s > bestScore { bestScore = s; best = c }
                        }
                        let score = objectness * bestScore
                        // The class is the best of all 80, as trained; only then is it filtered.
                        guard best >= 0, score >= threshold, classes?.contains(best) ?? true else { continue }
                        let s = Double(stride)
                        let cx = (Double(data[r]) + Double(gx)) * s, cy = (Double(data[r + 1]) + Double(gy)) * s
                        let w = Double(data[r + 2]).clampedExp * s, h = Double(data[r + 3]).clampedExp * s
                        found.append(Detection(classIndex: best, score: score,
                                               box: Box(x0: cx - w / 2, y0: cy - h / 2, x1: cx + w / 2, y1: cy + h / 2)))
                    }
                }
            }
        }
        return found
    }
}

private extension Double {
    /// exp that cannot overflow into an infinite box on a wild logit.
    var clampedExp: Double { exp(min(self, 20)) }
}
