import Foundation
import Media
import RetinaTestSupport
import Synchronization
import Testing
import Vocabulary

/// The decoded picture each analysed frame carries: what learned models and snapshots read.
@Suite struct DecodedPictureTests {
    /// Analysed frames of a clip made from `source` (an ffmpeg lavfi graph).
    func frames(_ source: String, fps: Double = 5, seconds: Double = 2) throws -> [CameraFrame] {
        let clip = Fixtures.temporaryDirectory() + "/clip.mp4"
        try Fixtures.makeClip(clip, seconds: seconds, source: source)
        let frames = Mutex<[CameraFrame]>([])
        let spec = IngestSpec(cameraId: "picture", url: StreamURL(clip), analysisFps: fps, analysisWidth: 160, pace: false,
                              skipNonReference: false, stopAtEnd: true)
        CameraIngest(spec: spec, onFrame: { f in frames.withLock { $0.append(f) } }).run()
        return frames.withLock { $0 }
    }

    static let redAndBlue = "color=c=red:size=320x240:rate=25,drawbox=x=160:y=0:w=160:h=240:color=blue:t=fill"

    /// Mean of each channel over packed 3-byte pixels.
    static func means(_ p: [UInt8]) -> (Double, Double, Double) {
        let n = Double(p.count / 3)
        var s = (0.0, 0.0, 0.0)
        for i in stride(from: 0, to: p.count, by: 3) { s.0 += Double(p[i]); s.1 += Double(p[i + 1]); s.2 += Double(p[i + 2]) }
        return (s.0 / n, s.1 / n, s.2 / n)
    }

    @Test func colourAtTheConsumersSizeInEitherOrder() throws {
        let frame = try #require(try frames(Self.redAndBlue).first)
        let picture = try #require(frame.picture)
        #expect(picture.width == 320 && picture.height == 240)
        let rgb = try #require(picture.pixels(.rgb, width: 64, height: 48))
        #expect(rgb.count == 64 * 48 * 3)
        // Left column red, right column blue (first and last pixel of the first row).
        #expect(rgb[0] > 200 && rgb[1] < 60 && rgb[2] < 60)
        #expect(rgb[63 * 3] < 60 && rgb[63 * 3 + 2] > 200)
        let bgr = try #require(picture.pixels(.bgr, width: 64, height: 48))
        // The same pixel, channels swapped (libswscale may round the two paths one level apart).
        #expect(abs(Int(bgr[0]) - Int(rgb[2])) <= 2 && abs(Int(bgr[2]) - Int(rgb[0])) <= 2 && bgr[2] > 200)
    }

    @Test func aCropIsTheRectangleAsked() throws {
        let picture = try #require(try frames(Self.redAndBlue).first?.picture)
        let left = try #require(picture.pixels(.rgb, width: 32, height: 32, crop: PictureRect(x: 0, y: 0, width: 150, height: 240)))
        let right = try #require(picture.pixels(.rgb, width: 32, height: 32, crop: PictureRect(x: 170, y: 40, width: 150, height: 200)))
        let l = Self.means(left), r = Self.means(right)
        #expect(l.0 > 200 && l.2 < 60, "left half is red: \(l)")
        #expect(r.0 < 60 && r.2 > 200, "right half is blue: \(r)")
        // Outside the picture or empty: refused, not clamped.
        #expect(picture.pixels(.rgb, width: 8, height: 8, crop: PictureRect(x: 300, y: 0, width: 40, height: 10)) == nil)
        #expect(picture.pixels(.rgb, width: 8, height: 8, crop: PictureRect(x: 0, y: 0, width: 0, height: 10)) == nil)
        #expect(picture.pixels(.rgb, width: 0, height: 8) == nil)
    }

    @Test func theJPEGIsOfTheWholePicture() throws {
        let picture = try #require(try frames(Self.redAndBlue).first?.picture)
        let jpeg = try #require(picture.jpeg())
        #expect(jpeg.prefix(3) == Data([0xFF, 0xD8, 0xFF]) && jpeg.suffix(2) == Data([0xFF, 0xD9]))
        // The frame header (SOF0) gives the full size, 320x240.
        let bytes = [UInt8](jpeg)
        let sof = try #require((0..<bytes.count - 9).first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xC0 })
        #expect(Int(bytes[sof + 5]) << 8 | Int(bytes[sof + 6]) == 240)
        #expect(Int(bytes[sof + 7]) << 8 | Int(bytes[sof + 8]) == 320)
    }

    /// The picture is of the very frame whose luma was analysed, not a neighbour.
    @Test func eachFramesPictureIsThatFrame() throws {
        let frames = try frames("testsrc2=size=320x240:rate=25", fps: 25, seconds: 1)
        #expect(frames.count == 25)
        func distance(_ a: [UInt8], _ b: [UInt8]) -> Double {
            Double(zip(a, b).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }) / Double(a.count)
        }
        for i in 1..<frames.count - 1 {
            let gray = try #require(frames[i].picture?.pixels(.gray, width: frames[i].width, height: frames[i].height))
            let own = distance(gray, frames[i].pixels)
            #expect(own < distance(gray, frames[i - 1].pixels) && own < distance(gray, frames[i + 1].pixels), "frame \(i)")
        }
    }
}
