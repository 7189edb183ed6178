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

    @Test func aMaskedPolygonIsBlackAndNothingElseChanges() {
        let (w, h) = (64, 48)
        var bgr = [UInt8](repeating: 200, count: w * h * 3)
        // A triangle: its inside is black, the pixels outside keep their value.
        PrivatePicture.blacken([[(10, 10), (40, 10), (10, 40)]], in: &bgr, width: w, height: h)
        func at(_ x: Int, _ y: Int) -> UInt8 { bgr[(y * w + x) * 3] }
        #expect(at(12, 12) == 0 && at(20, 15) == 0 && at(11, 37) == 0)
        #expect(at(5, 5) == 200 && at(38, 38) == 200 && at(45, 12) == 200 && at(60, 40) == 200)
        let black = stride(from: 0, to: bgr.count, by: 3).filter { bgr[$0] == 0 }.count
        #expect(abs(black - 450) < 40, "\(black) pixels black, the triangle covers 450")
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
