import Inference

/// The model input a letterbox describes, from the region's pixels already scaled to
/// `scaledWidth`×`scaledHeight` (packed 8-bit BGR): planar float32 1×3×H×W, B, G, R planes with
/// values 0…255, padding 114 (YOLOX's convention; its models are trained on exactly this).
public enum InputTensor {
    public static let padding: Float = 114

    public static func nchw(bgr: [UInt8], letterbox: Letterbox) throws(InferenceError) -> Tensor {
        try nchw(bgr: bgr, width: letterbox.scaledWidth, height: letterbox.scaledHeight,
                 paddedWidth: letterbox.inputWidth, paddedHeight: letterbox.inputHeight)
    }

    /// `width`×`height` packed BGR pixels at the top left of a `paddedWidth`×`paddedHeight` input,
    /// the rest padding (the density model takes any size that is a multiple of 32).
    public static func nchw(bgr: [UInt8], width w: Int, height h: Int, paddedWidth: Int, paddedHeight: Int) throws(InferenceError) -> Tensor {
        guard bgr.count == w * h * 3 else {
            throw .badInput("expected \(w)×\(h) BGR pixels (\(w * h * 3) bytes), got \(bgr.count) bytes")
        }
        guard paddedWidth >= w, paddedHeight >= h else { throw .badInput("\(w)×\(h) pixels do not fit a \(paddedWidth)×\(paddedHeight) input") }
        let plane = paddedWidth * paddedHeight
        var data = [Float](repeating: padding, count: 3 * plane)
        data.withUnsafeMutableBufferPointer { out in
            bgr.withUnsafeBufferPointer { pixels in
                for y in 0..<h {
                    let row = y * w * 3, target = y * paddedWidth
                    for x in 0..<w {
                        let p = row + x * 3
                        out[target + x] = Float(pixels[p])
                        out[plane + target + x] = Float(pixels[p + 1])
                        out[2 * plane + target + x] = Float(pixels[p + 2])
                    }
                }
            }
        }
        return try Tensor(shape: [1, 3, paddedHeight, paddedWidth], data: data)
    }
}
