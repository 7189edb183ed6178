import Perception
import Testing

/// The pictures a home camera may show: a masked zone is black, the blur leaves no detail.
@Suite struct PrivatePictureTests {
    /// A 1-pixel checkerboard with a white square: the finest detail there is.
    static func checker(_ w: Int, _ h: Int) -> [UInt8] {
        var bgr = [UInt8](repeating: 0, count: w * h * 3)
        for y in 0..<h { for x in 0..<w where (x + y) % 2 == 0 { for c in 0..<3 { bgr[(y * w + x) * 3 + c] = 255 } } }
        return bgr
    }

    @Test func theMaskedPixelsAreBlackAndNothingElseChanges() {
        let (w, h) = (64, 48)
        var bgr = [UInt8](repeating: 200, count: w * h * 3)
        // A block of the mask (as Vision's ZoneMask rasterises a zone): black in every channel.
        var inside = [UInt8](repeating: 0, count: w * h)
        for y in 10..<20 { for x in 30..<40 { inside[y * w + x] = 1 } }
        PrivatePicture.blacken(inside, in: &bgr, width: w, height: h)
        for y in 0..<h {
            for x in 0..<w {
                let expected: UInt8 = inside[y * w + x] != 0 ? 0 : 200
                #expect(bgr[(y * w + x) * 3] == expected && bgr[(y * w + x) * 3 + 2] == expected, "(\(x), \(y))")
            }
        }
    }

    @Test func theBlurLeavesNoFineDetail() {
        let (w, h) = (320, 240)
        var bgr = Self.checker(w, h)
        PrivatePicture.blur(&bgr, width: w, height: h)
        // Away from the edges every pixel is the checkerboard's mean grey, within a step.
        var worst = 0
        for y in 20..<(h - 20) { for x in 20..<(w - 20) { worst = max(worst, abs(Int(bgr[(y * w + x) * 3]) - 128)) } }
        #expect(worst <= 2, "a pixel is \(worst) from the mean grey")
        // A white square a 20th of the width wide (a face across the room) is smeared to under half its contrast.
        var square = [UInt8](repeating: 0, count: w * h * 3)
        for y in 100..<116 { for x in 150..<166 { for c in 0..<3 { square[(y * w + x) * 3 + c] = 255 } } }
        PrivatePicture.blur(&square, width: w, height: h)
        #expect(square[(108 * w + 158) * 3] < 128, "the square's centre is still \(square[(108 * w + 158) * 3])")
    }
}
