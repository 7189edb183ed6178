import Behaviour
import Perception
import Testing
import Tracking

/// The tracker: the least-cost assignment, one id per walker through crossings, misses and low
/// pass rates, ByteTrack's use of unsure detections, and kinds kept apart.
@Suite struct TrackerTests {
    static func person(_ cx: Double, _ cy: Double, w: Double = 0.04, h: Double = 0.12, score: Float = 0.9, cls: Int = COCOClass.person) -> Detection {
        Detection(classIndex: cls, score: score, box: Box(x0: cx - w / 2, y0: cy - h / 2, x1: cx + w / 2, y1: cy + h / 2))
    }

    @Test func theAssignmentHasTheLeastTotalCostAndLeavesCostlyPairsOut() {
        // Greedy would take (0,0) at 1 and then (1,1) at 9: 10. The best is 2 + 3 = 5.
        let pairs = Assignment.solve([[1, 2], [3, 9]], maxCost: 10)
        #expect(pairs.map { [$0.row, $0.column] } == [[0, 1], [1, 0]])
        // Rectangular both ways, and a pair over maxCost is not made.
        #expect(Assignment.solve([[0.1, 0.9, 0.5]], maxCost: 1).map { [$0.row, $0.column] } == [[0, 0]])
        #expect(Assignment.solve([[0.9], [0.2], [0.4]], maxCost: 1).map { [$0.row, $0.column] } == [[1, 0]])
        #expect(Assignment.solve([[0.9, 0.95]], maxCost: 0.8).isEmpty)
        #expect(Assignment.solve([], maxCost: 1).isEmpty)
    }

    @Test func twoWalkersCrossingKeepTheirIds() {
        // 5 passes a second; A walks right, B left, on rows 0.5 and 0.52; at the crossing only one is seen.
        var tracker = MultiObjectTracker()
        var idsA = Set<Int>(), idsB = Set<Int>()
        for step in 0..<40 {
            let t = Double(step) * 0.2
            let a = Self.person(0.1 + 0.02 * Double(step), 0.5), b = Self.person(0.9 - 0.02 * Double(step), 0.52)
            let crossing = abs(a.box.x0 - b.box.x0) < 0.03
            let tracks = tracker.update(crossing ? [a] : [a, b], at: t)
            for track in tracks where track.state == .confirmed && track.lastSeen == t {
                if track.detected == a.box { idsA.insert(track.id) }
                if track.detected == b.box { idsB.insert(track.id) }
            }
        }
        #expect(idsA.count == 1 && idsB.count == 1 && idsA != idsB, "A \(idsA), B \(idsB)")
    }

    @Test func aWalkerSeenOnceASecondKeepsOneIdAndAVelocity() {
        // At one pass a second a walker moves 70 % of his box's width between passes: plain IoU would
        // lose him (IoU 0.18); the buffered IoU and the predicted box keep him.
        var tracker = MultiObjectTracker()
        var ids = Set<Int>()
        for step in 0..<10 {
            let tracks = tracker.update([Self.person(0.2 + 0.028 * Double(step), 0.5)], at: Double(step))
            ids.formUnion(tracks.filter { $0.state == .confirmed }.map(\.id))
        }
        #expect(ids.count == 1, "\(ids)")
        let v = tracker.confirmed[0].velocity
        #expect(abs(v.x - 0.028) < 0.004 && abs(v.y) < 0.002, "\(v)")
    }

    @Test func someoneWhoComesIntoViewIsConfirmedAtTheSecondPassASecondLater() {
        var tracker = MultiObjectTracker()
        _ = tracker.update([Self.person(0.2, 0.5)], at: 0, aspect: 4.0 / 3)
        // A newcomer on the right walking left at 1.2 body heights a second (0.144 of the picture's
        // height, 0.108 of its width): his boxes a second apart do not overlap even grown by 30 %.
        let first = tracker.update([Self.person(0.2, 0.5), Self.person(0.8, 0.5)], at: 1, aspect: 4.0 / 3)
        #expect(first.map(\.state) == [.confirmed, .tentative])
        let second = tracker.update([Self.person(0.2, 0.5), Self.person(0.692, 0.5)], at: 2, aspect: 4.0 / 3)
        #expect(second.map(\.state) == [.confirmed, .confirmed] && second[1].id == first[1].id, "\(second.map(\.state))")
        // Two body heights away in a second is someone else (and of another size, too).
        var other = MultiObjectTracker()
        _ = other.update([Self.person(0.2, 0.5)], at: 0)
        _ = other.update([Self.person(0.2, 0.5), Self.person(0.8, 0.5)], at: 1)
        #expect(other.update([Self.person(0.2, 0.5), Self.person(0.56, 0.5)], at: 2).map(\.state) == [.confirmed, .tentative])
        #expect(other.update([Self.person(0.2, 0.5), Self.person(0.8, 0.5, h: 0.3)], at: 3).map(\.state) == [.confirmed, .tentative])
    }

    @Test func aNewTrackNeedsTwoSightingsAndAnUnseenOneEnds() {
        var tracker = MultiObjectTracker()
        // The first pass of a segment confirms at once (people already there).
        #expect(tracker.update([Self.person(0.2, 0.5)], at: 0).map(\.state) == [.confirmed])
        // Someone new: tentative, then confirmed at the second sighting.
        let second = tracker.update([Self.person(0.2, 0.5), Self.person(0.7, 0.5)], at: 0.2)
        #expect(second.map(\.state) == [.confirmed, .tentative])
        #expect(tracker.update([Self.person(0.2, 0.5), Self.person(0.7, 0.5)], at: 0.4).map(\.state) == [.confirmed, .confirmed])
        // A false positive seen once never becomes a track.
        tracker.update([Self.person(0.2, 0.5), Self.person(0.7, 0.5), Self.person(0.45, 0.2)], at: 0.6)
        tracker.update([Self.person(0.2, 0.5), Self.person(0.7, 0.5)], at: 0.8)
        #expect(tracker.tracks.count == 2)
        // Unseen: lost, kept for maxLost (1.5 s), then ended.
        tracker.update([Self.person(0.2, 0.5)], at: 1.0)
        #expect(tracker.tracks.map(\.state) == [.confirmed, .lost])
        tracker.update([Self.person(0.2, 0.5)], at: 2.2)
        #expect(tracker.tracks.count == 2)
        tracker.update([Self.person(0.2, 0.5)], at: 2.5)
        #expect(tracker.tracks.count == 1)
        // A lost track found again keeps its id.
        var back = MultiObjectTracker()
        back.update([Self.person(0.5, 0.5)], at: 0)
        back.update([], at: 0.5)
        #expect(back.tracks.first?.state == .lost)
        back.update([Self.person(0.5, 0.5)], at: 1)
        #expect(back.tracks.map(\.id) == [1] && back.tracks.first?.state == .confirmed)
    }

    @Test func unsureDetectionsKeepATrackButStartNone() {
        var tracker = MultiObjectTracker()
        tracker.update([Self.person(0.3, 0.5)], at: 0)
        // Half hidden: the detector is unsure (0.3); the track goes on with it.
        tracker.update([Self.person(0.3, 0.5, score: 0.3), Self.person(0.8, 0.5, score: 0.3)], at: 0.2)
        #expect(tracker.tracks.map(\.state) == [.confirmed] && tracker.tracks[0].lastSeen == 0.2)
        // A detection under lowScore is nothing.
        tracker.update([Self.person(0.3, 0.5, score: 0.05)], at: 0.4)
        #expect(tracker.tracks[0].state == .lost)
    }

    @Test func aBicycleDoesNotTakeAPersonsTrackAndItsClassIsVoted() {
        var tracker = MultiObjectTracker()
        tracker.update([Self.person(0.5, 0.5)], at: 0)
        // A bicycle over the person's box: a new track of its own kind.
        tracker.update([Self.person(0.5, 0.5), Self.person(0.5, 0.52, w: 0.06, h: 0.08, cls: COCOClass.bicycle)], at: 0.2)
        tracker.update([Self.person(0.5, 0.5), Self.person(0.5, 0.52, w: 0.06, h: 0.08, score: 0.7, cls: COCOClass.motorcycle)], at: 0.4)
        let kinds = tracker.confirmed.map { [$0.id: $0.kind] }
        #expect(kinds == [[1: .person], [2: .vehicle]])
        // Seen as a bicycle (0.9) and as a motorcycle (0.7): a bicycle.
        #expect(tracker.confirmed[1].classIndex == COCOClass.bicycle)
    }
}

/// A vehicle among pedestrians: a sure vehicle, or a likely one moving faster than people walk
/// here; never one detection; nothing where the normal period had vehicles.
@Suite struct VehicleWatchTests {
    static func bicycle(_ x: Double, score: Float = 0.8, cls: Int = COCOClass.bicycle) -> Detection {
        TrackerTests.person(x, 0.6, w: 0.06, h: 0.08, score: score, cls: cls)
    }

    /// Opened track ids and scores over `steps` passes at 5 a second of a vehicle moving `perPass` widths a pass.
    static func run(score: Float, perPass: Double, cls: Int = COCOClass.bicycle, steps: Int = 8, watch: inout VehicleWatch) -> (opened: [Int], scores: [Double]) {
        var tracker = MultiObjectTracker()
        tracker.update([TrackerTests.person(0.2, 0.3)], at: 0)  // the segment's first pass: people only
        var opened: [Int] = [], scores: [Double] = []
        for step in 1...steps {
            let t = Double(step) * 0.2
            let tracks = tracker.update([TrackerTests.person(0.2, 0.3), Self.bicycle(0.3 + perPass * Double(step), score: score, cls: cls)], at: t)
            let o = watch.observe(tracks, at: t, aspect: 1)
            opened += o.opened.map { $0.id }
            scores.append(o.score)
        }
        return (opened, scores)
    }

    @Test func aSureVehicleIsReportedOnceWhateverItsSpeed() {
        var watch = VehicleWatch()
        let (opened, scores) = Self.run(score: 0.8, perPass: 0.002, watch: &watch)
        #expect(opened == [2])
        // Unconfirmed at first (half), then confirmed but at walking pace: half of 0.8.
        #expect(abs(scores[0] - 0.4) < 1e-6 && scores.allSatisfy { $0 <= 0.8 + 1e-6 }, "\(scores)")
    }

    @Test func aLikelyVehicleCountsOnlyWhenFasterThanPeopleWalk() {
        // 0.03 widths a pass, 5 passes a second, box 0.08 high: about 1.9 box heights a second.
        var fast = VehicleWatch()
        let quick = Self.run(score: 0.5, perPass: 0.03, watch: &fast)
        #expect(quick.opened == [2])
        #expect(abs(quick.scores.last! - 0.5) < 0.01, "\(quick.scores)")
        // A group of walkers taken for a motorcycle, at walking pace (0.3 box heights a second): nothing.
        var slow = VehicleWatch()
        let walkers = Self.run(score: 0.5, perPass: 0.005, cls: COCOClass.motorcycle, watch: &slow)
        #expect(walkers.opened.isEmpty)
        #expect(walkers.scores.allSatisfy { $0 < 0.35 }, "\(walkers.scores)")
    }

    @Test func aBicycleSeenOnceIsNothing() {
        var tracker = MultiObjectTracker()
        var watch = VehicleWatch()
        tracker.update([TrackerTests.person(0.2, 0.5)], at: 0)
        var opened = 0
        for step in 1...5 {
            let t = Double(step) * 0.2
            let tracks = tracker.update([TrackerTests.person(0.2, 0.5)] + (step == 2 ? [Self.bicycle(0.5)] : []), at: t)
            opened += watch.observe(tracks, at: t, aspect: 1).opened.count
        }
        #expect(opened == 0)
    }

    @Test func aVehicleNotYetReportedIsUndecidedForAFewSecondsOnly() {
        var tracker = MultiObjectTracker()
        var watch = VehicleWatch()
        tracker.update([TrackerTests.person(0.2, 0.3)], at: 0)
        // A likely bicycle at walking pace: tracked, never reported; undecided while it is new.
        var undecided: [Bool] = []
        for step in 1...15 {
            let t = Double(step) * 0.2
            let tracks = tracker.update([TrackerTests.person(0.2, 0.3), Self.bicycle(0.3 + 0.002 * Double(step), score: 0.5)], at: t)
            let o = watch.observe(tracks, at: t, aspect: 1)
            #expect(o.opened.isEmpty)
            undecided.append(o.undecided)
        }
        // First seen at 0.2 s: undecided until 2 s after (decideSeconds), then what it is.
        #expect(undecided.prefix(10).allSatisfy { $0 } && undecided.suffix(5).allSatisfy { !$0 }, "\(undecided)")
        // A sure one is decided as soon as it is confirmed.
        var sure = VehicleWatch(), other = MultiObjectTracker()
        other.update([], at: 0)
        let first = sure.observe(other.update([Self.bicycle(0.5)], at: 0.2), at: 0.2, aspect: 1)
        let second = sure.observe(other.update([Self.bicycle(0.51)], at: 0.4), at: 0.4, aspect: 1)
        #expect(first.undecided && first.opened.isEmpty)
        #expect(!second.undecided && second.opened.count == 1)
    }

    @Test func aFaintVehicleIsUndecidedOnlyWhereThePictureMoves() {
        var watch = VehicleWatch(), tracker = MultiObjectTracker()
        let faint = Self.bicycle(0.5, score: 0.2)  // under the tracker's start score for vehicles
        let tracks = tracker.update([faint], at: 1)
        #expect(tracks.isEmpty)
        let moving = FlowSpeedTests.field(moving: faint.box, vx: 0.1, vy: 0, dt: 0.2, at: 1)
        let still = FlowSpeedTests.field(moving: Box(x0: 0, y0: 0, x1: 0.1, y1: 0.1), vx: 0.1, vy: 0, dt: 0.2, at: 1)
        #expect(watch.observe(tracks, detections: [faint], at: 1, aspect: 1, flow: moving).undecided)
        // A parked bicycle: no motion where it is.
        #expect(!watch.observe(tracks, detections: [faint], at: 1, aspect: 1, flow: still).undecided)
        // Fainter than `faintScore`, or a person: nothing to decide.
        #expect(!watch.observe(tracks, detections: [Self.bicycle(0.5, score: 0.1)], at: 1, aspect: 1, flow: moving).undecided)
        #expect(!watch.observe(tracks, detections: [Self.bicycle(0.5, score: 0.2, cls: COCOClass.person)], at: 1, aspect: 1, flow: moving).undecided)
    }

    @Test func theNormalPeriodSaysHowFastPeopleWalkAndWhetherVehiclesPass() {
        var tracker = MultiObjectTracker()
        var watch = VehicleWatch()
        #expect(watch.normalWalk == VehicleWatch.Settings().defaultWalk)
        // A walker crossing at 0.6 box heights a second, a sure bicycle in 10 of 50 passes (a street).
        for step in 0..<50 {
            let t = Double(step) * 0.2
            let walker = TrackerTests.person(0.1 + 0.6 * 0.12 * t, 0.5)
            watch.learn(tracker.update([walker] + (step % 5 < 2 ? [Self.bicycle(0.8)] : []), at: t), at: t, aspect: 1)
        }
        #expect(abs(watch.normalWalk - 0.6) < 0.06, "\(watch.normalWalk)")
        #expect(watch.vehiclesAreNormal)
        #expect(watch.observe(tracker.update([Self.bicycle(0.8)], at: 10.2), at: 10.2, aspect: 1).score == 0)
        // A walkway's normal period without one.
        var walkway = VehicleWatch()
        for step in 0..<50 { walkway.learn([], at: Double(step), aspect: 1) }
        #expect(!walkway.vehiclesAreNormal)
    }
}
