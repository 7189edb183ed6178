/// An 8-bit single-channel image, rows packed. The only picture type the detectors see.
public struct GrayImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height, "GrayImage: \(pixels.count) bytes for \(width)x\(height)")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    public init(width: Int, height: Int, fill: UInt8 = 0) {
        self.init(width: width, height: height, pixels: [UInt8](repeating: fill, count: width * height))
    }

    @inlinable public subscript(x: Int, y: Int) -> UInt8 {
        get { pixels[y * width + x] }
        set { pixels[y * width + x] = newValue }
    }

    /// Mean intensity (0–255).
    public var mean: Double {
        var sum = 0
        for p in pixels { sum &+= Int(p) }
        return pixels.isEmpty ? 0 : Double(sum) / Double(pixels.count)
    }
}

/// An axis-aligned rectangle in pixel coordinates of some image.
public struct PixelRect: Sendable, Equatable, Codable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// The same rectangle in an image scaled by `sx`, `sy`.
    public func scaled(_ sx: Double, _ sy: Double) -> PixelRect {
        PixelRect(x: Int((Double(x) * sx).rounded()), y: Int((Double(y) * sy).rounded()),
                  width: Int((Double(width) * sx).rounded()), height: Int((Double(height) * sy).rounded()))
    }
}
