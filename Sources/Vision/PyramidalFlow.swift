/// Sparse optical flow by pyramidal Lucas–Kanade (Bouguet's formulation): each point's displacement
/// is estimated at the coarsest level first and refined level by level, so displacements of tens of
/// pixels are found with a small window.
public struct PyramidalFlow: Sendable {
    public struct Parameters: Sendable, Equatable, Codable {
        /// Window half-size in pixels (3 → 7×7) at every level.
        public var radius = 4
        public var iterations = 6
        /// Smallest eigenvalue of the window's structure tensor (per pixel, in grey-level² units):
        /// below it the window has no texture to track.
        public var minEigenvalue = 40.0
        public init() {}
    }

    /// A tracked point: where it was in the previous frame (level-0 pixels) and how far it moved.
    public struct Vector: Sendable, Equatable {
        public var x: Int
        public var y: Int
        public var dx: Float
        public var dy: Float

        public init(x: Int, y: Int, dx: Float, dy: Float) {
            self.x = x
            self.y = y
            self.dx = dx
            self.dy = dy
        }
    }

    public let parameters: Parameters
    public init(parameters: Parameters = Parameters()) { self.parameters = parameters }

    /// Tracks `points` (level-0 coordinates in the previous frame) from `previous` to `current`
    /// pyramids (same sizes, level 0 first). Points without texture or that leave the picture are dropped.
    public func track(_ points: [(x: Int, y: Int)], previous: [GrayImage], current: [GrayImage]) -> [Vector] {
        trackEach(points, previous: previous, current: current).compactMap { $0 }
    }

    /// Whether each vector's end, tracked back from `current` to `previous`, lands within
    /// `tolerance` pixels of where it started (the forward–backward check of Kalal et al., 2010).
    /// Lucas–Kanade goes wrong where its window holds two motions (people crossing) or loses what it
    /// held (a person leaving the picture), and such a vector mostly does not come back to its start.
    /// A vector whose end cannot be tracked back (no texture there, or outside the picture) does not
    /// return either: the start had texture (it was tracked), so a right end has it too; PETS' flow
    /// where people walk out at the edge jumps 50 px onto bare road.
    public func returns(_ vectors: [Vector], previous: [GrayImage], current: [GrayImage], tolerance: Float) -> [Bool] {
        let ends = vectors.map { (x: Int((Float($0.x) + $0.dx).rounded()), y: Int((Float($0.y) + $0.dy).rounded())) }
        let back = trackEach(ends, previous: current, current: previous)
        return zip(vectors, zip(ends, back)).map { v, eb in
            guard let b = eb.1 else { return false }
            let ex = Float(eb.0.x) + b.dx - Float(v.x), ey = Float(eb.0.y) + b.dy - Float(v.y)
            return ex * ex + ey * ey <= tolerance * tolerance
        }
    }

    /// `track`, one result per point: nil where it has no texture or leaves the picture.
    public func trackEach(_ points: [(x: Int, y: Int)], previous: [GrayImage], current: [GrayImage]) -> [Vector?] {
        let r = parameters.radius
        // A level too small to hold a window around a point is skipped (tracking starts below it),
        // not a reason to drop every point: a small analysis picture has few levels that fit.
        let levels = zip(previous, current).prefix { p, c in
            min(p.width, p.height, c.width, c.height) >= 2 * r + 4
        }.count
        guard levels > 0 else { return [Vector?](repeating: nil, count: points.count) }
        let side = 2 * r + 1
        // The window's template and gradients, written and read 81 times a level for every point:
        // plain memory, not arrays a closure captures (each write then checked its bounds and uniqueness).
        let window = UnsafeMutablePointer<Float>.allocate(capacity: 3 * side * side)
        defer { window.deallocate() }
        let template = window, ix = window + side * side, iy = window + 2 * side * side
        var out: [Vector?] = []
        out.reserveCapacity(points.count)
        let minEigen = Float(parameters.minEigenvalue) * Float(side * side)
        // At the coarsest level every point starts from no motion, so what it passes on depends on
        // its pixel there alone, and neighbouring grid points share that pixel (four of them at
        // level 4 on an 8 px grid): each pixel's answer is worked out once (NaN: not yet).
        let top = levels - 1
        var topGuess = [Float](repeating: .nan, count: top > 0 ? 2 * previous[top].width * previous[top].height : 0)

        for p in points {
            var gx: Float = 0, gy: Float = 0  // guess at the current level
            var ok = true
            for level in stride(from: top, through: 0, by: -1) {
                let prev = previous[level], cur = current[level]
                let w = prev.width, h = prev.height
                let scale = 1 << level
                let px = min(max((p.x + scale / 2) / scale, r + 1), w - r - 2)
                let py = min(max((p.y + scale / 2) / scale, r + 1), h - r - 2)
                guard px >= r + 1, py >= r + 1, px <= w - r - 2, py <= h - r - 2 else { ok = false; break }
                let shared = level == top && level > 0 ? 2 * (py * w + px) : -1
                if shared >= 0, !topGuess[shared].isNaN {
                    gx = topGuess[shared]; gy = topGuess[shared + 1]
                    continue
                }
                defer { if shared >= 0 { topGuess[shared] = gx; topGuess[shared + 1] = gy } }
                var gxx: Float = 0, gxy: Float = 0, gyy: Float = 0
                prev.pixels.withUnsafeBufferPointer { P in
                    var k = 0
                    for wy in -r...r {
                        let row = (py + wy) * w
                        for wx in -r...r {
                            let i = row + px + wx
                            let a = Float(P[i + 1]) - Float(P[i - 1])
                            let b = Float(P[i + w]) - Float(P[i - w])
                            template[k] = Float(P[i])
                            ix[k] = a * 0.5
                            iy[k] = b * 0.5
                            gxx += ix[k] * ix[k]; gxy += ix[k] * iy[k]; gyy += iy[k] * iy[k]
                            k += 1
                        }
                    }
                }
                let det = gxx * gyy - gxy * gxy
                let trace = gxx + gyy
                let minEig = (trace - (trace * trace - 4 * det).squareRoot()) / 2
                if minEig < minEigen || det <= 0 {
                    if level == 0 { ok = false }
                    gx *= 2; gy *= 2
                    continue
                }
                var dx = gx, dy = gy
                cur.pixels.withUnsafeBufferPointer { C in
                    for _ in 0..<parameters.iterations {
                        let cx = Float(px) + dx, cy = Float(py) + dy
                        let x0f = (cx - Float(r)).rounded(.down), y0f = (cy - Float(r)).rounded(.down)
                        let x0 = Int(x0f), y0 = Int(y0f)
                        // Off the picture at a coarse level (a few pixels wide): keep the estimate
                        // so far for the finer levels; at full size the point left the picture.
                        guard x0 >= 0, y0 >= 0, x0 + side < w, y0 + side < h else { if level == 0 { ok = false }; return }
                        let fx = cx - Float(r) - x0f, fy = cy - Float(r) - y0f
                        let w00 = (1 - fx) * (1 - fy), w10 = fx * (1 - fy), w01 = (1 - fx) * fy, w11 = fx * fy
                        var bx: Float = 0, by: Float = 0
                        var k = 0
                        for wy in 0..<side {
                            let row = (y0 + wy) * w + x0
                            for wx in 0..<side {
                                let i = row + wx
                                let j = w00 * Float(C[i]) + w10 * Float(C[i + 1]) + w01 * Float(C[i + w]) + w11 * Float(C[i + w + 1])
                                let e = template[k] - j
                                bx += e * ix[k]; by += e * iy[k]
                                k += 1
                            }
                        }
                        let ddx = (gyy * bx - gxy * by) / det
                        let ddy = (gxx * by - gxy * bx) / det
                        dx += ddx; dy += ddy
                        if ddx * ddx + ddy * ddy < 0.0009 { break }
                    }
                }
                if !ok { break }
                if level > 0 { gx = dx * 2; gy = dy * 2 } else { gx = dx; gy = dy }
            }
            out.append(ok && gx.isFinite && gy.isFinite ? Vector(x: p.x, y: p.y, dx: gx, dy: gy) : nil)
        }
        return out
    }
}
