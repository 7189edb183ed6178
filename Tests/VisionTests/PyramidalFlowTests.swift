import Testing
import Vision

/// Pyramidal Lucas–Kanade and its forward–backward check, on a textured picture moved by a known step.
@Suite struct PyramidalFlowTests {
    /// Blurred noise (a fixed seed): texture everywhere for the windows to lock on to.
    static func texture(width: Int, height: Int, shiftedBy sx: Int = 0, _ sy: Int = 0) -> GrayImage {
        let w = width + 16, h = height + 16
        var state: UInt32 = 12345
        let noise = (0..<(w * h)).map { _ -> Int in state = state &* 1_664_525 &+ 1_013_904_223; return Int(state >> 24) }
        var pixels = [UInt8](repeating: 0, count: width * height)
        for y in 0..<height {
            for x in 0..<width {
                // The picture at (x, y) shows what the unshifted one shows at (x − sx, y − sy).
                let cx = x - sx + 8, cy = y - sy + 8
                var sum = 0
                for dy in -1...1 { for dx in -1...1 { sum += noise[(cy + dy) * w + cx + dx] } }
                pixels[y * width + x] = UInt8(sum / 9)
            }
        }
        return GrayImage(width: width, height: height, pixels: pixels)
    }

    static func pyramid(_ image: GrayImage, levels: Int = 3) -> [GrayImage] {
        var out = [image]
        while out.count < levels { out.append(ImageOps.downsample(out[out.count - 1])) }
        return out
    }

    /// Texture at every scale, as a street has (people, paving, shadows): blobs of 24 px and 8 px
    /// over fine noise, so that a pyramid's coarse levels have something to follow too.
    static func landscape(width: Int, height: Int, shiftedBy sx: Int = 0, _ sy: Int = 0) -> GrayImage {
        let margin = 64, bigW = width + 2 * margin, bigH = height + 2 * margin
        let fine = texture(width: bigW, height: bigH)
        var state: UInt32 = 777
        func blobs(_ cell: Int) -> (Int, Int) -> Double {
            let gw = bigW / cell + 2, gh = bigH / cell + 2
            let grid = (0..<(gw * gh)).map { _ -> Double in state = state &* 1_664_525 &+ 1_013_904_223; return Double(state >> 24) }
            return { x, y in
                let fx = Double(x) / Double(cell), fy = Double(y) / Double(cell)
                let x0 = Int(fx), y0 = Int(fy), ax = fx - Double(x0), ay = fy - Double(y0)
                let top = grid[y0 * gw + x0] * (1 - ax) + grid[y0 * gw + x0 + 1] * ax
                let bottom = grid[(y0 + 1) * gw + x0] * (1 - ax) + grid[(y0 + 1) * gw + x0 + 1] * ax
                return top * (1 - ay) + bottom * ay
            }
        }
        let big = blobs(24), small = blobs(8)
        var pixels = [UInt8](repeating: 0, count: width * height)
        for y in 0..<height {
            for x in 0..<width {
                let X = x - sx + margin, Y = y - sy + margin
                let v = 128 + 0.5 * (big(X, Y) - 128) + 0.4 * (small(X, Y) - 128) + Double(fine.pixels[Y * bigW + X]) - 128
                pixels[y * width + x] = UInt8(min(max(v, 0), 255))
            }
        }
        return GrayImage(width: width, height: height, pixels: pixels)
    }

    @Test func eachLevelDoublesHowFarAPointIsFollowed() {
        // 36 px between two looked-at frames: a runner near the camera at 384 px and 5 frames a
        // second. Four levels do not reach it; five do (SceneModel's default).
        let points = stride(from: 60, to: 150, by: 10).flatMap { y in stride(from: 80, to: 300, by: 12).map { (x: $0, y: y) } }
        func followed(levels: Int) -> Int {
            let before = Self.pyramid(Self.landscape(width: 384, height: 216), levels: levels)
            let after = Self.pyramid(Self.landscape(width: 384, height: 216, shiftedBy: 36, 4), levels: levels)
            return PyramidalFlow().track(points, previous: before, current: after).filter { abs($0.dx - 36) < 1 && abs($0.dy - 4) < 1 }.count
        }
        let four = followed(levels: 4), five = followed(levels: 5)
        #expect(five >= points.count * 9 / 10, "five levels followed \(five) of \(points.count)")
        #expect(four <= points.count / 2, "four levels followed \(four) of \(points.count)")
    }

    @Test func levelsTooSmallForTheWindowAreSkippedNotFatal() throws {
        // 64×40 in five levels: the last two (8×5, 4×2) cannot hold a 9×9 window. Tracking starts
        // at the coarsest one that can, and a small step is still followed.
        let before = Self.pyramid(Self.texture(width: 64, height: 40), levels: 5)
        let after = Self.pyramid(Self.texture(width: 64, height: 40, shiftedBy: 2, 1), levels: 5)
        let vectors = PyramidalFlow().track([(x: 24, y: 20), (x: 32, y: 16), (x: 40, y: 24)], previous: before, current: after)
        try #require(vectors.count == 3)
        #expect(vectors.allSatisfy { abs($0.dx - 2) < 0.5 && abs($0.dy - 1) < 0.5 }, "\(vectors.map { ($0.dx, $0.dy) })")
        // Nothing fits at all: every point is unfollowed, one answer per point.
        let tiny = Self.pyramid(Self.texture(width: 10, height: 10), levels: 1)
        #expect(PyramidalFlow().trackEach([(x: 5, y: 5)], previous: tiny, current: tiny).count == 1)
    }

    @Test func aVectorThatMovedWithThePictureComesBackAndAWrongOneDoesNot() throws {
        let before = Self.pyramid(Self.texture(width: 96, height: 72))
        let after = Self.pyramid(Self.texture(width: 96, height: 72, shiftedBy: 3, 2))
        let flow = PyramidalFlow()
        let points = stride(from: 20, to: 60, by: 8).flatMap { y in stride(from: 20, to: 76, by: 8).map { (x: $0, y: y) } }
        let vectors = flow.track(points, previous: before, current: after)
        try #require(vectors.count >= points.count * 9 / 10)
        #expect(vectors.allSatisfy { abs($0.dx - 3) < 0.5 && abs($0.dy - 2) < 0.5 }, "\(vectors.map { ($0.dx, $0.dy) })")
        let back = flow.returns(vectors, previous: before, current: after, tolerance: 2)
        #expect(back.filter { $0 }.count >= vectors.count * 9 / 10)
        // The same points said to have moved twice as far and then some (as a window holding two
        // motions can say): tracked back from there, they do not land where they started.
        let wrong = vectors.map { PyramidalFlow.Vector(x: $0.x, y: $0.y, dx: $0.dx + 6, dy: $0.dy - 4) }
        let wrongBack = flow.returns(wrong, previous: before, current: after, tolerance: 2)
        #expect(wrongBack.filter { $0 }.count <= wrong.count / 10, "\(wrongBack.filter { $0 }.count) of \(wrong.count) came back")
    }

    @Test func aVectorThatEndsOnBareGroundOrOffThePictureDoesNotComeBack() throws {
        // The right half of the later picture is bare (flat grey): the texture there was not
        // moved, it went. A vector said to end there cannot be tracked back, and does not return,
        // nor does one said to end past the picture's edge (PETS: a man walking out at the edge).
        let before = Self.pyramid(Self.texture(width: 96, height: 72))
        var moved = Self.texture(width: 96, height: 72, shiftedBy: 3, 2)
        for y in 0..<72 { for x in 48..<96 { moved.pixels[y * 96 + x] = 128 } }
        let after = Self.pyramid(moved)
        let flow = PyramidalFlow()
        let onBare = [(x: 24, y: 24), (x: 24, y: 40), (x: 32, y: 32)].map { PyramidalFlow.Vector(x: $0.x, y: $0.y, dx: 40, dy: 4) }
        #expect(flow.returns(onBare, previous: before, current: after, tolerance: 2) == [false, false, false])
        let offThePicture = [PyramidalFlow.Vector(x: 80, y: 30, dx: 20, dy: 0), PyramidalFlow.Vector(x: 40, y: 60, dx: 0, dy: 15)]
        #expect(flow.returns(offThePicture, previous: before, current: after, tolerance: 2) == [false, false])
        // Where the texture stayed, the same check still lets the true vectors through.
        let kept = flow.track([(x: 20, y: 20), (x: 28, y: 36)], previous: before, current: after)
        #expect(flow.returns(kept, previous: before, current: after, tolerance: 2) == [true, true])
    }
}
