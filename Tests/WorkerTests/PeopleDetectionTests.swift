import Events
import Foundation
import Inference
import Media
import Perception
import RetinaConfig
import RetinaTestSupport
import Synchronization
import Testing
import Vision
@testable import Worker

/// The camera pipeline's learned people detection: who counts for a zone, when a frame is looked
/// at, what happens when the inference threads are busy, and a worker on a real clip.
/// Serialized: the worker tests share the process's inference lane, and run side by side on a
/// 2-core machine they skipped each other's passes (a dense zone counted by the detector, a scale
/// never learned, no spare pass).
@Suite(.serialized) struct PeopleDetectionTests {
    // MARK: Zones count people by their feet

    static func person(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double, score: Float = 0.9) -> Perception.Detection {
        Perception.Detection(classIndex: COCOClass.person, score: score, box: Box(x0: x0, y0: y0, x1: x1, y1: y1))
    }

    @Test func aPersonCountsForTheZoneHisFeetAreIn() {
        // A 1000×500 picture; the zone is the left half's lower part (a floor), a triangle the right half.
        let floor = Zone(id: "floor", polygon: [Point(x: 0, y: 250), Point(x: 500, y: 250), Point(x: 500, y: 500), Point(x: 0, y: 500)])
        let corner = Zone(id: "corner", polygon: [Point(x: 1000, y: 0), Point(x: 1000, y: 500), Point(x: 500, y: 500)])
        let people = [
            Self.person(0.10, 0.10, 0.20, 0.90),  // head above the floor, feet (150, 450) on it
            Self.person(0.30, 0.00, 0.40, 0.40),  // feet (350, 200): above the floor, in no zone
            Self.person(0.90, 0.20, 0.98, 1.00),  // cut by the bottom edge: feet (940, 499.5) in the corner
            Self.person(0.55, 0.10, 0.65, 0.30),  // feet (600, 150): above the triangle's edge, outside it
            Perception.Detection(classIndex: COCOClass.car, score: 0.9, box: Box(x0: 0.1, y0: 0.5, x1: 0.3, y1: 0.8)),  // not a person
        ]
        var zones = ZonePeople(zones: [floor, corner], width: 1000, height: 500)
        // The first person's box covers a third of the floor: dense, but without a density map the detector counts.
        #expect(zones.observe(people) == true)
        let counts = zones.counts(people, density: nil)
        #expect(counts.mapValues(\.count) == ["floor": 1, "corner": 1])
        #expect(counts.values.allSatisfy { $0.source == .detector })
        // Without zones, every person in the picture counts for `all`.
        #expect(ZonePeople(zones: [], width: 1000, height: 500).counts(people, density: nil).mapValues(\.count) == ["all": 4])
    }

    @Test func aDenseZoneIsCountedByTheDensityMapAndASparseOneByTheDetector() {
        // Two zones, the left and right halves of a 1000×500 picture. Twelve small people stand in
        // the left one (dense by their number), one in the right one.
        let left = Zone(id: "left", polygon: [Point(x: 0, y: 0), Point(x: 500, y: 0), Point(x: 500, y: 500), Point(x: 0, y: 500)])
        let right = Zone(id: "right", polygon: [Point(x: 500, y: 0), Point(x: 1000, y: 0), Point(x: 1000, y: 500), Point(x: 500, y: 500)])
        let crowd = (0..<12).map { i in Self.person(0.02 + 0.035 * Double(i), 0.6, 0.04 + 0.035 * Double(i), 0.7) }
        let people = crowd + [Self.person(0.7, 0.2, 0.8, 0.8)]
        var zones = ZonePeople(zones: [left, right], width: 1000, height: 500)
        #expect(zones.observe(people) == true)
        #expect(zones.regimes == ["left": .dense, "right": .sparse])
        // The density map: 2×1 cells, 30 people on the left, 4 on the right.
        let map = DensityMap(columns: 2, rows: 1, values: [30, 4], cellWidth: 0.5, cellHeight: 1)
        let counts = zones.counts(people, density: map)
        #expect(counts["left"]?.count == 30 && counts["left"]?.source == .density)
        #expect(counts["right"]?.count == 1 && counts["right"]?.source == .detector)
        // Without a density map the dense zone has the detector's count.
        #expect(zones.counts(people, density: nil)["left"]?.count == 12)
        // Ten people the next pass: still dense (hysteresis); five: sparse again.
        #expect(zones.observe(Array(crowd.prefix(10))) == true)
        #expect(zones.observe(Array(crowd.prefix(5))) == false)
    }

    @Test func eventsCarryBoxesAsXYWidthHeightOfThePicture() throws {
        let objects = ZonePeople.objects([Self.person(0.1, 0.2, 0.4, 0.9, score: 0.8765)])
        #expect(objects == [DetectedObject(className: "person", score: 0.8765, x: 0.1, y: 0.2, width: 0.3, height: 0.7)])
        let json = try JSONEncoder().encode(DetectedObject.json(objects))
        let back = try JSONDecoder().decode([DetectedObject].self, from: json)
        #expect(back == objects)
        #expect(String(decoding: json, as: UTF8.self).contains("\"class\":\"person\""))
    }

    // MARK: When a frame is looked at

    @Test func alwaysLooksAtTheRateOfStreamTime() {
        var s = PerceptionSchedule(rate: 2, gate: .always)
        var ran: [Double] = []
        for i in 0..<25 {  // 5 fps for 5 s
            let t = Double(i) * 0.2
            if s.isDue(segment: 0, time: t, changedFraction: 0) { s.ran(segment: 0, time: t); ran.append(t) }
        }
        #expect(ran.count == 10)
        #expect(zip(ran, ran.dropFirst()).allSatisfy { abs($1 - $0 - 0.6) < 1e-9 || abs($1 - $0 - 0.4) < 1e-9 })
    }

    @Test func theMotionGateLooksOnlyAtMovingFramesAndSometimesAtAStillOne() {
        var s = PerceptionSchedule(rate: 1, gate: .motion)
        #expect(s.isDue(segment: 0, time: 0, changedFraction: 0))  // the first frame of a segment
        s.ran(segment: 0, time: 0)
        #expect(!s.isDue(segment: 0, time: 0.5, changedFraction: 0.5))  // too soon, even moving
        #expect(!s.isDue(segment: 0, time: 1, changedFraction: 0))  // still
        #expect(!s.isDue(segment: 0, time: 1, changedFraction: PerceptionSchedule.motionFraction / 2))
        #expect(s.isDue(segment: 0, time: 1, changedFraction: PerceptionSchedule.motionFraction))
        #expect(!s.isDue(segment: 0, time: 9.9, changedFraction: 0))
        #expect(s.isDue(segment: 0, time: PerceptionSchedule.stillRefresh, changedFraction: 0))  // a still picture, again
        // A reconnect starts a new segment (its stream time may start over): looked at at once.
        #expect(s.isDue(segment: 1, time: 0.1, changedFraction: 0))
    }

    @Test func aDensityPassIsDueEveryIntervalGrowsOverdueWhenSkippedAndItsMapAgesOut() {
        var d = DensityCadence()
        #expect(d.isDue(segment: 0, time: 0, interval: 2) && d.overdue(segment: 0, time: 0, interval: 2) == 0)
        #expect(!d.usable(segment: 0, time: 0, interval: 2))  // no map yet
        d.made(segment: 0, time: 0)
        #expect(!d.isDue(segment: 0, time: 1, interval: 2))
        #expect(d.isDue(segment: 0, time: 2, interval: 2) && d.overdue(segment: 0, time: 2, interval: 2) == 0)
        // Skipped at 2 s and 3 s (the lane was busy): half an interval late at 3 s, one at 4 s.
        #expect(d.overdue(segment: 0, time: 3, interval: 2) == 0.5 && d.overdue(segment: 0, time: 4, interval: 2) == 1)
        #expect(d.usable(segment: 0, time: 4, interval: 2) && !d.usable(segment: 0, time: 4.1, interval: 2))
        // A reconnect: due at once, on time, and the old map is not used.
        #expect(d.isDue(segment: 1, time: 0.5, interval: 2) && d.overdue(segment: 1, time: 0.5, interval: 2) == 0)
        #expect(!d.usable(segment: 1, time: 0.5, interval: 2))
        // A dense zone shortens the interval: the same map is due sooner.
        #expect(d.isDue(segment: 0, time: 1, interval: 1) && !d.isDue(segment: 0, time: 0.5, interval: 1))
    }

    @Test func aFirstDensityPassNeverServedGrowsLate() {
        // On a full lane the first pass of a camera may be skipped again and again: it must grow
        // late like any other, or the cameras already served take every slot.
        var d = DensityCadence()
        let first = d.ask(segment: 0, time: 10, interval: 2), later = d.ask(segment: 0, time: 13, interval: 2)
        #expect(first == (true, 0) && later == (true, 1.5))
        // A reconnect asks afresh.
        let reconnected = d.ask(segment: 1, time: 0.4, interval: 2)
        #expect(reconnected == (true, 0))
        d.made(segment: 1, time: 1)
        let soon = d.ask(segment: 1, time: 2, interval: 2), late = d.ask(segment: 1, time: 4, interval: 2)
        #expect(!soon.isDue && late == (true, 0.5))
    }

    @Test func theCamerasOfANodeSpreadTheirFirstDensityPassesAndSoTheirLaterOnes() {
        // Half way into the first interval: the check every 30 s is first due 15 s into the segment.
        var d = DensityCadence(phase: 0.5)
        let first = d.ask(segment: 0, time: 10, interval: 30)
        #expect(first == (false, 0) && !d.isDue(segment: 0, time: 24.9, interval: 30))
        let due = d.ask(segment: 0, time: 25, interval: 30), late = d.ask(segment: 0, time: 28, interval: 30)
        #expect(due == (true, 0) && late == (true, 0.1))
        d.made(segment: 0, time: 25)
        #expect(!d.isDue(segment: 0, time: 54.9, interval: 30) && d.isDue(segment: 0, time: 55, interval: 30))
        // A dense camera's 2 s cadence: its place in 2 s. A reconnect starts over.
        var dense = DensityCadence(phase: 1)
        #expect(dense.ask(segment: 0, time: 0, interval: 2) == (false, 0) && dense.ask(segment: 0, time: 2, interval: 2) == (true, 0))
        #expect(dense.ask(segment: 1, time: 3, interval: 2) == (false, 0))
        // Phase 0, the default: at once, as before. A camera's phase is the same on every start
        // and differs between cameras.
        #expect(DensityCadence().isDue(segment: 0, time: 0, interval: 30))
        #expect(DensitySources.phase(of: "cam-1") == DensitySources.phase(of: "cam-1"))
        let phases = Set((1...32).map { DensitySources.phase(of: "cam-\($0)") })
        #expect(phases.count >= 28 && phases.allSatisfy { (0...1).contains($0) }, "\(phases.sorted())")
    }

    @Test func aDenseCameraCountsFromItsPassesOnceItHasLearnedTheirScale() {
        var sources = DensitySources(every: 2, checkEvery: 30, usePass: true)
        sources.looking(at: (640, 360), modelInput: (1024, 576))
        let pass = DensityMap(columns: 1, rows: 1, values: [25], cellWidth: 1, cellHeight: 1)
        let full = DensityMap(columns: 2, rows: 1, values: [20, 20], cellWidth: 0.5, cellHeight: 1)
        // Dense and not yet learned: the model every 2 s, and its map stands for the frames between.
        var learnedAt: Double?
        for t in stride(from: 0.0, through: 6, by: 2) {
            #expect(sources.interval(dense: true, passMap: pass) == 2)
            let due = sources.due(segment: 0, time: t, dense: true, passMap: pass)
            #expect(due.isDue)
            if sources.made(full, passMap: pass, segment: 0, time: t) { learnedAt = t }
            #expect(sources.map(segment: 0, time: t, dense: true, passMap: pass, madeNow: true) == full)
            if learnedAt == nil {
                #expect(sources.map(segment: 0, time: t + 1, dense: true, passMap: pass, madeNow: false) == full)
            }
        }
        // The fourth frame both counted taught it ×1.6; from then the pass's own density counts, and
        // the model runs every 30 s to keep the scale learned.
        #expect(learnedAt == 6 && sources.scale.factor == 1.6)
        #expect(sources.countsWithPass(pass) && !sources.countsWithPass(nil))
        #expect(sources.interval(dense: true, passMap: pass) == 30)
        let at8 = sources.due(segment: 0, time: 8, dense: true, passMap: pass)
        #expect(!at8.isDue)
        #expect(sources.map(segment: 0, time: 8, dense: true, passMap: pass, madeNow: false)?.total == 40)
        let at36 = sources.due(segment: 0, time: 36, dense: true, passMap: pass)
        #expect(at36.isDue)
        // A pass without its own density (a model without the head) falls back to the model's cadence.
        #expect(sources.interval(dense: true, passMap: nil) == 2)
        // Another picture size, or another input for the model: learned again.
        sources.looking(at: (1280, 720), modelInput: (1024, 576))
        #expect(sources.scale.frames == 0 && sources.interval(dense: true, passMap: pass) == 2)
    }

    @Test func withPassDensityOffTheModelKeepsItsDenseCadence() {
        var sources = DensitySources(every: 2, checkEvery: 30, usePass: false)
        let pass = DensityMap(columns: 1, rows: 1, values: [25], cellWidth: 1, cellHeight: 1)
        let full = DensityMap(columns: 1, rows: 1, values: [40], cellWidth: 1, cellHeight: 1)
        for t in stride(from: 0.0, through: 20, by: 2) { sources.made(full, passMap: pass, segment: 0, time: t) }
        #expect(sources.scale.frames == 0 && sources.interval(dense: true, passMap: pass) == 2)
        #expect(!sources.countsWithPass(pass))
        // Not dense: the 30 s check, and its map is used while at most two intervals old.
        #expect(sources.interval(dense: false, passMap: pass) == 30)
        #expect(sources.map(segment: 0, time: 79, dense: false, passMap: pass, madeNow: false) == full)
        #expect(sources.map(segment: 0, time: 81, dense: false, passMap: pass, madeNow: false) == nil)
    }

    @Test func aSkippedPassIsDueAgainOnTheNextFrame() {
        var s = PerceptionSchedule(rate: 1, gate: .always)
        s.ran(segment: 0, time: 0)
        #expect(s.isDue(segment: 0, time: 1.0, changedFraction: 0))
        // Not recorded as run (the threads were busy): the next frame is still due.
        #expect(s.isDue(segment: 0, time: 1.2, changedFraction: 0))
        s.ran(segment: 0, time: 1.2)
        // The late pass does not move the schedule: the next is due at 2 s, not 2.2 s.
        #expect(!s.isDue(segment: 0, time: 1.8, changedFraction: 0))
        #expect(s.isDue(segment: 0, time: 2.0, changedFraction: 0))
    }

    @Test func aFollowUpPassesFiveASecondAndLeavesTheScheduleAsItWas() {
        var s = PerceptionSchedule(rate: 1, gate: .always)
        s.ran(segment: 0, time: 0)
        #expect(!s.isFollowUp(segment: 0, time: 0.2))  // nothing to follow up
        s.followUp(segment: 0, after: 0.5)  // until 1.5 s
        #expect(!s.isFollowUp(segment: 0, time: 0.1))  // one follow-up interval after the last pass
        #expect(s.isFollowUp(segment: 0, time: 0.2) && !s.isDue(segment: 0, time: 0.2, changedFraction: 0))
        // Asked with the camera's spare-CPU check: a follow-up is due and 0 late only where it allows it.
        var refused = s
        #expect(refused.ask(segment: 0, time: 0.2, changedFraction: 0, allows: { $0 != .followUp }) == (false, 0, .scheduled))
        var allowed = s
        #expect(allowed.ask(segment: 0, time: 0.2, changedFraction: 0, allows: { $0 == .followUp }) == (true, 0, .followUp))
        s.ran(segment: 0, time: 0.2)
        #expect(!s.isFollowUp(segment: 0, time: 0.3) && s.isFollowUp(segment: 0, time: 0.4))
        s.ran(segment: 0, time: 0.4)
        // The schedule's pass is still due at 1 s, and the next at 2 s.
        #expect(!s.isDue(segment: 0, time: 0.8, changedFraction: 0) && s.isDue(segment: 0, time: 1.0, changedFraction: 0))
        s.ran(segment: 0, time: 1.0)
        #expect(s.isFollowUp(segment: 0, time: 1.4) && !s.isFollowUp(segment: 0, time: 1.6))  // until 1.5 s
        #expect(s.isDue(segment: 0, time: 2.0, changedFraction: 0))
        // A later undecided pass extends it, an earlier one does not shorten it; a new segment ends it.
        s.followUp(segment: 0, after: 0.8)
        s.followUp(segment: 0, after: 0.2)
        #expect(s.isFollowUp(segment: 0, time: 1.8))
        #expect(!s.isFollowUp(segment: 1, time: 1.8))
    }

    @Test func aMovingPictureIsLookedAtAtTheSpareRateOnlyWithCPUToSpare() {
        var s = PerceptionSchedule(rate: 1, gate: .motion, spareRate: 5)
        let moving = 0.01, still = 0.0
        // The first pass of a segment is scheduled, whatever the CPU.
        #expect(s.ask(segment: 0, time: 0, changedFraction: moving, allows: { _ in false }) == (true, 0, .scheduled))
        s.ran(segment: 0, time: 0)
        // Not before a spare interval, not on a still picture, not without spare CPU.
        #expect(!s.isSpare(segment: 0, time: 0.1, changedFraction: moving))
        #expect(!s.isSpare(segment: 0, time: 0.2, changedFraction: still))
        var full = s
        #expect(full.ask(segment: 0, time: 0.2, changedFraction: moving, allows: { $0 != .spare }) == (false, 0, .scheduled))
        var room = s
        #expect(room.ask(segment: 0, time: 0.2, changedFraction: moving, allows: { $0 == .spare }) == (true, 0, .spare))
        s.ran(segment: 0, time: 0.2)
        // Spare passes leave the schedule as it was: its pass is due at 1 s, late by nothing, and
        // the next at 2 s; a full node still gives the camera its one pass a second.
        #expect(!s.isSpare(segment: 0, time: 0.3, changedFraction: moving) && s.isSpare(segment: 0, time: 0.4, changedFraction: moving))
        s.ran(segment: 0, time: 0.4)
        #expect(s.ask(segment: 0, time: 1.0, changedFraction: moving, allows: { _ in true }) == (true, 0, .scheduled))
        s.ran(segment: 0, time: 1.0)
        #expect(!s.isDue(segment: 0, time: 1.8, changedFraction: moving) && s.isDue(segment: 0, time: 2.0, changedFraction: moving))
        // A follow-up is asked for before a spare pass (it is counted as what it is).
        s.followUp(segment: 0, after: 1.0)
        #expect(s.ask(segment: 0, time: 1.2, changedFraction: moving, allows: { _ in true }) == (true, 0, .followUp))
        // The `always` gate looks at a still picture too; a spare rate no higher than the rate is none.
        var always = PerceptionSchedule(rate: 1, gate: .always, spareRate: 5)
        always.ran(segment: 0, time: 0)
        #expect(always.isSpare(segment: 0, time: 0.2, changedFraction: still))
        var off = PerceptionSchedule(rate: 2, gate: .always, spareRate: 2)
        off.ran(segment: 0, time: 0)
        #expect(off.spareInterval == nil && !off.isSpare(segment: 0, time: 0.2, changedFraction: moving))
        #expect(PerceptionSchedule(PerceptionSettings()).spareInterval == nil)
        #expect(PerceptionSchedule(PerceptionSettings(spareRate: 5)).spareInterval == 0.2)
    }

    // MARK: Busy inference threads are skipped, not waited for

    @Test func aSparePassRunsOnlyOnAnUnusedLaneAndLeavesTheOtherSlotsFree() async throws {
        let load = NodeLoad(hold: 3600)
        let lane = InferenceLane(threads: 2, load: load)
        // Unused: it runs.
        #expect(try await lane.ifUnused { () throws(InferenceError) -> Int in 1 } == 1)
        let release = DispatchSemaphore(value: 0)
        let first = Task { try await lane.ifIdle { () throws(InferenceError) -> Int in release.wait(); return 1 } }
        while lane.inUse == 0 { try await Task.sleep(for: .milliseconds(5)) }
        // One slot of two taken: a spare pass does not run, a pass that is owed does; nothing is reported short.
        #expect(try await lane.ifUnused { () throws(InferenceError) -> Int in 2 } == nil)
        #expect(try await lane.ifIdle { () throws(InferenceError) -> Int in 3 } == 3)
        #expect(!load.isShort)
        release.signal()
        #expect(try await first.value == 1)
    }

    @Test func aPassFindingEveryThreadBusyIsSkippedAtOnce() async throws {
        let lane = InferenceLane(threads: 1, load: NodeLoad())
        let release = DispatchSemaphore(value: 0)
        let first = Task { try await lane.ifIdle { () throws(InferenceError) -> Int in release.wait(); return 1 } }
        while lane.inUse == 0 { try await Task.sleep(for: .milliseconds(5)) }
        let clock = ContinuousClock(), start = clock.now
        let second = try await lane.ifIdle { () throws(InferenceError) -> Int in 2 }
        #expect(second == nil)
        #expect(start.duration(to: clock.now) < .milliseconds(500))
        release.signal()
        #expect(try await first.value == 1)
        #expect(lane.inUse == 0)
        #expect(try await lane.ifIdle { () throws(InferenceError) -> Int in 3 } == 3)
    }

    final class Order: Sendable {
        let served = Mutex<[Int]>([])
        func withLock<R>(_ body: (inout [Int]) -> R) -> R { served.withLock { body(&$0) } }
    }

    @Test func passesWaitTheirTurnInTheOrderTheCamerasAskedAndSkipOnlyPastTheirTime() async throws {
        let lane = InferenceLane(threads: 1, load: NodeLoad())
        let release = DispatchSemaphore(value: 0)
        let order = Order()
        let first = Task { try await lane.ifIdle { () throws(InferenceError) -> Int in release.wait(); return 1 } }
        while lane.inUse == 0 { try await Task.sleep(for: .milliseconds(5)) }
        // Three cameras ask while the thread is busy: two may wait 5 s, one only 50 ms.
        var waiting: [Task<Int?, Error>] = []
        for (n, wait) in [(2, 5.0), (3, 0.05), (4, 5.0)] {
            let record = { @Sendable () throws(InferenceError) -> Int in order.withLock { $0.append(n) }; return n }
            waiting.append(Task { [lane] in try await lane.run(waitingAtMost: wait, record) })
            while lane.waiting < waiting.count { try await Task.sleep(for: .milliseconds(5)) }
        }
        try await Task.sleep(for: .milliseconds(200))  // past the 50 ms of the second
        release.signal()
        #expect(try await first.value == 1)
        let answers = try await [waiting[0].value, waiting[1].value, waiting[2].value]
        #expect(answers == [2, nil, 4], "\(answers)")
        #expect(order.withLock { $0 } == [2, 4])
        #expect(lane.inUse == 0 && lane.waiting == 0)
    }

    @Test func aHomeCamerasPassThenTheMostOverdueAreServedFirstAndASkipTellsTheMachineIsShort() async throws {
        let load = NodeLoad(hold: 3600)
        let lane = InferenceLane(threads: 1, load: load)
        let release = DispatchSemaphore(value: 0)
        let order = Order()
        let first = Task { try await lane.ifIdle { () throws(InferenceError) -> Int in release.wait(); return 1 } }
        while lane.inUse == 0 { try await Task.sleep(for: .milliseconds(5)) }
        // Asked in this order while the thread is busy: on time, 0.4 s overdue, 0.4 s overdue, 0.2 s
        // overdue, and a home camera's pose pass on time.
        var waiting: [Task<Int?, Error>] = []
        for (n, overdue, urgent) in [(2, 0.0, false), (3, 0.4, false), (4, 0.4, false), (5, 0.2, false), (8, 0.0, true)] {
            let record = { @Sendable () throws(InferenceError) -> Int in order.withLock { $0.append(n) }; return n }
            waiting.append(Task { [lane] in try await lane.run(waitingAtMost: 5, urgent: urgent, overdue: overdue, record) })
            while lane.waiting < waiting.count { try await Task.sleep(for: .milliseconds(5)) }
        }
        #expect(try await lane.ifIdle { () throws(InferenceError) -> Int in 6 } == nil)
        #expect(!load.isShort, "a pass that may not wait is no sign of a full machine")
        release.signal()
        #expect(try await first.value == 1)
        for task in waiting { _ = try await task.value }
        #expect(order.withLock { $0 } == [8, 3, 4, 5, 2])
        #expect(!load.isShort)

        // A pass that waited its time and was skipped says the machine is short.
        let blocked = Task { try await lane.ifIdle { () throws(InferenceError) -> Int in release.wait(); return 1 } }
        while lane.inUse == 0 { try await Task.sleep(for: .milliseconds(5)) }
        let late = Task { [lane] in try await lane.run(waitingAtMost: 0.05) { () throws(InferenceError) -> Int in 7 } }
        while lane.waiting == 0 { try await Task.sleep(for: .milliseconds(5)) }
        try await Task.sleep(for: .milliseconds(150))
        release.signal()
        #expect(try await blocked.value == 1)
        #expect(try await late.value == nil)
        #expect(load.isShort)
    }

    @Test func aPassIsOverdueByTheIntervalsSinceItWasDue() {
        var schedule = PerceptionSchedule(rate: 2, gate: .always)
        #expect(schedule.overdue(segment: 0, time: 5) == 0)  // nothing ran yet
        schedule.ran(segment: 0, time: 0)
        #expect(schedule.overdue(segment: 0, time: 0.4) == 0)
        #expect(abs(schedule.overdue(segment: 0, time: 0.8) - 0.6) < 1e-9)  // 0.3 s late on a 0.5 s interval
        #expect(schedule.overdue(segment: 1, time: 1.6) == 0)  // a new segment starts afresh
    }

    @Test func aFirstPeoplePassNeverServedGrowsLate() {
        // On a full lane a camera's first pass may be skipped frame after frame: it must grow late
        // like any other, or the cameras already served take every slot and it never gets one.
        var schedule = PerceptionSchedule(rate: 1, gate: .always)
        func asks(_ segment: Int, _ time: Double, _ due: Bool, _ overdue: Double) -> Bool {
            let ask = schedule.ask(segment: segment, time: time, changedFraction: 0)
            return ask.isDue == due && abs(ask.overdue - overdue) < 1e-9
        }
        #expect(asks(0, 3, true, 0))
        #expect(asks(0, 3.2, true, 0.2))  // skipped: 0.2 s late on a 1 s interval
        #expect(asks(0, 5, true, 2))
        schedule.ran(segment: 0, time: 5)
        #expect(asks(0, 5.4, false, 0))
        #expect(asks(0, 6.5, true, 0.5))
        // A reconnect: its first pass is late from when it was first asked for, not from before.
        #expect(asks(1, 0.2, true, 0))
        #expect(asks(1, 1.2, true, 1))
        // Stream time that went back starts the wait again.
        #expect(asks(1, 0.1, true, 0))
    }

    // MARK: A worker on a real clip

    /// PETS 2009 S2.L1 frame 100 (seven pedestrians, ChainTests) as a 3 s H.264 clip.
    static let clip: String = {
        let png = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("PerceptionTests/Fixtures/pets-frame100-416x312.png").path
        let path = Fixtures.temporaryDirectory("retina-people") + "/pets.mp4"
        let r = try! Fixtures.run(Fixtures.which("ffmpeg")!, ["-hide_banner", "-loglevel", "error", "-y", "-loop", "1", "-framerate", "5",
                                                            "-i", png, "-t", "3", "-c:v", "libx264", "-pix_fmt", "yuv420p", path])
        precondition(r.status == 0, r.output)
        return path
    }()

    @Test(.timeLimit(.minutes(1))) func theCrowdCountIsTheDetectorsAndTheEventCarriesItsBoxes() async throws {
        let dir = Fixtures.temporaryDirectory("retina-people-worker")
        let levels = "countThresholds: {blue: 1, yellow: 2, orange: 3, red: 100}"
        let cameras = try ConfigLoader.parse("""
        defaults: {analysis: {fps: 5, width: 208}, backoff: [30s], crowd: {dwell: 0s}}
        cameras:
          - id: learned
            url: "\(Self.clip)"
            perception: {gate: always, rate: 2, tiles: 1}
            zones:
              - {id: left, polygon: [[0, 0], [208, 0], [208, 312], [0, 312]], \(levels)}
              - {id: whole, polygon: [[0, 0], [416, 0], [416, 312], [0, 312]], \(levels)}
          - id: classical
            url: "\(Self.clip)"
            perception: {people: off}
            zones:
              - {id: whole, polygon: [[0, 0], [416, 0], [416, 312], [0, 312]], \(levels)}
        """, file: "test.yaml").cameras
        let store = try SQLiteEventStore(path: dir + "/events.db")
        let worker = GroupWorker(cameras: cameras, store: store, evidenceDirectory: dir + "/evidence", healthInterval: 1)
        worker.start()
        let learned = try #require(worker.pipelines.first { $0.camera.id == "learned" })
        let classical = try #require(worker.pipelines.first { $0.camera.id == "classical" })
        let until = Date().addingTimeInterval(40)
        while (learned.inferencesRun < 3 || classical.framesAnalysed < 10) && Date() < until { try await Task.sleep(for: .milliseconds(100)) }
        await worker.stop()
        #expect(learned.inferencesRun >= 3 && learned.inferenceMillisPerPass > 0)
        #expect(classical.inferencesRun == 0 && classical.inferencesSkipped == 0)
        // `retina status` shows them from the health record.
        #expect((learned.health.learned?.passes ?? 0) >= 3 && (learned.health.learned?.msPerPass ?? 0) > 0)
        #expect(classical.health.learned == nil)

        let all = try await store.list(EventQuery(types: [.crowdDensity]))
        // The camera with people detection off keeps the classical estimate (if its background warmed up at all).
        for event in all where event.source.camera == "classical" {
            #expect(event.payload[CrowdCountSource.payloadKey]?.stringValue == CrowdCountSource.estimate.rawValue)
            #expect(DetectedObject.list(in: event.payload) == nil)
        }
        let events = all.filter { $0.source.camera == "learned" }
        for zone in ["left", "whole"] {
            let event = try #require(events.first { $0.source.zone == zone }, "no crowd event for \(zone)")
            let payload = event.payload
            #expect(payload[CrowdCountSource.payloadKey]?.stringValue == CrowdCountSource.detector.rawValue)
            // Where it happened, in 0…1 of the picture, for the office to draw (the clip is 416×312).
            let outline = zone == "left" ? [[0, 0], [0.5, 0], [0.5, 1], [0, 1]] : [[0, 0], [1, 0], [1, 1], [0, 1]]
            #expect(payload["zonePolygon"] == .array(outline.map { .array($0.map { JSONValue.number($0) }) }), "\(String(describing: payload["zonePolygon"]))")
            let objects = try #require(DetectedObject.list(in: payload))
            let people = objects.filter { $0.className == "person" }
            for p in people {
                let inPicture = p.box.allSatisfy { (0.0...1.0).contains($0) }
                #expect(inPicture && p.box[2] > 0 && p.box[3] > 0 && p.score >= 0.3, "\(p)")
            }
            // Seven pedestrians on this frame (six found plus a sign taken for one, as ChainTests pins it).
            #expect((5...9).contains(people.count), "\(people.count) people")
            // The count is the number of boxes whose feet (bottom centre) are in the zone.
            let onLeft = people.filter { (p: DetectedObject) -> Bool in p.box[0] + p.box[2] / 2 < 0.5 }
            let inZone = zone == "whole" ? people.count : onLeft.count
            #expect(payload["count"]?.doubleValue == Double(inZone), "\(zone): \(payload)")
        }
        let left = try #require(events.first { $0.source.zone == "left" }?.payload["count"]?.doubleValue)
        let whole = try #require(events.first { $0.source.zone == "whole" }?.payload["count"]?.doubleValue)
        #expect(left > 0 && left < whole)

        // The office's crowd chart has each zone's series: the detector's count, in the zone's unit, with its bands.
        let samples = try await store.latestZoneSamples(since: .distantPast)
        for zone in ["left", "whole"] {
            let sample = try #require(samples.first { $0.camera == "learned" && $0.zone == zone }, "no crowd sample for \(zone)")
            #expect(sample.unit == "count" && sample.value == sample.count && sample.bands == [1, 2, 3, 100] && sample.group == "default")
        }
        #expect((5...9).contains(try #require(samples.first { $0.camera == "learned" && $0.zone == "whole" }).count))
        // The office's live wall: each camera's latest picture, a JPEG no wider than 640.
        for camera in ["learned", "classical"] {
            let live = try #require(FileManager.default.contents(atPath: dir + "/evidence/live/\(camera).jpg"), "no live picture of \(camera)")
            #expect(live.starts(with: [0xFF, 0xD8]))
        }
    }

    @Test(.timeLimit(.minutes(1))) func aDenseZoneIsCountedByTheDensityModelAtItsOwnRate() async throws {
        let dir = Fixtures.temporaryDirectory("retina-people-density")
        // Seven people make the zone dense from 3 on; the density pass runs every 1 s of video at most.
        // The level is announced after holding 1 s: on a test process busy with other suites' cameras
        // the very first density pass may be skipped (the lane's rule), and the event would open on
        // the detector's count.
        let cameras = try ConfigLoader.parse("""
        defaults: {analysis: {fps: 5, width: 208}, backoff: [600s], crowd: {dwell: 1s}}
        cameras:
          - id: dense
            url: "\(Self.clip)"
            perception: {gate: always, rate: 5, tiles: 1, denseFrom: 3, densityEvery: 1s}
            zones:
              - {id: whole, polygon: [[0, 0], [416, 0], [416, 312], [0, 312]], countThresholds: {blue: 1, yellow: 2, orange: 3, red: 100}}
        """, file: "test.yaml").cameras
        let store = try SQLiteEventStore(path: dir + "/events.db")
        let worker = GroupWorker(cameras: cameras, store: store, healthInterval: 1)
        worker.start()
        let dense = try #require(worker.pipelines.first)
        // The whole clip, once (no reconnect for 10 min: one segment), however busy the shared
        // inference thread is with other tests' cameras.
        try await worker.waitUntilPlayed(frames: 14)
        await worker.stop()
        // 3 s of video: at most one density pass a second (and at least one); detection passes up to five a second.
        #expect(dense.inferencesRun >= 3)
        #expect((1...4).contains(dense.densityPassesRun), "\(dense.densityPassesRun) density passes")
        let events = try await store.list(EventQuery(types: [.crowdDensity]))
        let event = try #require(events.first { $0.source.zone == "whole" })
        #expect(event.payload[CrowdCountSource.payloadKey]?.stringValue == CrowdCountSource.density.rawValue)
        // The density's sum, never fewer than the people the detector saw.
        let people = try #require(DetectedObject.list(in: event.payload)).filter { $0.className == "person" }
        let count = try #require(event.payload["count"]?.doubleValue)
        #expect(count >= Double(people.count), "count \(count), \(people.count) people seen")
    }

    /// A worker on `cameras` until each has analysed the whole 3-s clip once (however busy the shared
    /// inference thread is with other tests' cameras), then stopped.
    static func playOnce(_ cameras: [CameraConfig], in dir: String) async throws -> GroupWorker {
        let store = try SQLiteEventStore(path: dir + "/events.db")
        let worker = GroupWorker(cameras: cameras, store: store, healthInterval: 1)
        worker.start()
        try await worker.waitUntilPlayed(frames: 14)
        await worker.stop()
        return worker
    }

    @Test(.timeLimit(.minutes(1))) func aDenseCameraLearnsToScaleItsPassesOwnDensityAndThenRunsTheModelSeldom() async throws {
        let dir = Fixtures.temporaryDirectory("retina-people-pass-density")
        // The density model due every 0.2 s while dense (so the four frames that teach the scale come
        // within the 3-s clip), every 60 s after; the same camera with the pass's own density off.
        let cameras = try ConfigLoader.parse("""
        defaults: {analysis: {fps: 5, width: 208}, backoff: [600s]}
        cameras:
          - {id: passes, url: "\(Self.clip)", perception: {gate: always, rate: 5, denseFrom: 3, densityEvery: 0.2s, densityCheckEvery: 60s}}
          - {id: model, url: "\(Self.clip)", perception: {gate: always, rate: 5, denseFrom: 3, densityEvery: 0.2s, densityCheckEvery: 60s, passDensity: off}}
        """, file: "test.yaml").cameras
        let worker = try await Self.playOnce(cameras, in: dir)
        let passes = try #require(worker.pipelines.first { $0.camera.id == "passes" })
        let model = try #require(worker.pipelines.first { $0.camera.id == "model" })
        // This 416×312 picture goes to both models at one scale (416×320): the factor learned is about 1.
        let factor = try #require(passes.passDensityScale, "no scale learned from \(passes.densityPassesRun) density passes")
        #expect((0.8...1.25).contains(factor), "factor \(factor)")
        // `retina status` shows it (rounded to hundredths); the other camera has none.
        #expect(passes.health.learned?.densityScale == (factor * 100).rounded() / 100 && model.health.learned?.densityScale == nil)
        #expect(passes.passDensitiesUsed >= 1 && model.passDensitiesUsed == 0 && model.passDensityScale == nil)
        // Learned after four (a frame the lane skipped may add one), then none for 60 s; the other runs it on and on.
        #expect((PassDensityScale.wanted...PassDensityScale.wanted + 2).contains(passes.densityPassesRun), "\(passes.densityPassesRun) density passes")
        #expect(model.densityPassesRun > passes.densityPassesRun, "\(model.densityPassesRun) against \(passes.densityPassesRun)")
    }

    @Test(.timeLimit(.minutes(1))) func aSubstreamIsFedToTheDensityModelAtItsMainStreamsScale() async throws {
        let dir = Fixtures.temporaryDirectory("retina-people-density-scale")
        // The main stream: the same picture at twice the substream's size (832×624), read into the ring only.
        let main = dir + "/main.mp4"
        let r = try Fixtures.run(Fixtures.which("ffmpeg")!, ["-hide_banner", "-loglevel", "error", "-y", "-i", Self.clip,
                                                            "-vf", "scale=832:624", "-c:v", "libx264", "-pix_fmt", "yuv420p", main])
        try #require(r.status == 0, "\(r.output)")
        let cameras = try ConfigLoader.parse("""
        defaults: {analysis: {fps: 5, width: 208}, backoff: [600s], crowd: {dwell: 0s}}
        cameras:
          - {id: main-scale, url: "\(main)", detect: "\(Self.clip)", perception: {gate: always, denseFrom: 3, densityEvery: 1s}}
          - {id: own-scale, url: "\(main)", detect: "\(Self.clip)", perception: {gate: always, denseFrom: 3, densityEvery: 1s, densityScale: picture}}
        """, file: "test.yaml").cameras
        let worker = try await Self.playOnce(cameras, in: dir)
        let fed = Dictionary(uniqueKeysWithValues: worker.pipelines.map { ($0.camera.id, $0.densityInputSize) })
        // 416×312 scaled to the main stream's 832 (sides in multiples of 32), or at its own size (as
        // a one-stream camera's: DensityTests).
        #expect(fed["main-scale"]??.width == 832 && fed["main-scale"]??.height == 640, "\(fed)")
        #expect(fed["own-scale"]??.width == 416 && fed["own-scale"]??.height == 320, "\(fed)")
    }

    /// A worker on `cameras` until each has analysed `frames` frames (at most 40 s), then stopped, on
    /// a machine always half idle: work for spare CPU only (`NodeLoad.hasHeadroom`, `maySpare`)
    /// runs, and the tests running beside this one do not decide it.
    static func playOnAHalfIdleMachine(_ cameras: [CameraConfig], in dir: String, frames: Int) async throws -> GroupWorker {
        let idle = Mutex<UInt64>(0)
        let load = NodeLoad(sampleEvery: 0, readCPU: { idle.withLock { $0 += 1; return ($0 * 500, $0 * 1000) } })
        let worker = GroupWorker(cameras: cameras, store: try SQLiteEventStore(path: dir + "/events.db"), healthInterval: 1, load: load)
        worker.start()
        try await worker.waitUntilPlayed(frames: frames)
        await worker.stop()
        return worker
    }

    /// ffmpeg's moving test pattern (motion all over, no person for the tracks to explain it) as
    /// the clip of cameras with these perception settings, played on a half-idle machine.
    static func playPattern(seconds: Double, frames: Int, _ perception: [(id: String, settings: String)]) async throws -> GroupWorker {
        let dir = Fixtures.temporaryDirectory("retina-people-pattern")
        let clip = dir + "/pattern.mp4"
        try Fixtures.makeClip(clip, seconds: seconds, fps: 10, width: 416, height: 312)
        let cameras = try ConfigLoader.parse("""
        defaults: {analysis: {fps: 5, width: 208}, backoff: [600s], crowd: {enabled: false}}
        cameras:
        \(perception.map { "  - {id: \($0.id), url: \"\(clip)\", perception: \($0.settings)}" }.joined(separator: "\n"))
        """, file: "test.yaml").cameras
        return try await playOnAHalfIdleMachine(cameras, in: dir, frames: frames)
    }

    @Test(.timeLimit(.minutes(1))) func aPassLooksCloserWhereThePictureMovesAndNobodyIsFollowed() async throws {
        // Two passes a second: the lane is the process's, shared with the other suites' cameras.
        let worker = try await Self.playPattern(seconds: 4, frames: 15, [("closer", "{gate: always, rate: 2}"),
                                                                         ("whole", "{gate: always, rate: 2, lookCloser: off}")])
        let closer = try #require(worker.pipelines.first { $0.camera.id == "closer" })
        let whole = try #require(worker.pipelines.first { $0.camera.id == "whole" })
        #expect(closer.inferencesRun >= 3 && closer.closerLooksRun >= 1 && closer.closerLooksRun <= closer.inferencesRun,
                "\(closer.closerLooksRun) closer looks in \(closer.inferencesRun) passes")
        #expect(whole.inferencesRun >= 3 && whole.closerLooksRun == 0)
    }

    @Test(.timeLimit(.minutes(1))) func aMovingPictureGetsSparePassesOnANodeWithRoom() async throws {
        let worker = try await Self.playPattern(seconds: 8, frames: 35, [("spare", "{rate: 1, lookCloser: off, spareRate: 2.5}"),
                                                                         ("scheduled", "{rate: 1, lookCloser: off, spareRate: off}")])
        let spare = try #require(worker.pipelines.first { $0.camera.id == "spare" })
        let scheduled = try #require(worker.pipelines.first { $0.camera.id == "scheduled" })
        // 35 analysed frames are 7 s: the schedule's 7 or 8 passes, and with room spare ones between
        // them, up to 2.5 a second (not 5, for the cameras of the tests beside this one). A spare
        // pass runs only where the process's lane is unused: other tests' passes may hold it.
        #expect(scheduled.sparePassesRun == 0 && scheduled.inferencesRun <= 9, "\(scheduled.inferencesRun) passes")
        #expect(spare.sparePassesRun >= 3 && spare.inferencesRun >= scheduled.inferencesRun + 3,
                "\(spare.sparePassesRun) spare passes in \(spare.inferencesRun)")
    }

    @Test(.timeLimit(.minutes(1))) func aPersonStandingStillInAForbiddenZoneIsAnIntruder() async throws {
        // The still PETS frame: seven people who do not move, so no foreground motion says anything.
        let dir = Fixtures.temporaryDirectory("retina-people-intrusion")
        let cameras = try ConfigLoader.parse("""
        defaults: {analysis: {fps: 5, width: 208}, backoff: [600s], crowd: {enabled: false}}
        cameras:
          - id: lawn
            url: "\(Self.clip)"
            perception: {gate: always, rate: 5, tiles: 1}
            zones:
              - {id: left, kind: forbidden, polygon: [[0, 0], [208, 0], [208, 312], [0, 312]]}
        """, file: "test.yaml").cameras
        let store = try SQLiteEventStore(path: dir + "/events.db")
        let worker = GroupWorker(cameras: cameras, store: store, healthInterval: 1)
        worker.start()
        // The whole clip once (one segment: a reconnect would start new tracks), however busy the shared inference thread.
        try await worker.waitUntilPlayed(frames: 14)
        await worker.stop()
        let events = try await store.list(EventQuery(types: [.motionAnomaly]))
        let intrusions = events.filter { $0.subtype == .intrusion }
        #expect(intrusions.count == 1, "\(events.map { "\($0.subtype?.rawValue ?? "-") \($0.payload)" })")
        #expect(intrusions.first?.source.zone == "left" && intrusions.first?.payload["source"]?.stringValue == "tracks")
    }
}
