import Inference

/// The model input a letterbox describes, from the region's pixels already scaled to
/// `scaledWidth`×`scaledHeight` (packed 8-bit BGR): planar float32 1×3×S×S, B, G, R planes with
/// values 0…255, padding 114 (YOLOX's convention; its models are trained on exactly this).
public enum InputTensor {
    public static let padding: Float = 114

    public static func nchw(bgr: [UInt8], letterbox: Letterbox) throws(InferenceError) -> Tensor {
        let w = letterbox.scaledWidth, h = letterbox.scaledHeight, side = letterbox.inputSize
        guard bgr.count == w * h * 3 else {
            throw .badInput("expected \(w)×\(h) BGR pixels (\(w * h * 3) bytes), got \(bgr.count) bytes")
        }
        let plane = side * side
        var data = [Float](repeating: padding, count: 3 * plane)
        data.withUnsafeMutableBufferPointer { out in
            bgr.withUnsafeBufferPointer { pixels in
                for y in 0..<h {
                    let row = y * w * 3, target = y * side
                    for x in 0..<w {
                        let p = row + x * 3
                        out[target + x] = Float(pixels[p])
                        out[plane + target + x] = Float(pixels[p + 1])
                        out[2 * plane + target + x] = Float(pixels[p + 2])
                    }
                }
            }
        }
        return try Tensor(shape: [1, 3, side, side], data: data)
    }
}
