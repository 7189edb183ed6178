import Falls
import Testing
import Vision

/// What a home camera decides around the fall itself, on hand-written posture series (5 a second):
/// post-fall inactivity, a bed where lying is normal, and a home where nothing moves.
@Suite struct HomeWatchTests {
    typealias F = FallWatchTests

    static func run(_ samples: [PostureSample?], times: [Double], settings: HomeWatch.Settings, moving: Bool = true,
                    active: Bool = true) -> [(time: Double, finding: HomeWatch.Finding)] {
        var watch = HomeWatch(settings: settings)
        var out: [(Double, HomeWatch.Finding)] = []
        for (s, t) in zip(samples, times) { out += watch.observe(s, at: t, moving: moving, active: active).map { (t, $0) } }
        return out
    }

    static func settings(inactivity: Double = 20, rest: [Zone] = []) -> HomeWatch.Settings {
        var s = HomeWatch.Settings()
        s.inactivity = inactivity
        s.restZones = rest
        return s
    }

    @Test func aPersonStillDownAfterAFallRaisesInactivityOnceAfterTheSetTime() throws {
        // Standing 2 s, down at 2.6 s, lying until 40 s.
        let fall = F.series([(0, 5, 200), (2, 5, 200), (2.6, 85, 320), (40, 85, 320)])
        let found = Self.run(fall, times: fall.map(\.time), settings: Self.settings(inactivity: 20))
        #expect(found.count == 2, "\(found)")
        guard case .fall(let alarm) = try #require(found.first).finding else { Issue.record("first: \(found)"); return }
        guard case .inactivity(let seconds, let since) = found[1].finding else { Issue.record("second: \(found)"); return }
        #expect(since == alarm.downSince && seconds >= 20 && seconds < 20.3, "\(seconds)")
        #expect(found[1].time >= alarm.downSince + 20 && found[1].time < alarm.downSince + 20.3)
    }

    @Test func framesBetweenPosePassesAreNotLooksThatFoundNobody() {
        // A fall looked at 5 times a second in a stream analysed 15 times: two frames between
        // passes each time. Were they misses, the drop would be forgotten before it is confirmed.
        let fall = F.series([(0, 5, 200), (2, 5, 200), (2.6, 85, 320), (8, 85, 320)])
        var watch = HomeWatch(settings: Self.settings())
        var alarms: [Double] = []
        for sample in fall {
            for (k, t) in [sample.time, sample.time + 1.0 / 15, sample.time + 2.0 / 15].enumerated() {
                let found = watch.observe(k == 0 ? sample : nil, looked: k == 0, at: t, moving: true)
                for case .fall(let alarm) in found { alarms.append(alarm.time) }
            }
        }
        #expect(alarms.count == 1 && alarms[0] < 3.6, "\(alarms)")
    }

    @Test func aPersonWhoGetsUpAgainRaisesNoInactivity() {
        // Down at 2.6 s, back on their feet at 10 s, up for the rest.
        let fall = F.series([(0, 5, 200), (2, 5, 200), (2.6, 85, 320), (9, 85, 320), (10, 5, 200), (40, 5, 200)])
        let found = Self.run(fall, times: fall.map(\.time), settings: Self.settings(inactivity: 20))
        #expect(found.count == 1, "\(found)")
    }

    @Test func aPersonOutOfViewAfterAFallIsStillDown() {
        // After the fall the person is not found (behind the sofa): that is no getting up.
        let fall = F.series([(0, 5, 200), (2, 5, 200), (2.6, 85, 320), (4, 85, 320)])
        let times = fall.map(\.time) + stride(from: 4.2, through: 30, by: 0.2).map { $0 }
        let samples: [PostureSample?] = fall + Array(repeating: nil, count: times.count - fall.count)
        let found = Self.run(samples, times: times, settings: Self.settings(inactivity: 20))
        #expect(found.count == 2, "\(found)")
    }

    @Test func lyingFoundOnABedIsSleepNotAFallButAFallOntoItStillRaises() {
        let bed = Zone(id: "bed", polygon: [Point(x: 200, y: 250), Point(x: 500, y: 250), Point(x: 500, y: 400), Point(x: 200, y: 400)])
        // Found lying on the bed (never seen upright) for a minute: nothing.
        let lying = F.series([(0, 88, 320), (60, 88, 320)])
        #expect(Self.run(lying, times: lying.map(\.time), settings: Self.settings(rest: [bed])).isEmpty)
        // The same on the floor beside it is a person found down.
        let floor = F.series([(0, 88, 320), (60, 88, 320)], hipX: 100)
        let onFloor = Self.run(floor, times: floor.map(\.time), settings: Self.settings(rest: [bed]))
        #expect(onFloor.contains { if case .fall(let a) = $0.finding { a.cause == .foundDown } else { false } }, "\(onFloor)")
        // Tipping over onto the bed in half a second raises, and staying there raises no inactivity.
        let tip = F.series([(0, 5, 300), (2, 5, 300), (2.4, 85, 320), (60, 85, 320)])
        let onBed = Self.run(tip, times: tip.map(\.time), settings: Self.settings(inactivity: 20, rest: [bed]))
        #expect(onBed.count == 1, "\(onBed)")
        #expect(onBed.first.map { if case .fall = $0.finding { true } else { false } } == true)
    }

    @Test func aHomeWhereNothingMovesInItsActiveHoursRaisesOnce() {
        var s = Self.settings()
        s.stillFor = 600
        var watch = HomeWatch(settings: s)
        var found: [HomeWatch.Finding] = []
        // 5 minutes with someone moving, then 15 minutes of nothing, one still frame a second.
        for t in 0..<300 { found += watch.observe(nil, at: Double(t), moving: true) }
        for t in 300..<1200 { found += watch.observe(nil, at: Double(t), moving: false) }
        #expect(found == [.still(seconds: 600)], "\(found)")
        // Outside the active hours (the night) stillness does not count; a movement starts it over.
        var night = HomeWatch(settings: s)
        var quiet: [HomeWatch.Finding] = []
        for t in 0..<3600 { quiet += night.observe(nil, at: Double(t), moving: false, active: false) }
        for t in 3600..<4100 { quiet += night.observe(nil, at: Double(t), moving: false, active: true) }
        _ = night.observe(nil, at: 4100, moving: true)
        for t in 4101..<4650 { quiet += night.observe(nil, at: Double(t), moving: false, active: true) }
        #expect(quiet.isEmpty, "\(quiet)")
    }
}
