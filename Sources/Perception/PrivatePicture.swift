/// The pictures a home camera may show of its resident (private by default), made from packed
/// 8-bit BGR pixels: masked zones (rasterised by the caller) blacked out of every picture, a blur that leaves nobody and
/// nothing recognisable (only where things are), and the skeleton drawn on black.
public enum PrivatePicture {
    /// Blacks out every pixel whose `inside` byte is not 0 (a row-major mask at the picture's size).
    public static func blacken(_ inside: [UInt8], in bgr: inout [UInt8], width: Int, height: Int) {
        precondition(bgr.count == width * height * 3 && inside.count == width * height, "masking \(bgr.count) bytes, not \(width)×\(height) BGR")
        for p in inside.indices where inside[p] != 0 { bgr[p * 3] = 0; bgr[p * 3 + 1] = 0; bgr[p * 3 + 2] = 0 }
    }

    /// A blur of radius `width / blurDivisor`: a face spans a few of its radii at home-camera distances
    /// and comes out as a smudge of colour.
    public static let blurDivisor = 40

    /// Three box blurs each way (close to a Gaussian), radius `width / blurDivisor` (at least 2).
    public static func blur(_ bgr: inout [UInt8], width: Int, height: Int) {
        precondition(bgr.count == width * height * 3, "blurring \(bgr.count) bytes, not \(width)×\(height) BGR")
        let radius = max(2, width / blurDivisor)
        var line = [Int](repeating: 0, count: max(width, height) * 3)
        for _ in 0..<3 {
            boxPass(&bgr, count: height, length: width, stride: 3, lineStride: width * 3, radius: radius, scratch: &line)
            boxPass(&bgr, count: width, length: height, stride: width * 3, lineStride: 3, radius: radius, scratch: &line)
        }
    }

    /// One running-sum box blur along `count` lines of `length` pixels (edges clamped).
    private static func boxPass(_ bgr: inout [UInt8], count: Int, length: Int, stride: Int, lineStride: Int, radius: Int, scratch: inout [Int]) {
        let window = 2 * radius + 1
        bgr.withUnsafeMutableBufferPointer { pixels in
            for lineIndex in 0..<count {
                let base = lineIndex * lineStride
                for i in 0..<length {
                    for c in 0..<3 { scratch[i * 3 + c] = Int(pixels[base + i * stride + c]) }
                }
                for c in 0..<3 {
                    var sum = 0
                    for k in -radius...radius { sum += scratch[min(max(k, 0), length - 1) * 3 + c] }
                    for i in 0..<length {
                        pixels[base + i * stride + c] = UInt8((sum + window / 2) / window)
                        let out = min(max(i - radius, 0), length - 1), into = min(i + radius + 1, length - 1)
                        sum += scratch[into * 3 + c] - scratch[out * 3 + c]
                    }
                }
            }
        }
    }

    /// The skeleton drawn for a person to read at a glance: strokes about a 300th of the picture wide.
    public static func drawSkeleton(_ pose: Pose, on bgr: inout [UInt8], width: Int, height: Int) {
        PoseDrawing.draw(pose, on: &bgr, width: width, height: height, region: false, thickness: max(0, width / 320 - 1))
    }

    /// The skeleton alone, drawn on black at the picture's size: where the body is and how it lies.
    public static func skeleton(_ pose: Pose, width: Int, height: Int) -> [UInt8] {
        var canvas = [UInt8](repeating: 0, count: width * height * 3)
        drawSkeleton(pose, on: &canvas, width: width, height: height)
        return canvas
    }
}
