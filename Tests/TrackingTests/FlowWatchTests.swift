import Behaviour
import Foundation
import Perception
import Testing
import Tracking

/// Against the flow, and a crowd scattering, on synthetic tracks (boxes 0.04 × 0.12, aspect 1,
/// seen 10 times a second).
@Suite struct CounterFlowWatchTests {
    /// People walking along row `y` at `velocities[i]` box heights a second (negative: leftward),
    /// spread along the row and wrapping at its ends, for `seconds` from `t0`. While `learning` the
    /// watch learns; otherwise it observes, then learns from everyone.
    static func walk(_ watch: inout CounterFlowWatch, _ tracker: inout MultiObjectTracker, velocities: [Double], y: Double = 0.5,
                     from t0: Double, seconds: Double, learning: Bool) -> [CounterFlowWatch.Observation] {
        var seen: [CounterFlowWatch.Observation] = []
        for step in 0..<Int(seconds * 10) {
            let t = t0 + Double(step) / 10
            let people = velocities.enumerated().map { i, v in
                let start = 0.1 + 0.8 * Double(i) / Double(velocities.count)
                let x = 0.05 + ((start - 0.05 + v * 0.12 * (t - t0)).truncatingRemainder(dividingBy: 0.9) + 0.9).truncatingRemainder(dividingBy: 0.9)
                return TrackerTests.person(x, y + (i.isMultiple(of: 2) ? 0 : 0.13))
            }
            let tracks = tracker.update(people, at: t)
            if learning { watch.learn(tracks, at: t, aspect: 1) } else {
                let seenNow = watch.observe(tracks, at: t, aspect: 1)
                watch.learn(tracks, at: t, aspect: 1)
                seen.append(seenNow)
            }
        }
        return seen
    }

    @Test func aPersonWalkingAgainstAOneWayLaneIsAgainstTheFlowOnceAfterASecond() throws {
        var watch = CounterFlowWatch(), tracker = MultiObjectTracker()
        _ = Self.walk(&watch, &tracker, velocities: [0.6, 0.7, 0.6, 0.5, 0.6, 0.7], from: 0, seconds: 60, learning: true)
        let lane = try #require(watch.direction(atFeet: 0.5, 0.56))
        #expect(lane.x > 0.95 && lane.strength > 0.9, "\(lane)")
        tracker.reset()
        let withTheFlow = Self.walk(&watch, &tracker, velocities: [0.6, 0.7, 0.6, 0.5], from: 60, seconds: 5, learning: false)
        #expect(withTheFlow.allSatisfy { $0.opened.isEmpty && $0.against.isEmpty })
        tracker.reset()
        watch.reset()
        // Three with the flow, one against it (from x 0.7 leftward: no wrap at the edge within 5 s).
        let oneAgainst = Self.walk(&watch, &tracker, velocities: [0.6, 0.6, 0.5, -0.7], from: 65, seconds: 5, learning: false)
        let opened = oneAgainst.flatMap(\.opened)
        #expect(opened.count == 1, "once per person: \(opened.map(\.id))")
        let first = try #require(oneAgainst.firstIndex { !$0.opened.isEmpty })
        // Settled after 3 sightings, then a second against it: within 1.5 s.
        #expect(first <= 15, "\(first)")
        #expect(oneAgainst[first].score > 0.9)
        // His five seconds against it hardly moved it: the lane still goes right.
        #expect((watch.direction(atFeet: 0.5, 0.56)?.x ?? 0) > 0.9)
    }

    @Test func aTwoWayWalkwayHasNoDirectionAndNoOneIsAgainstIt() {
        var watch = CounterFlowWatch(), tracker = MultiObjectTracker()
        _ = Self.walk(&watch, &tracker, velocities: [0.6, -0.6, 0.7, -0.5, 0.6, -0.7], from: 0, seconds: 60, learning: true)
        #expect(watch.learnedSeconds > 200)
        #expect((watch.direction(atFeet: 0.5, 0.56)?.strength ?? 0) < CounterFlowWatch.Settings().minDirectionStrength)
        tracker.reset()
        let seen = Self.walk(&watch, &tracker, velocities: [-0.6, -0.7], from: 60, seconds: 5, learning: false)
        #expect(seen.allSatisfy { $0.opened.isEmpty })
    }

    @Test func whereOneInSixWalksBackWalkingBackIsNotAgainstTheFlow() throws {
        var watch = CounterFlowWatch(), tracker = MultiObjectTracker()
        _ = Self.walk(&watch, &tracker, velocities: [0.6, 0.7, 0.6, 0.5, 0.6, -0.6], from: 0, seconds: 60, learning: true)
        // The mean still points right, strongly enough for a direction…
        let lane = try #require(watch.direction(atFeet: 0.5, 0.56))
        #expect(lane.x > 0.9 && lane.strength >= CounterFlowWatch.Settings().minDirectionStrength, "\(lane)")
        tracker.reset()
        // …but going back is what one in six does here.
        let back = Self.walk(&watch, &tracker, velocities: [0.6, 0.6, 0.5, -0.7], from: 60, seconds: 5, learning: false)
        #expect(back.allSatisfy { $0.opened.isEmpty && $0.against.isEmpty })
    }

    @Test func peopleWhoKeepWalkingBackBecomeNormalWithinMinutes() throws {
        var watch = CounterFlowWatch(), tracker = MultiObjectTracker()
        _ = Self.walk(&watch, &tracker, velocities: [0.6, 0.7, 0.6, 0.5, 0.6, 0.7], from: 0, seconds: 60, learning: true)
        tracker.reset()
        // From now on one in four walks back: against the lane at first…
        let seen = Self.walk(&watch, &tracker, velocities: [0.6, 0.6, 0.5, -0.7], from: 60, seconds: 100, learning: false)
        #expect(seen.prefix(100).contains { !$0.against.isEmpty })
        // …until walking back is a share of the cell's people (more than a tenth: after about 60 s),
        // though the lane's mean still points right.
        #expect(seen.suffix(100).allSatisfy { $0.against.isEmpty })
        #expect((watch.direction(atFeet: 0.5, 0.56)?.strength ?? 0) >= CounterFlowWatch.Settings().minDirectionStrength)
    }

    @Test func aFewSecondsOfPeopleAreNotAFlowAndStandingIsNotAgainstIt() {
        var watch = CounterFlowWatch(), tracker = MultiObjectTracker()
        // 5 s of two walkers: 10 person-seconds over the row's cells, under 30 in any.
        _ = Self.walk(&watch, &tracker, velocities: [0.6, 0.6], from: 0, seconds: 5, learning: true)
        #expect(watch.direction(atFeet: 0.5, 0.56) == nil)
        var learned = CounterFlowWatch(), other = MultiObjectTracker()
        _ = Self.walk(&learned, &other, velocities: [0.6, 0.7, 0.6, 0.5, 0.6, 0.7], from: 0, seconds: 60, learning: true)
        other.reset()
        let standing = Self.walk(&learned, &other, velocities: [0, 0.02], from: 60, seconds: 5, learning: false)
        #expect(standing.allSatisfy { $0.against.isEmpty })
    }
}

@Suite struct DispersalWatchTests {
    /// `n` people on a ring of radius 0.08 around (0.5, 0.5), each moving along the direction
    /// `angle(i)` (radians) at `speed` box heights a second from `t0` for `seconds`.
    static func group(_ watch: inout DispersalWatch, _ tracker: inout MultiObjectTracker, n: Int = 6, speed: Double, walk: Double = 0.7,
                      angle: (Int) -> Double, from t0: Double, seconds: Double) -> [DispersalWatch.Observation] {
        var seen: [DispersalWatch.Observation] = []
        for step in 0..<Int(seconds * 10) {
            let t = t0 + Double(step) / 10
            let people = (0..<n).map { i -> Detection in
                let place = Double(i) / Double(n) * 2 * .pi
                let a = angle(i)
                let d = speed * 0.12 * (t - t0)
                return TrackerTests.person(0.5 + 0.08 * cos(place) + d * cos(a), 0.5 + 0.08 * sin(place) + d * sin(a))
            }
            seen.append(watch.observe(tracker.update(people, at: t), at: t, walk: walk, aspect: 1))
        }
        return seen
    }

    @Test func aGroupThatSuddenlyRunsApartIsOneDispersal() throws {
        var watch = DispersalWatch(), tracker = MultiObjectTracker()
        let standing = Self.group(&watch, &tracker, speed: 0, angle: { _ in 0 }, from: 0, seconds: 3)
        #expect(standing.allSatisfy { $0.opened.isEmpty })
        tracker.reset()
        // Each away from the centre, at 2 box heights a second (the walking pace is 0.7).
        let scattering = Self.group(&watch, &tracker, speed: 2, angle: { Double($0) / 6 * 2 * .pi }, from: 3, seconds: 1.5)
        let opened = scattering.filter { !$0.opened.isEmpty }
        #expect(opened.count == 1, "one event per episode")
        let first = try #require(scattering.firstIndex { !$0.opened.isEmpty })
        #expect(first <= 6, "\(first)")
        #expect(scattering[first].opened.count == 6)
        #expect(abs(scattering[first].centre.x - 0.5) < 0.1 && abs(scattering[first].centre.y - 0.5) < 0.1)
    }

    @Test func aGroupRunningOneWayOrWalkersGoingEveryWayAreNotScattering() {
        var watch = DispersalWatch(), tracker = MultiObjectTracker()
        let together = Self.group(&watch, &tracker, speed: 2, angle: { _ in 0 }, from: 0, seconds: 2)
        #expect(together.allSatisfy { $0.opened.isEmpty })
        tracker.reset()
        var other = DispersalWatch()
        // Outward, but at walking pace.
        let walking = Self.group(&other, &tracker, speed: 0.7, angle: { Double($0) / 6 * 2 * .pi }, from: 2, seconds: 2)
        #expect(walking.allSatisfy { $0.opened.isEmpty })
        tracker.reset()
        // Three people are not a crowd.
        var few = DispersalWatch()
        let three = Self.group(&few, &tracker, n: 3, speed: 2, angle: { Double($0) / 3 * 2 * .pi }, from: 4, seconds: 2)
        #expect(three.allSatisfy { $0.opened.isEmpty })
    }
}
