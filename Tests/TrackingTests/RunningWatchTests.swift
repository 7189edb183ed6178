import Behaviour
import Perception
import Testing
import Tracking

/// Running from tracks: fast against the camera's learned walking pace and in absolute terms, by a
/// share of the people followed, for passes in a row.
@Suite struct RunningWatchTests {
    /// `n` people on rows 0.15 apart, each at `speeds[i]` box heights a second (boxes 0.12 high,
    /// aspect 1), seen 10 times a second from `t0` for `seconds`; returns the passes' observations.
    static func watch(_ watch: inout RunningWatch, pace: inout WalkingPace, learning: Bool, speeds: [Double],
                      from t0: Double, seconds: Double, tracker: inout MultiObjectTracker) -> [RunningWatch.Observation] {
        var seen: [RunningWatch.Observation] = []
        for step in 0..<Int(seconds * 10) {
            let t = t0 + Double(step) / 10
            let people = speeds.enumerated().map { i, v in
                TrackerTests.person(0.05 + (v * 0.12 * (t - t0)).truncatingRemainder(dividingBy: 0.9), 0.1 + 0.15 * Double(i))
            }
            let tracks = tracker.update(people, at: t)
            if learning { pace.learn(tracks, at: t, aspect: 1) }
            else { seen.append(watch.observe(tracks, at: t, walk: pace.normal, aspect: 1)) }
        }
        return seen
    }

    @Test func peopleWhoSuddenlyRunAreRunningWithinAFewPassesAndWalkersAreNot() {
        var watch = RunningWatch(), pace = WalkingPace(assumed: 1), tracker = MultiObjectTracker()
        _ = Self.watch(&watch, pace: &pace, learning: true, speeds: [0.5, 0.6, 0.7, 0.6], from: 0, seconds: 6, tracker: &tracker)
        #expect(abs(pace.normal - 0.7) < 0.08, "\(pace.normal)")
        let walking = Self.watch(&watch, pace: &pace, learning: false, speeds: [0.5, 0.6, 0.7, 0.6], from: 6, seconds: 3, tracker: &tracker)
        #expect(walking.allSatisfy { $0.runners.isEmpty && $0.score < 0.6 })
        tracker.reset()
        let running = Self.watch(&watch, pace: &pace, learning: false, speeds: [2.5, 2.8, 2.6, 3.0], from: 9, seconds: 2, tracker: &tracker)
        let first = running.firstIndex { !$0.runners.isEmpty }
        #expect(first != nil && first! <= 6, "the first running pass: \(String(describing: first))")
        // One fast pass is not enough: the pass before the first running one was fast already.
        let fast = running.firstIndex { $0.score >= 1 }
        #expect(fast != nil && first == fast! + 1)
        // That fast pass leaves running undecided (a camera passes again soon); walking never does.
        #expect(running[fast!].undecided && !running[first!].undecided)
        #expect(walking.allSatisfy { !$0.undecided })
        #expect(running.last?.runners.count == 4)
    }

    @Test func oneJoggerInABusyViewIsNotACrowdRunning() {
        var watch = RunningWatch(), pace = WalkingPace(assumed: 0.7), tracker = MultiObjectTracker()
        // 1 of 6 followed people runs: a share of 0.2 needs 2.
        let seen = Self.watch(&watch, pace: &pace, learning: false, speeds: [3, 0.6, 0.5, 0.7, 0.6, 0.5], from: 0, seconds: 3, tracker: &tracker)
        #expect(seen.allSatisfy { $0.runners.isEmpty })
        // Alone in view, the same jogger is running.
        var alone = RunningWatch(), lone = MultiObjectTracker()
        let single = Self.watch(&alone, pace: &pace, learning: false, speeds: [3], from: 0, seconds: 2, tracker: &lone)
        #expect(single.contains { $0.runners.count == 1 })
    }

    @Test func aCameraWhosePeopleStoodStillDoesNotCallAStrollRunning() {
        var watch = RunningWatch(), pace = WalkingPace(assumed: 1), tracker = MultiObjectTracker()
        _ = Self.watch(&watch, pace: &pace, learning: true, speeds: [0.1, 0.15, 0.1], from: 0, seconds: 8, tracker: &tracker)
        #expect(pace.normal < 0.25)
        tracker.reset()
        // Twice, thrice the learned pace but a walk: under the absolute floor.
        let seen = Self.watch(&watch, pace: &pace, learning: false, speeds: [1.0, 1.1, 0.9], from: 8, seconds: 3, tracker: &tracker)
        #expect(seen.allSatisfy { $0.runners.isEmpty && $0.threshold == RunningWatch.Settings().minSpeed })
    }
}

/// A track's speed from its recent sightings: no filter lag.
@Suite struct RecentSpeedTests {
    @Test func aPersonWhoStartsRunningIsFastAtOnceByHisSightings() throws {
        var tracker = MultiObjectTracker()
        var x = 0.1
        // Walking at 0.5 box heights a second for 2 s, 10 sightings a second (boxes 0.08 × 0.12: wide
        // enough that a step of 0.3 box heights still overlaps the last box).
        for step in 0..<20 {
            x += 0.5 * 0.12 / 10
            _ = tracker.update([TrackerTests.person(x, 0.5, w: 0.08)], at: Double(step) / 10)
        }
        let walking = try #require(tracker.tracks.first)
        #expect(abs((walking.recentSpeed(aspect: 1) ?? 0) - 0.5) < 0.05)
        // Then 3 a second: after 0.4 s the sightings say so, the filter is still on its way.
        for step in 20..<24 {
            x += 3 * 0.12 / 10
            _ = tracker.update([TrackerTests.person(x, 0.5, w: 0.08)], at: Double(step) / 10)
        }
        let running = try #require(tracker.tracks.first)
        #expect(tracker.tracks.count == 1)
        #expect(abs((running.recentSpeed(aspect: 1) ?? 0) - 3) < 0.3, "\(String(describing: running.recentSpeed(aspect: 1)))")
        #expect(running.speed(aspect: 1) < running.recentSpeed(aspect: 1)!)
        // A track seen once has no recent speed.
        var fresh = MultiObjectTracker()
        _ = fresh.update([TrackerTests.person(0.5, 0.5)], at: 0)
        #expect(fresh.tracks.first?.recentSpeed(aspect: 1) == nil)
    }
}
