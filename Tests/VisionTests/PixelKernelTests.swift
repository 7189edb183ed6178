import Testing
@testable import Vision

/// The vectorised kernels against their scalar definitions (the loops they replaced), on random
/// pictures whose sizes leave tails after the 16-pixel blocks, with and without a light change.
@Suite struct PixelKernelTests {
    struct Rng {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 33
        }
        mutating func byte() -> UInt8 { UInt8(truncatingIfNeeded: next()) }
    }

    static func image(_ w: Int, _ h: Int, seed: UInt64) -> GrayImage {
        var rng = Rng(state: seed)
        // Smooth areas and noise: both sides of every threshold occur.
        var pixels = [UInt8](repeating: 0, count: w * h)
        for i in pixels.indices { pixels[i] = i % 7 == 0 ? rng.byte() : UInt8(truncatingIfNeeded: (i / 3) % 256) &+ rng.byte() % 24 }
        return GrayImage(width: w, height: h, pixels: pixels)
    }

    static let sizes = [(384, 216), (37, 19), (16, 3), (3, 3), (50, 1)]
    /// Light fits (gain·256, offset·256): none, an offset only, a gain change, extremes.
    static let fits = [(256, 0), (256, 700), (256, -1900), (282, -2300), (180, 9000), (512, -60000)]

    @Test func backgroundStepMatchesScalar() {
        for (w, h) in Self.sizes {
            for (g, o) in Self.fits {
                for (threshold, steps) in [(18, 0), (18, 1), (18, 8), (0, 300), (-3, 2), (5000, 1)] {
                    let cur = Self.image(w, h, seed: 1), start = Self.image(w, h, seed: 2).pixels
                    var bg = start, fg = [UInt8](repeating: 9, count: w * h)
                    let count = cur.pixels.withUnsafeBufferPointer { c in
                        bg.withUnsafeMutableBufferPointer { b in
                            fg.withUnsafeMutableBufferPointer { f in
                                PixelKernels.backgroundStep(cur: c, bg: b, fg: f, g: g, o: o, threshold: threshold, steps: steps)
                            }
                        }
                    }
                    var bg0 = start, fg0 = [UInt8](repeating: 0, count: w * h), count0 = 0
                    for i in 0..<(w * h) {
                        let p = min(max((Int(bg0[i]) * g + o + 128) >> 8, 0), 255)
                        let d = Int(cur.pixels[i]) - p
                        let hit = d > threshold || d < -threshold
                        fg0[i] = hit ? 1 : 0
                        count0 += hit ? 1 : 0
                        bg0[i] = UInt8(truncatingIfNeeded: p + min(max(d, -steps), steps))
                    }
                    #expect(bg == bg0 && fg == fg0 && count == count0, "\(w)x\(h) g \(g) o \(o) t \(threshold) s \(steps)")
                }
            }
        }
    }

    @Test func markDifferentMatchesScalar() {
        for (w, h) in Self.sizes {
            for (g, o) in Self.fits {
                for threshold in [14, 0, -1, 3000] {
                    let cur = Self.image(w, h, seed: 3), ref = Self.image(w, h, seed: 4)
                    var out: [UInt8] = []
                    let count = ImageOps.markDifferent(cur, from: ref, gain: Double(g) / 256, offset: Double(o) / 256,
                                                       threshold: threshold, into: &out)
                    var out0 = [UInt8](repeating: 0, count: w * h), count0 = 0
                    for i in 0..<(w * h) {
                        let d = Int(cur.pixels[i]) - ((Int(ref.pixels[i]) * g + o + 128) >> 8)
                        let hit = d > threshold || d < -threshold
                        out0[i] = hit ? 1 : 0
                        count0 += hit ? 1 : 0
                    }
                    #expect(out == out0 && count == count0, "\(w)x\(h) g \(g) o \(o) t \(threshold)")
                }
            }
        }
    }

    @Test func sobelEdgesMatchScalar() {
        for (w, h) in Self.sizes {
            for threshold in [160, 0, -1, 2040] {
                let image = Self.image(w, h, seed: 5)
                var edges: [UInt8] = []
                let energy = ImageOps.sobelEdges(image, threshold: threshold, into: &edges)
                var edges0 = [UInt8](repeating: 0, count: w * h), energy0 = 0
                for y in 0..<h {
                    for x in 0..<w {
                        var m = 0
                        if x > 0, y > 0, x < w - 1, y < h - 1 {
                            let p = { (dx: Int, dy: Int) in Int(image[x + dx, y + dy]) }
                            let gx = (p(1, -1) + 2 * p(1, 0) + p(1, 1)) - (p(-1, -1) + 2 * p(-1, 0) + p(-1, 1))
                            let gy = (p(-1, 1) + 2 * p(0, 1) + p(1, 1)) - (p(-1, -1) + 2 * p(0, -1) + p(1, -1))
                            m = abs(gx) + abs(gy)
                        }
                        energy0 += m
                        edges0[y * w + x] = m > threshold ? 1 : 0
                    }
                }
                #expect(edges == edges0 && energy == energy0, "\(w)x\(h) t \(threshold)")
            }
        }
    }

    @Test func downsampleMatchesScalar() {
        for (w, h) in Self.sizes + [(97, 40)] {
            let image = Self.image(w, h, seed: 6)
            let half = ImageOps.downsample(image)
            guard w / 2 > 0, h / 2 > 0 else { continue }
            var expected = [UInt8](repeating: 0, count: (w / 2) * (h / 2))
            for y in 0..<(h / 2) {
                for x in 0..<(w / 2) {
                    let s = Int(image[2 * x, 2 * y]) + Int(image[2 * x + 1, 2 * y]) + Int(image[2 * x, 2 * y + 1]) + Int(image[2 * x + 1, 2 * y + 1])
                    expected[y * (w / 2) + x] = UInt8((s + 2) >> 2)
                }
            }
            #expect(half.pixels == expected, "\(w)x\(h)")
        }
    }

    @Test func zoneCountsMatchScalar() {
        var rng = Rng(state: 7)
        for count in [0, 5, 16, 384, 4096 + 37, 16 * 300] {
            let inside = (0..<count).map { _ in UInt8(rng.next() % 3 == 0 ? 0 : 1) }
            let fg = (0..<count).map { _ in UInt8(rng.next() % 2) }
            let edges = (0..<count).map { _ in UInt8(rng.next() % 4 == 0 ? 1 : 0) }
            var expected = (0, 0, 0, 0)
            for i in 0..<count {
                let m = Int(inside[i]), a = Int(fg[i]), e = Int(edges[i])
                expected.0 += m; expected.1 += a & m; expected.2 += e & m; expected.3 += a & e & m
            }
            let got = inside.withUnsafeBufferPointer { m in
                fg.withUnsafeBufferPointer { a in
                    edges.withUnsafeBufferPointer { e in
                        PixelKernels.zoneCounts(inside: m.baseAddress ?? UnsafePointer(bitPattern: 1)!, fg: a.baseAddress ?? UnsafePointer(bitPattern: 1)!,
                                                edges: e.baseAddress ?? UnsafePointer(bitPattern: 1)!, offset: 0, count: count)
                    }
                }
            }
            #expect(got.inside == expected.0 && got.fg == expected.1 && got.edges == expected.2 && got.fgEdges == expected.3, "\(count)")
            let ones = inside.withUnsafeBufferPointer { m in m.baseAddress.map { PixelKernels.ones($0, offset: 0, count: count) } ?? 0 }
            #expect(ones == expected.0)
        }
    }
}
