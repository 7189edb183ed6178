import Foundation
import Perception
import RetinaConfig
import Testing
import Tracking
import Vision
@testable import Worker

/// The flow detector's running is left out where the camera follows the people it is about and the
/// flow says none of them runs (pixels at the edge of a sign someone walks behind); where it follows
/// nobody there, or someone there runs, it stands.
@Suite struct TrackEventsTests {
    /// A camera whose one person (box 0.2–0.3 × 0.4–0.7 of a 400×300 picture) was seen on a pass at
    /// 0 s and whose pixels the flow measured at `speed` box heights a second on the frames after.
    static func following(speed: Double) throws -> TrackEvents {
        let camera = try ConfigLoader.parse("cameras:\n  - {id: a, url: a.mp4}\n", file: "c.yaml").cameras[0]
        var events = TrackEvents(camera: camera, zones: [])
        let person = Perception.Detection(classIndex: COCOClass.person, score: 0.9, box: Box(x0: 0.2, y0: 0.4, x1: 0.3, y1: 0.7))
        _ = events.pass([person], segment: 1, time: 0, date: Date(), width: 400, height: 300)
        for k in 1...3 {
            let t = Double(k) / 5
            // Points inside the person's box as it moves right at `speed` heights (0.3 of the picture) a second.
            let x0 = 0.2 + speed * 0.3 * 0.75 * (t - 0.2)
            var vectors: [PyramidalFlow.Vector] = []
            for y in stride(from: 124, to: 208, by: 8) {
                for x in stride(from: Int(x0 * 400) + 4, to: Int((x0 + 0.1) * 400), by: 8) {
                    vectors.append(.init(x: x, y: y, dx: Float(speed * 90 * 0.2), dy: 0))
                }
            }
            events.carry(FlowField(width: 400, height: 300, dt: 0.2, time: t, vectors: vectors), segment: 1)
        }
        return events
    }

    @Test func aRunningBlobOnAWalkerIsLeftOutAndOnARunnerItStands() throws {
        let region = PixelRect(x: 70, y: 120, width: 60, height: 80)
        #expect(try Self.following(speed: 0.8).followsWithoutRunners(region, at: 0.6, width: 400, height: 300))
        // The runner, 162 px further right by now (where the flow carried his box), in a blob from where he was.
        #expect(try !Self.following(speed: 3).followsWithoutRunners(PixelRect(x: 70, y: 120, width: 240, height: 90), at: 0.6, width: 400, height: 300))
        // Where nobody is followed, the flow detector decides alone.
        #expect(try !Self.following(speed: 0.8).followsWithoutRunners(PixelRect(x: 300, y: 20, width: 40, height: 40), at: 0.6, width: 400, height: 300))
        // A measure older than a tenth of a second says nothing about now.
        #expect(try !Self.following(speed: 0.8).followsWithoutRunners(region, at: 2, width: 400, height: 300))
    }

    /// While the camera learns its normal, the pace it is learning holds runners too: the flow's
    /// running is judged against the assumed pace then.
    @Test func whileLearningRunnersAreJudgedByTheAssumedPace() throws {
        let camera = try ConfigLoader.parse("cameras:\n  - {id: a, url: a.mp4}\n", file: "c.yaml").cameras[0]
        var events = TrackEvents(camera: camera, zones: [])
        // 6 s of people passing at 1.6 box heights a second, 10 passes a second: learned as the pace.
        _ = Self.walk(&events, velocities: [1.6, -1.6, 1.6, -1.6], segment: 1, from: 0, seconds: 6)
        #expect(events.isLearning && abs(events.learnedPace - 1.6) < 0.2, "\(events.learnedPace)")
        // A runner at 2.5 box heights a second (under twice that pace, over twice the assumed 1.0).
        let person = Perception.Detection(classIndex: COCOClass.person, score: 0.9, box: Box(x0: 0.2, y0: 0.4, x1: 0.3, y1: 0.7))
        _ = events.pass([person], segment: 2, time: 10, date: Date(), width: 400, height: 300)
        for k in 1...3 {
            let t = 10 + Double(k) / 5
            let x0 = 0.2 + 2.5 * 0.3 * 0.75 * (t - 10.2)
            var vectors: [PyramidalFlow.Vector] = []
            for y in stride(from: 124, to: 208, by: 8) {
                for x in stride(from: Int(x0 * 400) + 4, to: Int((x0 + 0.1) * 400), by: 8) { vectors.append(.init(x: x, y: y, dx: Float(2.5 * 90 * 0.2), dy: 0)) }
            }
            events.carry(FlowField(width: 400, height: 300, dt: 0.2, time: t, vectors: vectors), segment: 2)
        }
        #expect(!events.followsWithoutRunners(PixelRect(x: 70, y: 120, width: 240, height: 90), at: 10.6, width: 400, height: 300))
    }

    /// People (boxes 0.04 × 0.12 of a 400×400 picture, feet on rows 0.5 and 0.63) walking along the
    /// rows at `velocities[i]` box heights a second (negative: leftward), seen on passes 10 times a
    /// second for `seconds` from `t0`; the box each is in at the last pass, in pixels.
    static func walk(_ events: inout TrackEvents, velocities: [Double], segment: Int, from t0: Double, seconds: Double) -> [PixelRect] {
        func boxes(_ t: Double) -> [Box] {
            velocities.enumerated().map { i, v in
                let start = 0.1 + 0.8 * Double(i) / Double(velocities.count)
                let x = 0.05 + ((start - 0.05 + v * 0.12 * (t - t0)).truncatingRemainder(dividingBy: 0.9) + 0.9).truncatingRemainder(dividingBy: 0.9)
                let feet = 0.5 + (i.isMultiple(of: 2) ? 0 : 0.13)
                return Box(x0: x - 0.02, y0: feet - 0.12, x1: x + 0.02, y1: feet)
            }
        }
        var t = t0
        for step in 0..<Int(seconds * 10) {
            t = t0 + Double(step) / 10
            let people = boxes(t).map { Perception.Detection(classIndex: COCOClass.person, score: 0.9, box: $0) }
            _ = events.pass(people, segment: segment, time: t, date: Date(), width: 400, height: 400)
        }
        return boxes(t).map { PixelRect(x: Int($0.x0 * 400), y: Int($0.y0 * 400), width: 16, height: 48) }
    }

    @Test func theFlowsCounterFlowOnPeopleFollowedIsLeftOutUnlessOneOfThemWalksAgainstTheLane() throws {
        let camera = try ConfigLoader.parse("cameras:\n  - {id: a, url: a.mp4}\n", file: "c.yaml").cameras[0]
        var events = TrackEvents(camera: camera, zones: [])
        // A minute of a one-way lane to the right: the tracks learn its direction.
        _ = Self.walk(&events, velocities: [0.6, 0.7, 0.6, 0.5, 0.6, 0.7], segment: 1, from: 0, seconds: 60)
        // Three with the lane, the fourth against it (from x 0.7 leftward).
        let people = Self.walk(&events, velocities: [0.6, 0.6, 0.5, -0.7], segment: 2, from: 60, seconds: 3)
        #expect(events.followsWithoutCounterFlow(people[0], width: 400, height: 400))
        #expect(!events.followsWithoutCounterFlow(people[3], width: 400, height: 400))
        // Where nobody is followed, the flow detector decides alone.
        #expect(!events.followsWithoutCounterFlow(PixelRect(x: 10, y: 20, width: 30, height: 30), width: 400, height: 400))
        // On a walkway without a direction, nobody is against it.
        var twoWay = TrackEvents(camera: camera, zones: [])
        _ = Self.walk(&twoWay, velocities: [0.6, -0.6, 0.7, -0.5, 0.6, -0.7], segment: 1, from: 0, seconds: 60)
        let walkers = Self.walk(&twoWay, velocities: [0.6, 0.6, 0.5, -0.7], segment: 2, from: 60, seconds: 3)
        #expect(twoWay.followsWithoutCounterFlow(walkers[3], width: 400, height: 400))
        // A camera that has not yet learned how people walk there (3 s): the flow detector decides.
        var fresh = TrackEvents(camera: camera, zones: [])
        let newcomers = Self.walk(&fresh, velocities: [0.6, 0.6, 0.5, -0.7], segment: 1, from: 0, seconds: 3)
        #expect(!fresh.followsWithoutCounterFlow(newcomers[0], width: 400, height: 400))
    }
}

/// A pass that saw a vehicle it cannot decide yet asks for follow-up passes (`TrackEvents.undecided`),
/// once the camera has learned its normal and where vehicle events are on.
@Suite struct TrackEventsFollowUpTests {
    static func bicycle(_ x: Double) -> Perception.Detection {
        Perception.Detection(classIndex: COCOClass.bicycle, score: 0.5, box: Box(x0: x, y0: 0.5, x1: x + 0.06, y1: 0.58))
    }

    static func undecided(_ yaml: String) throws -> [Bool] {
        let camera = try ConfigLoader.parse(yaml, file: "c.yaml").cameras[0]
        var events = TrackEvents(camera: camera, zones: [])
        var seen: [Bool] = []
        // A second of nothing (the normal period, 1 s here), then a bicycle on two passes.
        for (k, t) in [0.0, 0.5, 1.0, 1.2, 1.4].enumerated() {
            _ = events.pass(k < 3 ? [] : [Self.bicycle(0.3 + 0.01 * Double(k))], segment: 1, time: t, date: Date(), width: 400, height: 300)
            seen.append(events.undecided)
        }
        return seen
    }

    @Test func aNewBicycleIsUndecidedOnlyOnceTheNormalIsLearnedAndWhereVehiclesAreWatched() throws {
        #expect(try Self.undecided("cameras:\n  - {id: a, url: a.mp4, anomaly: {vehicleLearning: 1s}}\n") == [false, false, false, true, true])
        #expect(try Self.undecided("cameras:\n  - {id: a, url: a.mp4, anomaly: {vehicleLearning: 1s, vehicles: off}}\n") == [false, false, false, false, false])
        #expect(try Self.undecided("cameras:\n  - {id: a, url: a.mp4, anomaly: {vehicleLearning: 10s}}\n").allSatisfy { !$0 })
    }
}
