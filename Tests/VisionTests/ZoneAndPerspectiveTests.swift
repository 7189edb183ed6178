import Testing
import Vision

@Suite struct ZoneMaskTests {
    @Test func rectangleCoversExactlyItsPixels() {
        // A 200×100 rectangle in a 768×576 picture, rasterised at 384×288 (half size): 100×50 pixels.
        let zone = Zone(id: "r", polygon: [Point(x: 100, y: 100), Point(x: 300, y: 100), Point(x: 300, y: 200), Point(x: 100, y: 200)])
        let mask = ZoneMask(zone: zone, sourceWidth: 768, sourceHeight: 576, width: 384, height: 288)
        #expect(mask.pixelCount == 100 * 50)
        #expect(mask.inside[75 * 384 + 100] == 1)
        #expect(mask.inside[75 * 384 + 49] == 0)
        #expect(mask.inside[49 * 384 + 100] == 0)
    }

    @Test func triangleIsAboutHalfItsBox() {
        let zone = Zone(id: "t", polygon: [Point(x: 0, y: 0), Point(x: 200, y: 0), Point(x: 0, y: 200)])
        let mask = ZoneMask(zone: zone, sourceWidth: 200, sourceHeight: 200, width: 200, height: 200)
        #expect(abs(mask.pixelCount - 20_000) < 300)
    }

    @Test func wholePictureZone() {
        let mask = ZoneMask(zone: .whole(width: 640, height: 360), sourceWidth: 640, sourceHeight: 360, width: 320, height: 180)
        #expect(mask.pixelCount == 320 * 180)
    }
}

@Suite struct PerspectiveTests {
    @Test func interpolatesAndExtrapolatesLinearly() {
        // The PETS 2009 calibration of ../shared/data.
        let p = Perspective(samples: [.init(footY: 105, heightPx: 35), .init(footY: 365, heightPx: 90)])
        #expect(abs(p.personHeight(atRow: 105) - 35) < 1e-9)
        #expect(abs(p.personHeight(atRow: 365) - 90) < 1e-9)
        #expect(abs(p.personHeight(atRow: 235) - 62.5) < 1e-9)
        #expect(p.personHeight(atRow: -10_000) == 1)
    }
}
