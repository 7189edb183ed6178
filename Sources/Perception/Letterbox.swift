import Vocabulary

/// How a picture (or a tile of it) fits a model input without distortion: scaled by one factor
/// until its longer side fills the input's side, placed at the top left, and padded at the right
/// and bottom (YOLOX's own preprocessing). The input is square, or `fitted`: its shorter side only
/// as long as the scaled picture needs, rounded up to a multiple of 32 (a 16:9 picture at 416 is
/// 416×256, not 416×416 of which 43 % padding). Maps boxes from input pixels back to the picture.
public struct Letterbox: Sendable, Equatable {
    /// The region of the picture that is fitted, in picture pixels.
    public let region: PictureRect
    /// The model's input side, in pixels: the longer side of the input.
    public let inputSize: Int
    /// The input's size: `inputSize` square, or fitted to the scaled region.
    public let inputWidth: Int
    public let inputHeight: Int
    /// Input pixels per picture pixel.
    public let scale: Double
    /// The scaled region's size inside the input; the rest is padding.
    public let scaledWidth: Int
    public let scaledHeight: Int

    public init(region: PictureRect, inputSize: Int, fitted: Bool = false) {
        precondition(region.width > 0 && region.height > 0 && inputSize > 0, "letterbox of an empty region \(region)")
        self.region = region
        self.inputSize = inputSize
        scale = min(Double(inputSize) / Double(region.width), Double(inputSize) / Double(region.height))
        // At least one pixel, never more than the input (rounding must not overflow the canvas).
        scaledWidth = min(inputSize, max(1, Int((Double(region.width) * scale).rounded())))
        scaledHeight = min(inputSize, max(1, Int((Double(region.height) * scale).rounded())))
        let roundUp = { (n: Int) in min(inputSize, (n + 31) / 32 * 32) }
        inputWidth = fitted ? roundUp(scaledWidth) : inputSize
        inputHeight = fitted ? roundUp(scaledHeight) : inputSize
    }

    /// A box in input pixels as picture pixels (not cut to the region).
    public func toPicture(_ box: Box) -> Box {
        // The scale actually applied on each axis, after rounding the scaled size.
        let sx = Double(scaledWidth) / Double(region.width), sy = Double(scaledHeight) / Double(region.height)
        return Box(x0: Double(region.x) + box.x0 / sx, y0: Double(region.y) + box.y0 / sy,
                   x1: Double(region.x) + box.x1 / sx, y1: Double(region.y) + box.y1 / sy)
    }

    /// A box in picture pixels as input pixels: the inverse of `toPicture`.
    public func toInput(_ box: Box) -> Box {
        let sx = Double(scaledWidth) / Double(region.width), sy = Double(scaledHeight) / Double(region.height)
        return Box(x0: (box.x0 - Double(region.x)) * sx, y0: (box.y0 - Double(region.y)) * sy,
                   x1: (box.x1 - Double(region.x)) * sx, y1: (box.y1 - Double(region.y)) * sy)
    }
}
