import Foundation
import Media
import Testing

/// Drawn pictures leave as PNG without losing a pixel, and as JPEG.
@Suite struct PackedPictureTests {
    @Test func aPNGReadsBackToTheSamePixels() throws {
        let (w, h) = (16, 8)
        var bgr = [UInt8](repeating: 0, count: w * h * 3)
        for i in 0..<(w * h) { bgr[i * 3] = UInt8(i % 256); bgr[i * 3 + 1] = UInt8((i * 7) % 256); bgr[i * 3 + 2] = 200 }
        let png = try #require(PackedPicture.png(bgr, layout: .bgr, width: w, height: h))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("packed-\(UUID().uuidString).png").path
        try png.write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let back = try PictureFile.read(path)
        #expect(back.width == w && back.height == h)
        #expect(back.pixels(.bgr, width: w, height: h) == bgr)
        #expect(PackedPicture.png([1, 2, 3], layout: .bgr, width: w, height: h) == nil)
        #expect(PackedPicture.jpeg(bgr, layout: .bgr, width: w, height: h)?.starts(with: [0xFF, 0xD8]) == true)
    }
}
