import Behaviour
import Foundation
import Perception
import Testing
import Tracking
import Vision

/// Intrusion and loitering from person tracks: a person's feet in a forbidden zone while it is
/// forbidden, a person's dwell in a zone past its limit even standing still; each once per person.
@Suite struct ZoneWatchTests {
    static let utc = TimeZone(identifier: "UTC")!
    /// A 1000×500 picture; the lawn is its right half.
    static func lawn(schedule: String? = nil, loiter: Double? = nil, kind: Zone.Kind = .forbidden) -> Zone {
        Zone(id: "lawn", polygon: [Point(x: 500, y: 0), Point(x: 1000, y: 0), Point(x: 1000, y: 500), Point(x: 500, y: 500)],
             kind: kind, schedule: schedule.map { try! DailySchedule.parse($0, timeZone: utc).get() }, loiterSeconds: loiter)
    }

    /// Zone events over passes at 5 a second of one detection whose centre is at `x(t)`.
    static func run(_ zone: Zone, seconds: Double, at noon: Bool = true, cls: Int = COCOClass.person, x: (Double) -> Double) -> [(t: Double, e: ZoneWatch.Event)] {
        var behaviours = TrackedBehaviours(zones: [zone])
        let day = Date(timeIntervalSince1970: 86_400 * 10 + (noon ? 12 : 23) * 3600)
        var events: [(Double, ZoneWatch.Event)] = []
        for step in 0...Int(seconds * 5) {
            let t = Double(step) * 0.2
            // Out of the picture, the detector sees no one.
            let d = x(t) <= 1 ? [TrackerTests.person(x(t), 0.5, cls: cls)] : []
            let outcome = behaviours.pass(d, at: t, date: day.addingTimeInterval(t), width: 1000, height: 500, learning: false)
            events += outcome.zones.map { (t, $0) }
        }
        return events
    }

    @Test func aPersonWalkingOntoTheLawnIsAnIntruderOnceAfterASecond() {
        // From x 0.3 at 0.05 a second: the feet cross 0.5 at 4 s.
        let events = Self.run(Self.lawn(), seconds: 12) { 0.3 + 0.05 * $0 }
        #expect(events.count == 1, "\(events)")
        #expect(events.first?.e.kind == .intrusion && events.first?.e.zone == "lawn")
        #expect((5.0...5.4).contains(events.first?.t ?? 0), "\(events.map(\.t))")
    }

    @Test func theScheduleSaysWhenTheLawnIsForbidden() {
        let night = Self.lawn(schedule: "22:00-06:00")
        #expect(Self.run(night, seconds: 5, at: true) { _ in 0.7 }.isEmpty)
        #expect(Self.run(night, seconds: 5, at: false) { _ in 0.7 }.map(\.e.kind) == [.intrusion])
    }

    @Test func aBicycleIsNoIntruderOfThisKind() {
        #expect(Self.run(Self.lawn(), seconds: 5, cls: COCOClass.bicycle) { _ in 0.7 }.isEmpty)
    }

    @Test func standingStillPastTheLimitIsLoiteringWalkingThroughIsNot() {
        let bench = Self.lawn(loiter: 30, kind: .watch)
        let stay = Self.run(bench, seconds: 40) { _ in 0.75 }
        #expect(stay.map(\.e.kind) == [.loitering] && abs(stay[0].t - 30) < 0.3, "\(stay.map(\.t))")
        #expect(Self.run(bench, seconds: 40) { 0.3 + 0.05 * $0 }.isEmpty)  // 10 s on the lawn, then out of view
    }

    @Test func aPersonUnseenForAMomentKeepsHisTime() {
        var behaviours = TrackedBehaviours(zones: [Self.lawn(loiter: 10, kind: .watch)])
        var kinds: [ZoneWatch.Event.Kind] = []
        for step in 0...60 {
            let t = Double(step) * 0.2
            // Hidden from 4 s to 5 s (behind a pillar).
            let seen = t < 4 || t > 5 ? [TrackerTests.person(0.75, 0.5)] : []
            kinds += behaviours.pass(seen, at: t, width: 1000, height: 500, learning: false).zones.map(\.kind)
        }
        #expect(kinds == [.loitering])
    }
}

/// People crossing a zone's counting line: in towards the zone, out away from it, once per
/// crossing however the feet jitter on the line.
@Suite struct LineCrossingTests {
    /// A 1000×500 picture; the hall is the right half, its door the line x = 500 from y 100 to 400.
    static let hall = Zone(id: "hall", polygon: [Point(x: 500, y: 0), Point(x: 1000, y: 0), Point(x: 1000, y: 500), Point(x: 500, y: 500)],
                           line: (Point(x: 500, y: 100), Point(x: 500, y: 400)))

    static func count(_ path: [(x: Double, y: Double)]) -> LineCrossing.Counts {
        var tracker = MultiObjectTracker()
        var lines = LineCrossing(zones: [hall])
        for (i, p) in path.enumerated() {
            let t = Double(i) * 0.2
            // Feet at (x, y) of the picture: a box 0.1 high above them.
            let person = Detection(classIndex: COCOClass.person, score: 0.9, box: Box(x0: p.x - 0.02, y0: p.y - 0.1, x1: p.x + 0.02, y1: p.y))
            lines.observe(tracker.update([person], at: t), at: t, width: 1000, height: 500)
        }
        return lines.totals["hall"] ?? LineCrossing.Counts()
    }

    @Test func walkingThroughTheDoorCountsInAndBackCountsOut() {
        let inward = (0..<20).map { (x: 0.3 + 0.02 * Double($0), y: 0.5) }
        #expect(Self.count(inward) == LineCrossing.Counts(into: 1, out: 0))
        #expect(Self.count(inward + inward.reversed()) == LineCrossing.Counts(into: 1, out: 1))
    }

    @Test func theRatesAreTheLastMinutesCrossingsPerMinute() throws {
        var tracker = MultiObjectTracker()
        var lines = LineCrossing(zones: [Self.hall])
        // A person walks in through the door every 10 s (4 s each from x 0.3 to 0.7), 5 times a second.
        var t = 0.0
        for walker in 0..<4 {
            tracker.reset()
            for step in 0..<20 {
                let x = 0.3 + 0.02 * Double(step)
                let person = Detection(classIndex: COCOClass.person, score: 0.9, box: Box(x0: x - 0.02, y0: 0.4, x1: x + 0.02, y1: 0.5))
                lines.observe(tracker.update([person], at: t), at: t, width: 1000, height: 500)
                t = Double(walker) * 10 + Double(step + 1) * 0.2
            }
        }
        #expect(lines.perMinute(at: 5).isEmpty, "under 10 s counted: no rate yet")
        let rates = try #require(lines.perMinute(at: t)["hall"])
        // 4 in over the 39.8 s since the first pass: 6 a minute.
        #expect(abs(rates.into - 4 * 60 / t) < 1e-9 && rates.out == 0, "\(rates)")
        // A minute later with nobody: zero.
        lines.observe([], at: t + 70, width: 1000, height: 500)
        #expect(lines.perMinute(at: t + 70)["hall"]?.into == 0)
    }

    @Test func jitterOnTheLineIsOneCrossingAndPassingBesideTheDoorNone() {
        // Feet stepping back and forth over the line: in once.
        var jitter: [(x: Double, y: Double)] = []
        for i in 0..<20 {
            let x: Double = i < 5 ? 0.45 + 0.01 * Double(i) : (i % 2 == 0 ? 0.505 : 0.495)
            jitter.append((x: x, y: 0.5))
        }
        jitter += [(x: 0.52, y: 0.5), (x: 0.55, y: 0.5)]
        #expect(Self.count(jitter) == LineCrossing.Counts(into: 1, out: 0))
        // Crossing x = 500 at y 450, below the door's end (y 400): not through the door.
        #expect(Self.count((0..<20).map { (x: 0.3 + 0.02 * Double($0), y: 0.9) }) == LineCrossing.Counts())
    }
}
