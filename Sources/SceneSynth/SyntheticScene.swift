import Vision

/// A figure walking across a synthetic scene: feet at (`x`, `y`) in pixels at time 0, moving at
/// (`vx`, `vy`) pixels per second. Its height comes from the scene's perspective.
public struct Figure: Sendable, Equatable {
    public var x: Double
    public var y: Double
    public var vx: Double
    public var vy: Double
    /// Body intensity (0–255); the background is mid-grey texture, so figures are darker or lighter.
    public var intensity: UInt8
    /// Moves only between these times (seconds) and stands still before and after: people who
    /// gather and wait, or who break into a run.
    public var moveFrom: Double
    public var moveUntil: Double

    public init(x: Double, y: Double, vx: Double = 0, vy: Double = 0, intensity: UInt8 = 40,
                moveFrom: Double = 0, moveUntil: Double = .infinity) {
        self.x = x
        self.y = y
        self.vx = vx
        self.vy = vy
        self.intensity = intensity
        self.moveFrom = moveFrom
        self.moveUntil = moveUntil
    }

    public func position(at t: Double) -> (x: Double, y: Double) {
        let moving = max(0, min(t, moveUntil) - moveFrom)
        return (x + vx * moving, y + vy * moving)
    }
}

/// Synthetic camera frames with a known number of figures and known motion, for unit tests that
/// must fail when a detector is wrong. Deterministic for a given seed.
public struct SyntheticScene: Sendable {
    public var width: Int
    public var height: Int
    public var fps: Double
    public var figures: [Figure]
    public var perspective: Perspective
    /// Amplitude of per-pixel sensor noise (uniform ±noise).
    public var noise: Int
    /// Global brightness offset as a function of time (light changes, auto exposure).
    public var brightness: @Sendable (Double) -> Double
    public let seed: UInt64
    private let background: [UInt8]

    public init(width: Int = 384, height: Int = 216, fps: Double = 5, figures: [Figure] = [],
                perspective: Perspective = Perspective(samples: [.init(footY: 0, heightPx: 20), .init(footY: 216, heightPx: 60)]),
                noise: Int = 3, seed: UInt64 = 1, brightness: @escaping @Sendable (Double) -> Double = { _ in 0 }) {
        self.width = width
        self.height = height
        self.fps = fps
        self.figures = figures
        self.perspective = perspective
        self.noise = noise
        self.seed = seed
        self.brightness = brightness
        // Paving-like texture: smooth gradients plus a tile pattern, so differencing has real edges.
        var rng = SplitMix64(seed: seed)
        var bg = [UInt8](repeating: 0, count: width * height)
        let tile = 24
        var tileShade = [Int](repeating: 0, count: (width / tile + 1) * (height / tile + 1))
        for i in tileShade.indices { tileShade[i] = Int(rng.next() % 30) - 15 }
        // Stains and wear in 6-pixel blocks: real paving is not a periodic pattern (and a periodic
        // one would alias optical flow).
        let blotch = 6
        var blotches = [Int](repeating: 0, count: (width / blotch + 1) * (height / blotch + 1))
        for i in blotches.indices { blotches[i] = Int(rng.next() % 21) - 10 }
        for y in 0..<height {
            for x in 0..<width {
                let base = 130 + (x * 20) / max(width, 1) - (y * 15) / max(height, 1)
                    + blotches[(y / blotch) * (width / blotch + 1) + x / blotch]
                let t = tileShade[(y / tile) * (width / tile + 1) + x / tile]
                let grout = (x % tile == 0 || y % tile == 0) ? -25 : 0
                bg[y * width + x] = UInt8(clamping: base + t + grout)
            }
        }
        background = bg
    }

    /// The time of frame `index`.
    public func time(ofFrame index: Int) -> Double { Double(index) / fps }

    /// Figures whose feet are inside the picture at time `t`.
    public func visibleCount(at t: Double) -> Int {
        figures.filter {
            let p = $0.position(at: t)
            return p.x >= 0 && p.x < Double(width) && p.y >= 0 && p.y < Double(height)
        }.count
    }

    /// Renders frame `index`: background, figures (an elliptic body and a head, sized by perspective),
    /// global brightness, then noise.
    public func render(frame index: Int) -> GrayImage {
        let t = time(ofFrame: index)
        var pixels = background
        for figure in figures {
            let p = figure.position(at: t)
            let h = perspective.personHeight(atRow: p.y)
            let bodyW = h * 0.32, headR = h * 0.09
            let top = p.y - h
            let bodyCy = top + headR * 2 + (h - headR * 2) / 2, bodyRy = (h - headR * 2) / 2
            let x0 = max(0, Int(p.x - bodyW)), x1 = min(width - 1, Int(p.x + bodyW))
            let y0 = max(0, Int(top)), y1 = min(height - 1, Int(p.y))
            guard x0 <= x1, y0 <= y1 else { continue }
            for y in y0...y1 {
                for x in x0...x1 {
                    let dx = Double(x) - p.x, dy = Double(y) - bodyCy
                    let inBody = (dx * dx) / (bodyW * bodyW / 4) + (dy * dy) / (bodyRy * bodyRy) <= 1
                    let hy = Double(y) - (top + headR)
                    let inHead = dx * dx + hy * hy <= headR * headR
                    // Clothes have folds and stripes: texture that moves with the body, as optical
                    // flow sees on real people.
                    let stripe = ((Int((Double(y) - top) / max(h * 0.08, 1)) + Int((Double(x) - p.x + 100) / max(h * 0.12, 1))) % 2) * 30
                    if inBody || inHead { pixels[y * width + x] = UInt8(clamping: Int(figure.intensity) + (inBody ? stripe : 0)) }
                }
            }
        }
        let offset = brightness(t)
        var rng = SplitMix64(seed: seed &+ UInt64(index) &* 0x9E37_79B9)
        for i in pixels.indices {
            let n = noise > 0 ? Int(rng.next() % UInt64(2 * noise + 1)) - noise : 0
            pixels[i] = UInt8(clamping: Int((Double(pixels[i]) + offset).rounded()) + n)
        }
        return GrayImage(width: width, height: height, pixels: pixels)
    }
}

/// A small deterministic PRNG (SplitMix64), so synthetic scenes are the same on every machine.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
