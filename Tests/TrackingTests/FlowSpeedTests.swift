import Behaviour
import Perception
import Testing
import Tracking
import Vision

/// A track's speed from the optical flow of the frames its box covers: no sightings to wait for.
@Suite struct FlowSpeedTests {
    /// A flow field on a 384×216 picture whose points inside `box` (0…1) moved by (`vx`, `vy`)
    /// picture widths and heights a second over `dt`, the rest of the picture still (no points).
    static func field(moving box: Box, vx: Double, vy: Double, dt: Double, at t: Double) -> FlowField {
        var vectors: [PyramidalFlow.Vector] = []
        for y in stride(from: 4, to: 216, by: 8) {
            for x in stride(from: 4, to: 384, by: 8) {
                let (u, v) = (Double(x) / 384, Double(y) / 216)
                guard u >= box.x0, u <= box.x1, v >= box.y0, v <= box.y1 else { continue }
                vectors.append(.init(x: x, y: y, dx: Float(vx * dt * 384), dy: Float(vy * dt * 216)))
            }
        }
        return FlowField(width: 384, height: 216, dt: dt, time: t, vectors: vectors)
    }

    @Test func aFlowFieldGivesTheMedianMotionOfARegion() throws {
        var field = Self.field(moving: Box(x0: 0.2, y0: 0.2, x1: 0.4, y1: 0.6), vx: 0.1, vy: -0.05, dt: 0.2, at: 1)
        let v = try #require(field.velocity(x0: 0.2, y0: 0.2, x1: 0.4, y1: 0.6))
        #expect(abs(v.x - 0.1) < 1e-6 && abs(v.y + 0.05) < 1e-6)
        // A stray vector (a limb, noise) does not move the median.
        field = FlowField(width: 384, height: 216, dt: 0.2, time: 1,
                          vectors: field.vectors + [.init(x: field.vectors[0].x, y: field.vectors[0].y, dx: 90, dy: 90)])
        let robust = try #require(field.velocity(x0: 0.2, y0: 0.2, x1: 0.4, y1: 0.6))
        #expect(abs(robust.x - 0.1) < 1e-6)
        #expect(field.velocity(x0: 0.7, y0: 0.7, x1: 0.9, y1: 0.9) == nil)
    }

    /// A person walking at 0.5 box heights a second (boxes 0.08 × 0.12, 10 sightings a second) who
    /// breaks into a run at 3 heights a second; the flow of each frame says so where `flow`.
    static func walkThenRun(flow: Bool) -> (walking: MultiObjectTracker.Track, running: [MultiObjectTracker.Track]) {
        var tracker = MultiObjectTracker()
        var x = 0.1, walking: MultiObjectTracker.Track?
        var running: [MultiObjectTracker.Track] = []
        for step in 0..<24 {
            let speed = step < 20 ? 0.5 : 3.0
            let t = Double(step) / 10
            let before = TrackerTests.person(x, 0.5, w: 0.08).box
            x += speed * 0.12 / 10
            if flow, step > 0 { tracker.carry(at: t) { Self.field(moving: before, vx: speed * 0.12, vy: 0, dt: 0.1, at: t).velocity(x0: $0.x0, y0: $0.y0, x1: $0.x1, y1: $0.y1) } }
            _ = tracker.update([TrackerTests.person(x, 0.5, w: 0.08)], at: t)
            if step == 19 { walking = tracker.tracks.first }
            if step >= 20, let track = tracker.tracks.first { running.append(track) }
        }
        return (walking!, running)
    }

    @Test func aPersonWhoStartsRunningIsFastOnTheFirstFrameByTheFlow() throws {
        let (walking, running) = Self.walkThenRun(flow: true)
        #expect(walking.flowMeasured)
        #expect(abs(walking.currentSpeed(aspect: 1) - 0.5) < 0.05)
        // The first running frame: the flow of the last tenth of a second is the run's.
        let first = try #require(running.first)
        #expect(abs(first.currentSpeed(aspect: 1) - 3) < 0.3, "\(first.currentSpeed(aspect: 1))")
        // By the sightings alone the same person is still on his way to it.
        let (_, boxes) = Self.walkThenRun(flow: false)
        let unflowed = try #require(boxes.first)
        #expect(!unflowed.flowMeasured)
        #expect(unflowed.currentSpeed(aspect: 1) < 1.5, "\(unflowed.currentSpeed(aspect: 1))")
    }

    @Test func theFlowIsReadWhereThePersonWentBetweenPasses() throws {
        // One pass a second, flow five times a second: between passes the box moves with the flow,
        // so each frame's flow is read where the person is, not where the last pass saw him (a box
        // 0.08 wide at 0.15 picture widths a second has left its place by the fourth frame).
        var tracker = MultiObjectTracker()
        let speed = 0.15
        _ = tracker.update([TrackerTests.person(0.1, 0.5, w: 0.08)], at: 0)
        var box = TrackerTests.person(0.1, 0.5, w: 0.08).box
        for k in 1...5 {
            let t = Double(k) / 5
            let here = box
            tracker.carry(at: t) { Self.field(moving: here, vx: speed, vy: 0, dt: 0.2, at: t).velocity(x0: $0.x0, y0: $0.y0, x1: $0.x1, y1: $0.y1) }
            box = Box(x0: box.x0 + speed / 5, y0: box.y0, x1: box.x1 + speed / 5, y1: box.y1)
        }
        _ = tracker.update([TrackerTests.person(0.1 + speed, 0.5, w: 0.08)], at: 1)
        let track = try #require(tracker.tracks.first)
        #expect(track.lastSeen == 1 && track.flowMeasured)
        #expect(abs((track.flowVelocity(aspect: 1)?.x ?? 0) - speed / 0.12) < 0.1)
    }

    /// A walker followed at one pass a second (0.5 box heights a second) who breaks into a run (2.5
    /// heights a second) after a pass; the flow of five frames a second in between where `flow`.
    static func breaksIntoARun(flow: Bool) -> [Int] {
        var tracker = MultiObjectTracker()
        var x = 0.1
        var ids: [Int] = []
        for pass in 0..<6 {
            let speed = pass < 4 ? 0.5 : 2.5
            for k in 1...5 where pass > 0 && flow {
                let t = Double(pass - 1) + Double(k) / 5
                let here = TrackerTests.person(x + speed * 0.12 * Double(k - 1) / 5, 0.5, w: 0.08).box
                tracker.carry(at: t) { Self.field(moving: here, vx: speed * 0.12, vy: 0, dt: 0.2, at: t).velocity(x0: $0.x0, y0: $0.y0, x1: $0.x1, y1: $0.y1) }
            }
            if pass > 0 { x += speed * 0.12 }
            _ = tracker.update([TrackerTests.person(x, 0.5, w: 0.08)], at: Double(pass))
            ids += tracker.confirmed.filter { $0.lastSeen == Double(pass) }.map(\.id)
        }
        return ids
    }

    @Test func aWalkerWhoBreaksIntoARunBetweenPassesIsFoundWhereTheFlowCarriedHim() {
        // By the boxes alone the runner is two heights from where his walk predicts him: lost,
        // and a new person (not confirmed until a second sighting near the first, which a runner
        // is not either).
        let boxes = Self.breaksIntoARun(flow: false)
        #expect(boxes.prefix(4) == [1, 1, 1, 1] && !boxes.dropFirst(4).contains(1), "\(boxes)")
        // With the flow he keeps his id.
        #expect(Self.breaksIntoARun(flow: true) == [1, 1, 1, 1, 1, 1])
    }

    @Test func aPersonStandingStillHasNoFlowAndKeepsTheSpeedOfHisBoxes() throws {
        var tracker = MultiObjectTracker()
        for step in 0..<10 {
            let t = Double(step) / 10
            if step > 0 { tracker.carry(at: t) { _ in nil } }
            _ = tracker.update([TrackerTests.person(0.5, 0.5)], at: t)
        }
        let track = try #require(tracker.tracks.first)
        #expect(!track.flowMeasured && track.flowVelocity(aspect: 1) == nil)
        #expect(track.currentSpeed(aspect: 1) < 0.05)
    }

    @Test func runnersMeasuredByTheFlowAreRunningOnTheSecondPassOfTheRun() {
        var watch = RunningWatch()
        let (_, running) = Self.walkThenRun(flow: true)
        let seen = running.map { watch.observe([$0], at: $0.lastSeen, walk: 0.5, aspect: 1) }
        #expect(seen[0].score >= 1 && seen[0].runners.isEmpty)
        #expect(seen[1].runners.count == 1)
    }
}
