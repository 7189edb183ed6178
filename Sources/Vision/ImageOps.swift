/// Small image operations the detectors share. Loops run over unsafe buffers: at 384×288 and 5–10
/// frames per second per camera, every pass over the picture counts (see Benchmarks/README.md).
public enum ImageOps {
    /// Halves both dimensions by averaging 2×2 blocks (one pyramid level).
    public static func downsample(_ image: GrayImage) -> GrayImage {
        let w = image.width / 2, h = image.height / 2
        var out = [UInt8](repeating: 0, count: max(w * h, 0))
        guard w > 0, h > 0 else { return GrayImage(width: max(w, 1), height: max(h, 1)) }
        image.pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                let sw = image.width
                for y in 0..<h {
                    let r0 = 2 * y * sw, r1 = r0 + sw
                    for x in 0..<w {
                        let s = Int(src[r0 + 2 * x]) + Int(src[r0 + 2 * x + 1]) + Int(src[r1 + 2 * x]) + Int(src[r1 + 2 * x + 1])
                        dst[y * w + x] = UInt8(truncatingIfNeeded: (s + 2) >> 2)
                    }
                }
            }
        }
        return GrayImage(width: w, height: h, pixels: out)
    }

    /// Sobel gradients (x and y, each in −1020…1020) of every interior pixel; the border is 0.
    public static func sobel(_ image: GrayImage, gx: inout [Int16], gy: inout [Int16]) {
        let w = image.width, h = image.height, n = w * h
        if gx.count != n { gx = [Int16](repeating: 0, count: n) }
        if gy.count != n { gy = [Int16](repeating: 0, count: n) }
        guard w >= 3, h >= 3 else { return }
        image.pixels.withUnsafeBufferPointer { p in
            gx.withUnsafeMutableBufferPointer { ox in
                gy.withUnsafeMutableBufferPointer { oy in
                    for y in 1..<(h - 1) {
                        let r = y * w
                        for x in 1..<(w - 1) {
                            let i = r + x
                            let a = Int(p[i - w - 1]), b = Int(p[i - w]), c = Int(p[i - w + 1])
                            let d = Int(p[i - 1]), f = Int(p[i + 1])
                            let g = Int(p[i + w - 1]), hh = Int(p[i + w]), k = Int(p[i + w + 1])
                            ox[i] = Int16(truncatingIfNeeded: (c + 2 * f + k) - (a + 2 * d + g))
                            oy[i] = Int16(truncatingIfNeeded: (g + 2 * hh + k) - (a + 2 * b + c))
                        }
                    }
                }
            }
        }
    }

    /// Marks in `out` (1/0) the pixels of `current` that differ by more than `threshold` from
    /// `reference` under a global light change (`current ≈ gain·reference + offset`); returns how many.
    @discardableResult
    public static func markDifferent(_ current: GrayImage, from reference: GrayImage, gain: Double, offset: Double,
                                     threshold: Int, into out: inout [UInt8]) -> Int {
        let n = current.pixels.count
        if out.count != n { out = [UInt8](repeating: 0, count: n) }
        // Fixed point (8 fractional bits) keeps the per-pixel loop in integers.
        let g = Int((gain * 256).rounded()), o = Int((offset * 256).rounded())
        var count = 0
        current.pixels.withUnsafeBufferPointer { cur in
            reference.pixels.withUnsafeBufferPointer { ref in
                out.withUnsafeMutableBufferPointer { out in
                    for i in 0..<min(n, ref.count) {
                        let d = Int(cur[i]) - ((Int(ref[i]) * g + o + 128) >> 8)
                        let hit = d > threshold || d < -threshold
                        out[i] = hit ? 1 : 0
                        count &+= hit ? 1 : 0
                    }
                }
            }
        }
        return count
    }
}
