import Inference
import Perception
import Testing
import Vocabulary

/// Letterbox, input tensor layout, tile plans: the geometry between a picture and a model's input.
@Suite struct GeometryTests {
    @Test func aWidePictureFillsTheWidthAndIsPaddedBelow() {
        let l = Letterbox(region: PictureRect(x: 0, y: 0, width: 1920, height: 1080), inputSize: 416)
        #expect(l.scaledWidth == 416 && l.scaledHeight == 234)
        let tall = Letterbox(region: PictureRect(x: 0, y: 0, width: 300, height: 600), inputSize: 416)
        #expect(tall.scaledWidth == 208 && tall.scaledHeight == 416)
        #expect(l.inputWidth == 416 && l.inputHeight == 416)
    }

    @Test func aFittedInputIsOnlyAsLargeAsThePictureNeedsInStepsOf32() {
        let wide = Letterbox(region: PictureRect(x: 0, y: 0, width: 1920, height: 1080), inputSize: 416, fitted: true)
        #expect(wide.scaledHeight == 234 && wide.inputWidth == 416 && wide.inputHeight == 256)
        let tall = Letterbox(region: PictureRect(x: 0, y: 0, width: 300, height: 600), inputSize: 416, fitted: true)
        #expect(tall.inputWidth == 224 && tall.inputHeight == 416)
        let square = Letterbox(region: PictureRect(x: 0, y: 0, width: 500, height: 500), inputSize: 416, fitted: true)
        #expect(square.inputWidth == 416 && square.inputHeight == 416)
        #expect(YOLOXDecoder.rows(width: 416, height: 256) == 52 * 32 + 26 * 16 + 13 * 8)
    }

    @Test func boxesMapBackToThePictureAndAgain() {
        let l = Letterbox(region: PictureRect(x: 100, y: 50, width: 800, height: 600), inputSize: 416)
        #expect(l.scaledWidth == 416 && l.scaledHeight == 312)
        // The input's corner and its scaled region's far corner are the region's corners.
        let full = l.toPicture(Box(x0: 0, y0: 0, x1: 416, y1: 312))
        #expect(full == Box(x0: 100, y0: 50, x1: 900, y1: 650))
        let box = Box(x0: 10, y0: 20, x1: 100.5, y1: 300)
        let back = l.toInput(l.toPicture(box))
        for (a, b) in [(back.x0, box.x0), (back.y0, box.y0), (back.x1, box.x1), (back.y1, box.y1)] { #expect(abs(a - b) < 1e-9) }
        #expect(abs(l.toPicture(box).x0 - (100 + 10 * 800.0 / 416)) < 1e-9)
    }

    @Test func theTensorIsPlanarBGRPaddedWith114() throws {
        let l = Letterbox(region: PictureRect(x: 0, y: 0, width: 64, height: 32), inputSize: 32)
        #expect(l.scaledWidth == 32 && l.scaledHeight == 16)
        var bgr = [UInt8](repeating: 0, count: 32 * 16 * 3)
        for i in stride(from: 0, to: bgr.count, by: 3) { bgr[i] = 10; bgr[i + 1] = 20; bgr[i + 2] = 30 }
        bgr[(3 * 32 + 5) * 3 + 2] = 250  // red of pixel (5, 3)
        let t = try InputTensor.nchw(bgr: bgr, letterbox: l)
        #expect(t.shape == [1, 3, 32, 32])
        #expect(t[0, 0, 0, 0] == 10 && t[0, 1, 0, 0] == 20 && t[0, 2, 0, 0] == 30)
        #expect(t[0, 2, 3, 5] == 250 && t[0, 0, 3, 5] == 10)
        // Below the picture (rows 16…31): padding in every plane.
        #expect(t[0, 0, 16, 0] == 114 && t[0, 1, 31, 31] == 114 && t[0, 2, 20, 3] == 114)
        #expect(throws: InferenceError.self) { try InputTensor.nchw(bgr: [1, 2, 3], letterbox: l) }
    }

    @Test func tileSettingsParse() {
        #expect(TileSetting("auto") == .auto)
        #expect(TileSetting("1") == .whole)
        #expect(TileSetting("2x2") == .grid(columns: 2, rows: 2))
        #expect(TileSetting("3X2") == .grid(columns: 3, rows: 2))
        for bad in ["", "0x2", "2x", "x2", "2x2x2", "9x1", "two"] { #expect(TileSetting(bad) == nil, "\(bad)") }
    }

    @Test func tilesOverlapAndCoverThePicture() {
        let plan = TilePlan(width: 1920, height: 1080, setting: .grid(columns: 2, rows: 2), inputSize: 416)
        #expect(plan.regions.count == 5)
        #expect(plan.regions[0] == PictureRect(x: 0, y: 0, width: 1920, height: 1080))
        let tiles = plan.regions.dropFirst()
        // 2 tiles of w over 1920 with 20 % of a tile shared: w = 1920 / 1.8.
        #expect(tiles.map(\.x).sorted() == [0, 0, 853, 853])
        #expect(tiles.allSatisfy { $0.x + $0.width <= 1920 && $0.y + $0.height <= 1080 })
        #expect(tiles.contains { $0.x + $0.width == 1920 && $0.y + $0.height == 1080 })
        let left = tiles.first { $0.x == 0 }!, right = tiles.first { $0.x > 0 }!
        // They share a fifth of a tile, to the pixel.
        #expect(abs(left.x + left.width - right.x - Int((0.2 * Double(left.width)).rounded())) <= 1)
    }

    @Test func autoTilesOnlyLargePictures() {
        #expect(TilePlan(width: 768, height: 576, setting: .auto, inputSize: 416).regions.count == 1)
        let hd = TilePlan(width: 1920, height: 1080, setting: .auto, inputSize: 416)
        #expect(hd.regions.count == 1 + 3 * 2)
        #expect(hd.regions.dropFirst().allSatisfy { $0.width <= 832 && $0.height <= 832 })
    }
}
