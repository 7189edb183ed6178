import Foundation
import Inference
import Perception
import Testing
import Vocabulary

/// YOLOX decoding, NMS and the merge of tiles, on synthetic outputs with known answers.
@Suite struct DecodingTests {
    /// A 1×N×85 output for a 64-pixel input (8² + 4² + 2² = 84 rows), all zero but `rows`.
    static func output(_ rows: [Int: [Float]]) throws -> Tensor {
        var data = [Float](repeating: 0, count: 84 * 85)
        for (row, values) in rows { for (i, v) in values.enumerated() { data[row * 85 + i] = v } }
        return try Tensor(shape: [1, 84, 85], data: data)
    }

    static func row(cx: Float, cy: Float, w: Float, h: Float, objectness: Float, classIndex: Int, score: Float) -> [Float] {
        var r = [cx, cy, w, h, objectness] + [Float](repeating: 0, count: 80)
        r[5 + classIndex] = score
        return r
    }

    @Test func cellsAndStridesGiveTheBox() throws {
        #expect(YOLOXDecoder.rows(inputSize: 416) == 3549)
        // Row 8·2 + 3 of the stride-8 grid is cell (3, 2); row 64 + 4·1 + 1 of the stride-16 grid is cell (1, 1).
        let out = try Self.output([
            19: Self.row(cx: 0.5, cy: 0.5, w: 0, h: log(2), objectness: 0.9, classIndex: 0, score: 0.8),
            69: Self.row(cx: 0.25, cy: 0, w: log(3), h: 0, objectness: 0.5, classIndex: 2, score: 0.9),
        ])
        let found = try YOLOXDecoder.decode(out, inputSize: 64, threshold: 0.3)
        #expect(found.count == 2)
        let person = try #require(found.first { $0.classIndex == 0 })
        // cx = (0.5 + 3)·8 = 28, cy = (0.5 + 2)·8 = 20, w = 8, h = 16.
        #expect(abs(person.score - 0.72) < 1e-6)
        #expect(abs(person.box.x0 - 24) < 1e-5 && abs(person.box.x1 - 32) < 1e-5 && abs(person.box.y0 - 12) < 1e-5 && abs(person.box.y1 - 28) < 1e-5)
        let car = try #require(found.first { $0.classIndex == 2 })
        // cx = 1.25·16 = 20, cy = 16, w = 48, h = 16.
        #expect(abs(car.box.x0 + 4) < 1e-4 && abs(car.box.x1 - 44) < 1e-4 && abs(car.box.y0 - 8) < 1e-5 && car.className == "car")
    }

    @Test func thresholdsAndClassFilters() throws {
        let out = try Self.output([
            0: Self.row(cx: 0, cy: 0, w: 0, h: 0, objectness: 0.5, classIndex: 0, score: 0.5),  // 0.25
            1: Self.row(cx: 0, cy: 0, w: 0, h: 0, objectness: 0.9, classIndex: 7, score: 0.9),
        ])
        #expect(try YOLOXDecoder.decode(out, inputSize: 64, threshold: 0.3).map(\.classIndex) == [7])
        #expect(try YOLOXDecoder.decode(out, inputSize: 64, threshold: 0.2).count == 2)
        #expect(try YOLOXDecoder.decode(out, inputSize: 64, threshold: 0.2, classes: [0]).map(\.classIndex) == [0])
        // A row that is best a dog is not reported as its second best, a person, when only people are asked for.
        var dog = Self.row(cx: 0, cy: 0, w: 0, h: 0, objectness: 0.9, classIndex: 16, score: 0.9)
        dog[5 + COCOClass.person] = 0.6
        #expect(try YOLOXDecoder.decode(try Self.output([2: dog]), inputSize: 64, threshold: 0.3, classes: [COCOClass.person]).isEmpty)
        #expect(throws: InferenceError.self) { try YOLOXDecoder.decode(out, inputSize: 416, threshold: 0.3) }
    }

    static func d(_ c: Int, _ s: Float, _ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> Detection {
        Detection(classIndex: c, score: s, box: Box(x0: x0, y0: y0, x1: x1, y1: y1))
    }

    @Test func nmsKeepsTheBestOfEachClass() {
        let kept = NonMaximumSuppression.apply([
            Self.d(0, 0.6, 0, 0, 10, 10), Self.d(0, 0.9, 1, 1, 11, 11),  // IoU 0.68: one person
            Self.d(2, 0.5, 1, 1, 11, 11),                                // a car in the same place stays
            Self.d(0, 0.7, 20, 0, 30, 10),                               // another person
        ], iou: 0.45)
        #expect(kept.map(\.score) == [0.9, 0.7, 0.5])
    }

    @Test func aPersonCutByATileIsCountedOnce() {
        // 200×100 picture, tiles [0, 111) and [89, 200) in x (a tile is 200 / 1.8 wide).
        let plan = TilePlan(width: 200, height: 100, setting: .grid(columns: 2, rows: 1), inputSize: 64)
        let left = plan.regions[1], right = plan.regions[2]
        #expect(left == PictureRect(x: 0, y: 0, width: 111, height: 100) && right == PictureRect(x: 89, y: 0, width: 111, height: 100))
        let merged = TileMerge.merge([
            (plan.regions[0], [Self.d(0, 0.5, 95, 10, 135, 90)]),               // whole view: whole person
            (left, [Self.d(0, 0.8, 95, 10, 111, 90)]),                         // cut at the left tile's edge
            (right, [Self.d(0, 0.9, 95, 10, 135, 90), Self.d(0, 0.7, 150, 10, 170, 50)]),
        ], plan: plan, iou: 0.45)
        #expect(merged.count == 2, "\(merged)")
        // Two parts of one person no whole box covers become one box.
        let parts = TileMerge.merge([
            (plan.regions[0], []),
            (left, [Self.d(0, 0.6, 80, 10, 111, 90)]),
            (right, [Self.d(0, 0.7, 89, 10, 125, 90)]),
        ], plan: plan, iou: 0.45)
        #expect(parts.count == 1)
        #expect(parts.first?.box == Box(x0: 80, y0: 10, x1: 125, y1: 90))
        // A wide person cut by the left tile, whose part the model guessed reaching further left than
        // the whole box the right tile saw: still one person. A second person beside the border,
        // level with nobody that crosses it, stays.
        let wide = TileMerge.merge([
            (plan.regions[0], []),
            (left, [Self.d(0, 0.8, 60, 10, 111, 55), Self.d(0, 0.7, 100, 60, 111, 98)]),
            (right, [Self.d(0, 0.9, 95, 12, 180, 53)]),
        ], plan: plan, iou: 0.45)
        #expect(wide.map(\.score) == [0.9, 0.7], "\(wide)")
    }
}
