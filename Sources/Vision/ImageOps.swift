/// Small image operations the detectors share. Loops run over unsafe buffers: at 384×288 and 5–10
/// frames per second per camera, every pass over the picture counts (see Benchmarks/README.md).
public enum ImageOps {
    /// Halves both dimensions by averaging 2×2 blocks (one pyramid level).
    public static func downsample(_ image: GrayImage) -> GrayImage {
        let w = image.width / 2, h = image.height / 2
        guard w > 0, h > 0 else { return GrayImage(width: max(w, 1), height: max(h, 1)) }
        var out = [UInt8](repeating: 0, count: w * h)
        image.pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                PixelKernels.downsample(src, width: image.width, into: dst, width: w, height: h)
            }
        }
        return GrayImage(width: w, height: h, pixels: out)
    }

    /// Marks in `edges` (1/0) the pixels whose Sobel magnitude |gx| + |gy| (0–2040) exceeds
    /// `threshold`; the border has no gradient. Returns the sum of the magnitudes.
    @discardableResult
    public static func sobelEdges(_ image: GrayImage, threshold: Int, into edges: inout [UInt8]) -> Int {
        let n = image.width * image.height
        if edges.count != n { edges = [UInt8](repeating: 0, count: n) }
        return image.pixels.withUnsafeBufferPointer { p in
            edges.withUnsafeMutableBufferPointer { out in
                PixelKernels.sobelEdges(p, width: image.width, height: image.height, threshold: threshold, edges: out)
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
        return current.pixels.withUnsafeBufferPointer { cur in
            reference.pixels.withUnsafeBufferPointer { ref in
                out.withUnsafeMutableBufferPointer { out in
                    PixelKernels.markDifferent(cur: cur, ref: ref, out: out, g: g, o: o, threshold: threshold)
                }
            }
        }
    }
}
