import Behaviour
import Perception
import Testing
import Tracking
import Vision

/// Where a pass looks closer: the fastest motion that no followed object explains.
@Suite struct MotionFocusTests {
    static let cyclist = Box(x0: 0.60, y0: 0.45, x1: 0.66, y1: 0.52)

    @Test func motionNobodyFollowsIsLookedAtWithACropAboutIt() throws {
        let field = FlowSpeedTests.field(moving: Self.cyclist, vx: 0.3, vy: 0, dt: 0.1, at: 1)
        #expect(field.vectors.count >= 3)
        let region = try #require(MotionFocus.region(field, tracks: []))
        let side = MotionFocus.Settings().size
        #expect(abs(region.width - side) < 1e-9 && abs(region.height - side) < 1e-9)
        // Centred on the motion, so the cyclist is inside with room about him.
        #expect(region.x0 < Self.cyclist.x0 - 0.1 && region.x1 > Self.cyclist.x1 + 0.1)
        #expect(region.y0 < Self.cyclist.y0 - 0.1 && region.y1 > Self.cyclist.y1 + 0.1)
    }

    @Test func motionAtTheEdgeGivesACropInsideThePicture() throws {
        let field = FlowSpeedTests.field(moving: Box(x0: 0, y0: 0.9, x1: 0.05, y1: 1), vx: 0.3, vy: 0, dt: 0.1, at: 1)
        let region = try #require(MotionFocus.region(field, tracks: []))
        #expect(region.x0 == 0 && abs(region.y1 - 1) < 1e-9)
    }

    @Test func motionOnAFollowedObjectOrTooLittleOfItIsNotLookedAt() {
        let field = FlowSpeedTests.field(moving: Self.cyclist, vx: 0.3, vy: 0, dt: 0.1, at: 1)
        #expect(MotionFocus.region(field, tracks: [Self.cyclist]) == nil)
        // Two moving points are a limb or noise.
        let two = FlowField(width: field.width, height: field.height, dt: field.dt, time: field.time, vectors: Array(field.vectors.prefix(2)))
        #expect(MotionFocus.region(two, tracks: []) == nil)
        #expect(MotionFocus.region(FlowField(width: 384, height: 216, dt: 0.1, time: 1, vectors: []), tracks: []) == nil)
    }

    @Test func theFasterOfTwoMotionsWins() throws {
        let slow = FlowSpeedTests.field(moving: Box(x0: 0.05, y0: 0.1, x1: 0.11, y1: 0.17), vx: 0.02, vy: 0, dt: 0.1, at: 1)
        let fast = FlowSpeedTests.field(moving: Self.cyclist, vx: 0.4, vy: 0, dt: 0.1, at: 1)
        let both = FlowField(width: 384, height: 216, dt: 0.1, time: 1, vectors: slow.vectors + fast.vectors)
        let region = try #require(MotionFocus.region(both, tracks: []))
        #expect(region.x0 < Self.cyclist.x0 && region.x1 > Self.cyclist.x1 && region.x0 > 0.11)
    }

    @Test func aFastObjectIsFoundAmongManySlowPoints() throws {
        // Every grid point of the picture sways a little (more points than are tried as centres).
        let sway = FlowSpeedTests.field(moving: Box(x0: 0, y0: 0, x1: 1, y1: 1), vx: 0.005, vy: 0, dt: 0.1, at: 1)
        #expect(sway.vectors.count > 4 * 200)
        let fast = FlowSpeedTests.field(moving: Self.cyclist, vx: 0.5, vy: 0, dt: 0.1, at: 1)
        let both = FlowField(width: 384, height: 216, dt: 0.1, time: 1, vectors: sway.vectors + fast.vectors)
        let region = try #require(MotionFocus.region(both, tracks: []))
        #expect(region.x0 < Self.cyclist.x0 && region.x1 > Self.cyclist.x1 && region.y0 < Self.cyclist.y0 && region.y1 > Self.cyclist.y1)
    }

    /// Only objects confirmed and found on the last pass explain motion: one just found (tentative)
    /// or missed on the last pass is what the closer look is for.
    @Test func onlyObjectsFoundOnTheLastPassExplainMotion() {
        let box = Self.cyclist
        let detection = Detection(classIndex: COCOClass.names.firstIndex(of: "bicycle")!, score: 0.9, box: box)
        let field = FlowSpeedTests.field(moving: box, vx: 0.01, vy: 0, dt: 0.1, at: 0.3)
        var behaviours = TrackedBehaviours()
        // (What a segment's first pass finds is confirmed at once: it was there before.)
        _ = behaviours.pass([], at: 0, width: 384, height: 216, learning: true)
        _ = behaviours.pass([detection], at: 0.1, width: 384, height: 216, learning: true)
        #expect(behaviours.tracker.tracks.first?.state == .tentative)
        #expect(behaviours.focus(field) != nil)
        _ = behaviours.pass([detection], at: 0.2, width: 384, height: 216, learning: true)
        #expect(behaviours.tracker.tracks.first?.state == .confirmed)
        #expect(behaviours.focus(field) == nil)
        // Missed on the next pass (someone else was found): looked at again.
        _ = behaviours.pass([TrackerTests.person(0.2, 0.2)], at: 0.3, width: 384, height: 216, learning: true)
        #expect(behaviours.focus(field) != nil)
    }
}
