import Foundation
import Inference
import Media
import ModelStore
import Perception
import Testing
import Vocabulary
import Worker

/// The whole chain on a real frame: PETS 2009 S2.L1 (Streams/pets-walk.mp4 frame 100, scaled by
/// ffmpeg to 416×312, PNG so every decoder reads the same bytes) through Media, Worker's adapter,
/// the letterbox, YOLOX-Nano in ONNX Runtime, decoding and NMS. Needs the ORT library.
@Suite struct ChainTests {
    static let frame = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/pets-frame100-416x312.png").path

    /// Python's onnxruntime 1.31.1 on the same picture (PIL, BGR planes, rows 312…415 set to 114):
    /// rows of the 3549×85 output, first six values (cx, cy, w, h, objectness, person).
    static let python: [(row: Int, values: [Float])] = [
        (908, [0.52304, -1.02992, 0.80314, 1.66637, 0.97126, 0.83512]),
        (717, [-0.10810, 0.21280, 0.79629, 1.72269, 0.97923, 0.81909]),
        (1000, [0.13422, -1.11598, 0.85585, 0.48814, 0.03878, 0.37547]),
        (3548, [-1.33307, -0.36053, 2.17384, 2.16381, 0.00000, 0.13522]),
    ]

    /// The square input by default: what the Python values were pinned on.
    static func detector(tiles: TileSetting = .whole, fitInput: Bool = false) throws -> ObjectDetector {
        let model = LearnedModelFile.yoloxNano
        let folders = [URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Models").path]
        return try ObjectDetector(modelPath: try model.locate(in: folders), sha256: model.sha256, threads: 1,
                                  settings: ObjectDetector.Settings(tiles: tiles, fitInput: fitInput))
    }

    /// The largest difference between the pinned Python values and `output`.
    static func worstDifference(_ output: Tensor) -> Float {
        python.flatMap { pin in pin.values.enumerated().map { abs(output[0, pin.row, $0.offset] - $0.element) } }.max() ?? .infinity
    }

    @Test func theRawOutputIsPythons() throws {
        let picture = try PictureFile.read(Self.frame)
        #expect(picture.width == 416 && picture.height == 312)
        let detector = try Self.detector()
        let (output, letterbox) = try detector.rawOutput(picture, region: PictureRect(x: 0, y: 0, width: 416, height: 312))
        #expect(output.shape == [1, 3549, 85])
        #expect(letterbox.scaledHeight == 312)
        #expect(Self.worstDifference(output) < 1e-3)

        // The same picture with red and blue swapped, or padded with 0, is detectably not it.
        let (swapped, _) = try detector.rawOutput(ChannelSwapped(picture), region: PictureRect(x: 0, y: 0, width: 416, height: 312))
        #expect(Self.worstDifference(swapped) > 0.01)
    }

    @Test func sevenPeopleOnThisFrame() async throws {
        // Looked at on the drawn frame: six of its seven pedestrians (the one behind the sign by the
        // lamp post is missed), plus the sign at the far left that YOLOX-Nano takes for a person.
        let picture = try PictureFile.read(Self.frame)
        let result = try await Self.detector().detect(picture, on: InferenceExecutor())
        #expect(result.count(of: COCOClass.person) == 7)
        #expect(result.detections.allSatisfy { $0.box.x0 >= 0 && $0.box.x1 <= 1 && $0.box.y0 >= 0 && $0.box.y1 <= 1 && $0.box.area > 0 })
        // The best person (Python row 908: 187…205 × 107…149 in input pixels).
        let best = try #require(result.detections.first)
        #expect(best.className == "person" && abs(best.score - 0.8111) < 1e-3)
        #expect(abs(best.box.x0 - 187.3 / 416) < 0.002 && abs(best.box.y1 - 148.9 / 312) < 0.002)
        #expect(result.inferenceSeconds.count == 1)
    }

    @Test func anInputFittedToThePictureFindsTheSamePeopleFromFewerPixels() throws {
        let picture = try PictureFile.read(Self.frame)
        let fitted = try Self.detector(fitInput: true)
        #expect(fitted.fitsInput)
        // 416×312 in a 416×320 input, not 416×416: 2730 grid cells instead of 3549.
        let (output, letterbox) = try fitted.rawOutput(picture, region: PictureRect(x: 0, y: 0, width: 416, height: 312))
        #expect(letterbox.inputWidth == 416 && letterbox.inputHeight == 320 && output.shape == [1, 2730, 85])
        let square = try Self.detector().detect(picture), found = try fitted.detect(picture)
        #expect(found.count(of: COCOClass.person) == square.count(of: COCOClass.person))
        let a = try #require(found.detections.first), b = try #require(square.detections.first)
        #expect(a.box.iou(b.box) > 0.95 && abs(a.score - b.score) < 0.02, "\(a) vs \(b)")
    }

    @Test func tilesFindTheSamePeople() throws {
        let picture = try PictureFile.read(Self.frame)
        let result = try Self.detector(tiles: .grid(columns: 2, rows: 2)).detect(picture)
        #expect(result.regions.count == 5)
        // Tiles see people larger, so more may pass the threshold; none is counted twice.
        let people = result.count(of: COCOClass.person)
        #expect((7...10).contains(people), "\(people) people")
        let boxes = result.detections.filter { $0.classIndex == COCOClass.person }.map(\.box)
        for (i, a) in boxes.enumerated() { for b in boxes[(i + 1)...] { #expect(a.iou(b) < 0.45) } }
    }

    @Test func aFileThatIsNotAPictureIsACleanError() throws {
        let path = NSTemporaryDirectory() + "not-a-picture-\(UUID().uuidString).png"
        #expect(FileManager.default.createFile(atPath: path, contents: Data("hello, not a PNG".utf8)))
        #expect(throws: MediaError.self) { try PictureFile.read(path) }
        #expect { try PictureFile.read("/nonexistent/picture.jpg") } throws: { "\($0)".contains("/nonexistent/picture.jpg") }
        #expect { try PictureFile.read(Self.frame, frame: 1) } throws: { "\($0)".contains("only 1 frame") }
    }
}

/// A picture whose pixels come back RGB where BGR was asked: what a channel-order bug would feed the model.
struct ChannelSwapped: BGRPixelSource {
    let picture: DecodedPicture
    init(_ picture: DecodedPicture) { self.picture = picture }
    var width: Int { picture.width }
    var height: Int { picture.height }
    func bgrPixels(width: Int, height: Int, crop: PictureRect) -> [UInt8]? {
        picture.pixels(.rgb, width: width, height: height)
    }
}

/// A closer look at part of the picture (`detect`'s `focus`): one more inference that only adds.
@Suite struct CloserLookTests {
    @Test func aCloserLookAddsPeopleForTheTracksAndKeepsTheWholePicturesBoxesAndCounts() throws {
        let picture = try PictureFile.read(ChainTests.frame)
        let detector = try ChainTests.detector()
        let whole = try detector.detect(picture)
        let focus = Box(x0: 0.3, y0: 0.2, x1: 0.86, y1: 0.76)
        let closer = try detector.detect(picture, focus: focus)
        #expect(closer.regions.count == 2 && closer.inferenceSeconds.count == 2)
        #expect(closer.regions[1] == PictureRect(x: 125, y: 62, width: 233, height: 175))
        // The counts' detections are the whole picture's, as without the closer look.
        #expect(closer.detections == whole.detections && whole.closerLook == nil)
        let tracked = try #require(closer.closerLook)
        #expect(closer.forTracking == tracked)
        // Every object of the whole picture keeps its box (a followed person's box does not jump
        // between two scales); what the crop found anew is inside it and no one is there twice.
        for d in whole.detections {
            #expect(tracked.contains { $0.classIndex == d.classIndex && $0.box == d.box && $0.score >= d.score })
        }
        let added = tracked.filter { c in !whole.detections.contains { $0.box == c.box } }
        #expect(added.allSatisfy { $0.box.x0 >= focus.x0 - 1e-9 && $0.box.x1 <= focus.x1 + 1e-9 && $0.box.y0 >= focus.y0 - 1e-9 && $0.box.y1 <= focus.y1 + 1e-9 })
        let people = tracked.filter { $0.classIndex == COCOClass.person }.map(\.box)
        for (i, a) in people.enumerated() { for b in people[(i + 1)...] { #expect(a.iou(b) < 0.45) } }
        #expect(people.count >= whole.count(of: COCOClass.person))
        // A focus outside the picture is no second inference.
        #expect(try detector.detect(picture, focus: Box(x0: 1.2, y0: 0, x1: 1.5, y1: 0.5)).regions.count == 1)
    }
}
