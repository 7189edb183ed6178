import Falls
import Testing

/// The fall decision on posture series written by hand (5 samples a second, a body of scale 150
/// pixels whose hips stand at row 200): what must raise an alarm, what must not.
@Suite struct FallWatchTests {
    /// `(seconds, lean, hip row)` keyframes, linearly between them, sampled 5 times a second.
    static func series(_ keys: [(t: Double, lean: Double, hipY: Double)], scale: Double = 150, hipX: Double = 300) -> [PostureSample] {
        var out: [PostureSample] = []
        var t = keys[0].t
        while t <= keys.last!.t + 1e-9 {
            let i = max(0, (keys.lastIndex { $0.t <= t } ?? 0))
            let a = keys[i], b = keys[min(i + 1, keys.count - 1)]
            let f = b.t > a.t ? (t - a.t) / (b.t - a.t) : 0
            out.append(PostureSample(time: t, lean: a.lean + f * (b.lean - a.lean), hipX: hipX, hipY: a.hipY + f * (b.hipY - a.hipY), scale: scale))
            t += 0.2
        }
        return out
    }

    static func firstAlarm(_ samples: [PostureSample?], times: [Double]? = nil, settings: FallWatch.Settings = .init()) -> FallWatch.Alarm? {
        var watch = FallWatch(settings: settings)
        for (i, s) in samples.enumerated() {
            if let alarm = watch.observe(s, at: s?.time ?? times![i]) { return alarm }
        }
        return nil
    }

    @Test func aFallToTheFloorRaisesWithinASecondOfLandingAndOnlyOnce() throws {
        // Standing 2 s, down in 0.6 s (hips 0.8 of the scale lower, body flat), lying 5 s.
        let fall = Self.series([(0, 5, 200), (2, 5, 200), (2.6, 85, 320), (7.6, 85, 320)])
        let alarm = try #require(Self.firstAlarm(fall))
        #expect(alarm.cause == .fell)
        #expect(alarm.time >= 2.6 && alarm.time <= 3.6, "\(alarm.time)")
        var watch = FallWatch()
        #expect(fall.compactMap { watch.observe($0, at: $0.time) }.count == 1)
    }

    @Test func aFallFromBedToFloorCountsFromTheFloorNotFromTheBed() throws {
        // Asleep on a bed (lying, hips at row 200) 1.4 s, falls to the floor in 0.5 s (hips 0.67
        // of the scale lower), lies there: down all along, but on the floor only from the drop.
        let fall = Self.series([(0, 85, 200), (1.4, 85, 200), (1.9, 85, 300), (6, 85, 300)])
        let alarm = try #require(Self.firstAlarm(fall))
        #expect(alarm.cause == .fell)
        #expect(alarm.downSince >= 1.6 && alarm.downSince <= 1.9, "\(alarm.downSince)")
        #expect(alarm.time - alarm.downSince >= 0.5 && alarm.time - alarm.downSince < 0.8, "\(alarm)")
    }

    @Test func aFallTowardsTheCameraThatHardlyLeansRaises() {
        // Seen from the front the body stays upright in the picture; the hips come down 0.7.
        let fall = Self.series([(0, 5, 200), (2, 5, 200), (2.8, 15, 305), (6, 15, 305)])
        #expect(Self.firstAlarm(fall)?.cause == .fell)
    }

    @Test func aFallOntoABedTipsOverFastAndRaisesOnceLyingTwoSeconds() {
        // Hips down only 0.15 (a bed), upright to flat in 0.4 s.
        let fall = Self.series([(0, 3, 200), (2, 3, 200), (2.4, 88, 222), (6, 88, 222)])
        let alarm = Self.firstAlarm(fall)
        #expect(alarm?.cause == .tipped)
        #expect(alarm.map { abs($0.downSince - 2.4) < 0.05 } == true, "lying from the tip")
        #expect(alarm.map { $0.time >= 4.4 && $0.time <= 5 } == true, "\(String(describing: alarm))")
    }

    @Test func dailyLifeDoesNotRaise() {
        // Sitting down on a chair: hips 0.4 lower in 1.5 s, the body upright.
        #expect(Self.firstAlarm(Self.series([(0, 5, 200), (2, 5, 200), (3.5, 12, 260), (10, 12, 260)])) == nil)
        // Bending over to pick something up: flat for a second, the hips where they were.
        #expect(Self.firstAlarm(Self.series([(0, 5, 200), (2, 5, 200), (2.6, 85, 205), (3.6, 85, 205), (4.2, 5, 200), (8, 5, 200)])) == nil)
        // Lying down on a bed on purpose: 3 s from upright to flat, then lying 20 s.
        #expect(Self.firstAlarm(Self.series([(0, 5, 200), (2, 5, 200), (3, 30, 215), (5, 85, 225), (25, 85, 225)])) == nil)
    }

    @Test func somebodyFoundLyingRaisesAfterTenSecondsAndNotBefore() {
        let lying = Self.series([(0, 88, 330), (12, 88, 330)])
        let alarm = Self.firstAlarm(lying)
        #expect(alarm?.cause == .foundDown)
        #expect(alarm.map { abs($0.time - 10) < 0.3 } == true)
        // Nobody in view between samples neither decides nor forgets.
        let gappy: [PostureSample?] = Self.series([(0, 5, 200), (2, 5, 200), (2.6, 85, 320), (7, 85, 320)]).map { $0.time > 2.1 && $0.time < 2.7 ? nil : $0 }
        let times = Self.series([(0, 5, 200), (2, 5, 200), (2.6, 85, 320), (7, 85, 320)]).map(\.time)
        #expect(Self.firstAlarm(gappy, times: times)?.cause == .fell)
    }

    @Test func aFlatPoseLostForTwoLooksBeforeItIsConfirmedIsNoFall() {
        // A walker whose pose comes out flat and low for two looks, is lost for two, comes back
        // flat once (an upside-down skeleton) and walks on: down 0.8 s apart, never in sight 0.5 s.
        func walker(lost: Set<Int>) -> (samples: [PostureSample?], times: [Double]) {
            let flat: Set<Int> = [11, 12, 13, 14, 15]
            let times = (0..<30).map { Double($0) * 0.2 }
            let samples: [PostureSample?] = times.enumerated().map { i, t in
                lost.contains(i) ? nil : PostureSample(time: t, lean: flat.contains(i) ? 84 : 5, hipX: 300, hipY: flat.contains(i) ? 265 : 200, scale: 150)
            }
            return (samples, times)
        }
        let twice = walker(lost: [13, 14])
        #expect(Self.firstAlarm(twice.samples, times: twice.times) == nil)
        // Missed once in a row it stays in sight: flat from 2.2 s to 3.0 s raises.
        let once = walker(lost: [13])
        #expect(Self.firstAlarm(once.samples, times: once.times)?.cause == .fell)
    }

    @Test func anotherPersonsHipsAreNoFall() {
        // The follower moves from a standing person to another, lower in the picture and far away
        // across the room: a jump of hips, not a drop.
        var a = Self.series([(0, 5, 200), (2, 5, 200)])
        let b = Self.series([(2.2, 70, 330), (6, 70, 330)], hipX: 700)
        a += b
        #expect(Self.firstAlarm(a) == nil)
    }

    @Test func settingsAreReadFromAListAndBadOnesAreRefusedByName() throws {
        let s = try FallWatch.Settings(parsing: "lean=45, drop=0.2,confirm=0.2")
        #expect(s.lyingLean == 45 && s.drop == 0.2 && s.confirm == 0.2 && s.lowDrop == FallWatch.Settings().lowDrop)
        #expect(throws: FallWatch.SettingsError.self) { try FallWatch.Settings(parsing: "tilt=45") }
        #expect(throws: FallWatch.SettingsError.self) { try FallWatch.Settings(parsing: "lean=-1") }
        #expect(throws: FallWatch.SettingsError.self) { try FallWatch.Settings(parsing: "lean") }
    }
}
