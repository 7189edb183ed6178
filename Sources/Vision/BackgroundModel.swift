/// The empty scene as a per-pixel approximate median (McFarlane & Schofield): each frame moves every
/// background pixel a few grey levels towards the current frame, so a person walking through never
/// becomes background, while slow changes (shadows, parked objects) are absorbed at `adaptRate`.
///
/// Global light changes (auto exposure, a cloud, IR switch) are taken out first: the current frame is
/// compared with `gain·background + offset`, fitted over the whole picture, and the background follows
/// that fit at once, so a light change is never foreground.
public struct BackgroundModel: Sendable {
    public struct Parameters: Sendable, Equatable, Codable {
        /// Grey levels per second the background moves towards the current frame: slow, so that a
        /// crowd that stops and waits stays foreground for minutes (a dark person on a light floor,
        /// 80 levels apart, takes 160 s to fade), while global light changes are followed at once
        /// by the gain/offset fit.
        public var adaptRate: Double = 0.5
        /// Faster rate while warming up, so that people in the first frame do not leave ghosts for long.
        public var warmupRate: Double = 40
        public var warmupSeconds: Double = 3
        /// Per-pixel difference (0–255) from the compensated background that counts as foreground.
        public var threshold: Int = 18
        public init() {}
    }

    public let parameters: Parameters
    public private(set) var width = 0
    public private(set) var height = 0
    public private(set) var background: [UInt8] = []
    /// 1 where the last frame differed from the background.
    public private(set) var foreground: [UInt8] = []
    public private(set) var foregroundFraction = 0.0
    public private(set) var gain = 1.0
    public private(set) var offset = 0.0
    /// Seconds of frames the model has learned from since it was (re)started.
    public private(set) var age = 0.0
    private var stepCredit = 0.0

    public init(parameters: Parameters = Parameters()) { self.parameters = parameters }

    public var isWarm: Bool { age >= parameters.warmupSeconds }

    /// Starts again from `image` (first frame, new segment, or the view changed for good).
    public mutating func reset(to image: GrayImage) {
        width = image.width
        height = image.height
        background = image.pixels
        foreground = [UInt8](repeating: 0, count: image.pixels.count)
        foregroundFraction = 0
        gain = 1
        offset = 0
        age = 0
        stepCredit = 0
    }

    /// Compares `image` with the background (marking `foreground`) and learns from it; `dt` is the
    /// time since the previous frame in seconds.
    public mutating func update(_ image: GrayImage, dt: Double) {
        guard image.width == width, image.height == height, !background.isEmpty else {
            reset(to: image)
            return
        }
        fitLight(image)
        let rate = age < parameters.warmupSeconds ? parameters.warmupRate : parameters.adaptRate
        stepCredit += rate * max(dt, 0)
        let steps = Int(stepCredit)
        stepCredit -= Double(steps)
        age += max(dt, 0)

        let g = Int((gain * 256).rounded()), o = Int((offset * 256).rounded())
        let threshold = parameters.threshold
        let n = image.pixels.count
        // Per pixel: predict it under the current light (8-bit fixed point), mark foreground, step
        // the background towards it (PixelKernels.backgroundStep).
        let count = image.pixels.withUnsafeBufferPointer { cur in
            background.withUnsafeMutableBufferPointer { bg in
                foreground.withUnsafeMutableBufferPointer { fg in
                    PixelKernels.backgroundStep(cur: cur, bg: bg, fg: fg, g: g, o: o, threshold: threshold, steps: steps)
                }
            }
        }
        foregroundFraction = Double(count) / Double(max(n, 1))
    }

    /// cur ≈ gain·bg + offset by least squares over a sample of pixels. Moving people are a minority
    /// of the picture, so they barely move the fit; a real light change moves every pixel.
    private mutating func fitLight(_ image: GrayImage) {
        var sb = 0, sc = 0, sbb = 0, sbc = 0, m = 0
        image.pixels.withUnsafeBufferPointer { cur in
            background.withUnsafeBufferPointer { bg in
                var i = 0
                while i < cur.count {
                    let b = Int(bg[i]), c = Int(cur[i])
                    sb &+= b; sc &+= c; sbb &+= b * b; sbc &+= b * c; m &+= 1
                    i += 3
                }
            }
        }
        let n = Double(max(m, 1))
        let mb = Double(sb) / n, mc = Double(sc) / n
        let varB = Double(sbb) / n - mb * mb, cov = Double(sbc) / n - mb * mc
        let fitted = varB > 4 ? cov / varB : 1
        gain = min(max(fitted, 0.5), 2)
        offset = mc - gain * mb
        // Small drifts are noise: keep the background as it is.
        if abs(gain - 1) < 0.02 && abs(offset) < 1.5 { gain = 1; offset = 0 }
    }
}
