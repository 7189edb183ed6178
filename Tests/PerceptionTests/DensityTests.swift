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
        #expect(map.sum() == 28)
        // The left half: cells 0, 1, 4, 5 (centres at x 0.125 and 0.375).
        #expect(map.sum(inZone: { x, _ in x < 0.5 }) == 10)
        // Only the centre (0.875, 0.75) of cell 7.
        #expect(map.sum(inZone: { x, y in x > 0.8 && y > 0.7 }) == 7)
        #expect(map.sum(inZone: { _, _ in false }) == 0)
    }

    @Test func theInputKeepsThePictureSizeInMultiplesOf32() {
        let size = { (w: Int, h: Int) in CrowdDensityEstimator.inputSize(width: w, height: h, maxSide: 1024) }
        #expect(size(1024, 768) == (1024, 768))
        #expect(size(640, 480) == (640, 480))
        #expect(size(1920, 1080) == (1024, 576))
        #expect(size(293, 438) == (288, 448))
        #expect(size(10, 10) == (32, 32))
    }

    @Test func aSubstreamIsSeenAtItsMainStreamsScale() {
        let size = { (w: Int, h: Int, scene: Int?) in CrowdDensityEstimator.inputSize(width: w, height: h, maxSide: 1024, sceneSide: scene) }
        // 640×360 with a 1280×720 or a 1920×1080 main stream: as the main stream would be fed (1024×576).
        #expect(size(640, 360, 1280) == (1024, 576))
        #expect(size(640, 360, 1920) == (1024, 576))
        // A D1 substream (704×576) of an 800-pixel main stream: 800 on the longer side, its own shape kept.
        #expect(size(704, 576, 800) == (800, 640))
        // No main stream, or one no larger: the picture's own size, as before.
        #expect(size(640, 360, nil) == (640, 352))
        #expect(size(640, 360, 640) == (640, 352))
    }

    @Test func aSparseZoneCountsThePeopleSeenADenseOneTheDensity() {
        // One person box over the two left cells of the bottom row; feet at (0.25, 1).
        let person = Detection(classIndex: COCOClass.person, score: 0.9, box: Box(x0: 0, y0: 0.5, x1: 0.5, y1: 1))
        #expect(CountFusion.count(people: [person], density: map, regime: .sparse) == 1)
        #expect(CountFusion.count(people: [person], density: map, regime: .dense) == 28)
        #expect(CountFusion.count(people: [person], density: nil, regime: .dense) == 1)
        // A zone over the right half: the person's feet are outside it, cells 2, 3, 6, 7 inside.
        #expect(CountFusion.count(people: [person], density: map, regime: .sparse, inZone: { x, _ in x > 0.5 }) == 0)
        #expect(CountFusion.count(people: [person], density: map, regime: .dense, inZone: { x, _ in x > 0.5 }) == 18)
        // The density never counts fewer than the people seen in the zone.
        let crowd = (0..<12).map { i in Detection(classIndex: COCOClass.person, score: 0.9, box: Box(x0: 0.01 * Double(i), y0: 0.9, x1: 0.01 * Double(i) + 0.01, y1: 0.95)) }
        #expect(CountFusion.count(people: crowd, density: map, regime: .dense, inZone: { x, _ in x < 0.5 }) == 12)
    }

    @Test func manyOrPackedPeopleMakeAZoneDenseAndItLeavesOnlyWellBelow() {
        let box = { (x: Double) in Detection(classIndex: COCOClass.person, score: 0.9, box: Box(x0: x, y0: 0.5, x1: x + 0.05, y1: 0.6)) }
        // Eleven small people (0.5 % of the picture each) are sparse, a twelfth makes it dense.
        let eleven = (0..<11).map { box(Double($0) * 0.08) }
        #expect(CrowdRegime.of(CrowdRegime.Crowding(people: eleven)) == .sparse)
        #expect(abs(CrowdRegime.Crowding(people: eleven).cover - 0.055) < 1e-9)
        #expect(CrowdRegime.of(CrowdRegime.Crowding(people: eleven + [box(0.9)])) == .dense)
        // Three people whose boxes cover 30 % of a small zone are dense: the zone is packed; 15 % is not.
        let three = CrowdRegime.Crowding(people: (0..<3).map { box(Double($0) * 0.1) }, zoneArea: 0.05)
        #expect(abs(three.cover - 0.3) < 1e-9)
        #expect(CrowdRegime.of(three) == .dense)
        #expect(CrowdRegime.of(CrowdRegime.Crowding(people: (0..<3).map { box(Double($0) * 0.1) }, zoneArea: 0.1)) == .sparse)
        // The zone test counts only feet inside it.
        #expect(CrowdRegime.Crowding(people: eleven, inZone: { x, _ in x < 0.3 }).people == 4)
        // Hysteresis: a dense zone at 10 people (above 3/4 of 12) stays dense; a sparse one at 10 stays sparse.
        let ten = CrowdRegime.Crowding(people: 10, cover: 0.01)
        #expect(CrowdRegime.dense.next(ten) == .dense)
        #expect(CrowdRegime.sparse.next(ten) == .sparse)
        #expect(CrowdRegime.dense.next(CrowdRegime.Crowding(people: 8, cover: 0.18)) == .sparse)
        #expect(CrowdRegime.dense.next(CrowdRegime.Crowding(people: 8, cover: 0.19)) == .dense)
    }

    @Test func aCrowdTheDetectorCannotSeeIntoIsDenseByTheDensityModel() {
        // Two people seen, the density model counts 28 (at least twice the detector's 12): dense.
        let two = (0..<2).map { i in Detection(classIndex: COCOClass.person, score: 0.9, box: Box(x0: 0.1 * Double(i), y0: 0.5, x1: 0.1 * Double(i) + 0.02, y1: 0.55)) }
        let crowding = CrowdRegime.Crowding(people: two, density: map)
        #expect(crowding.density == 28 && CrowdRegime.Thresholds.standard.densityPeople == 24)
        #expect(CrowdRegime.of(crowding) == .dense)
        #expect(CountFusion.count(people: two, density: map, regime: CrowdRegime.of(crowding)) == 28)
        // Texture on a sparse scene stays under it: 10 (the left half).
        #expect(CrowdRegime.of(CrowdRegime.Crowding(people: two, density: map, inZone: { x, _ in x < 0.5 })) == .sparse)
        // A camera's own threshold moves the density one with it; it leaves below three quarters.
        #expect(CrowdRegime.Thresholds(people: 5).densityPeople == 10)
        #expect(CrowdRegime.dense.next(CrowdRegime.Crowding(people: 0, cover: 0, density: 18)) == .dense)
        #expect(CrowdRegime.dense.next(CrowdRegime.Crowding(people: 0, cover: 0, density: 17.9)) == .sparse)
    }
}
