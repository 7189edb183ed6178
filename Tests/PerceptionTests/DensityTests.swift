import Inference
import Perception
import Testing
import Vocabulary

/// The density map's zone sums, the density model's input size, and the count fusion.
@Suite struct DensityTests {
    /// 4×2 cells, each holding its own index as people.
    let map = DensityMap(columns: 4, rows: 2, values: [0, 1, 2, 3, 4, 5, 6, 7], cellWidth: 0.25, cellHeight: 0.5)

    @Test func aZoneSumsTheCellsWhoseCentreItHolds() {
        #expect(map.total == 28)
        #expect(CountFusion.count(people: [], density: map) == 28)
        // The left half: cells 0, 1, 4, 5 (centres at x 0.125 and 0.375).
        #expect(CountFusion.count(people: [], density: map, inZone: { x, _ in x < 0.5 }) == 10)
        // Only the centre (0.875, 0.75) of cell 7.
        #expect(CountFusion.count(people: [], density: map, inZone: { x, y in x > 0.8 && y > 0.7 }) == 7)
        #expect(CountFusion.count(people: [], density: map, inZone: { _, _ in false }) == 0)
    }

    @Test func theInputKeepsThePictureSizeInMultiplesOf32() {
        let size = { (w: Int, h: Int) in CrowdDensityEstimator.inputSize(width: w, height: h, maxSide: 1024) }
        #expect(size(1024, 768) == (1024, 768))
        #expect(size(640, 480) == (640, 480))
        #expect(size(1920, 1080) == (1024, 576))
        #expect(size(293, 438) == (288, 448))
        #expect(size(10, 10) == (32, 32))
    }

    @Test func aDetectedPersonCountsOnceAndTheDensityCountsTheRest() {
        // One person box over the two left cells of the bottom row (density 4 + 5 there).
        let person = Detection(classIndex: COCOClass.person, score: 0.9, box: Box(x0: 0, y0: 0.5, x1: 0.5, y1: 1))
        #expect(CountFusion.count(people: [person], density: map) == 1 + 28 - 9)
        #expect(CountFusion.count(people: [person], density: nil) == 1)
        #expect(CountFusion.count(people: [], density: map) == 28)
        // A zone over the right half: the person's feet (0.25, 1) are outside it, cells 2, 3, 6, 7 inside.
        #expect(CountFusion.count(people: [person], density: map, inZone: { x, _ in x > 0.5 }) == 18)
        // The left half holds the feet and the covered cells 4, 5: one person and cells 0, 1.
        #expect(CountFusion.count(people: [person], density: map, inZone: { x, _ in x <= 0.5 }) == 1 + 1)
    }
}
