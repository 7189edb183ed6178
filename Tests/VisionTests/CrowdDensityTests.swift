import Foundation
import SceneSynth
import Testing
import Vision
import Vocabulary

/// Crowd counting on synthetic scenes with known people: fails when the count is wrong, when a far
/// person does not count like a near one, or when people who stop walking disappear from the count.
@Suite struct CrowdDensityTests {
    static let perspective = Perspective(samples: [.init(footY: 0, heightPx: 20), .init(footY: 216, heightPx: 60)])

    /// Features of the whole picture at `seconds`, after running the scene from 0 at 5 fps.
    static func features(_ scene: SyntheticScene, at seconds: Double) -> CrowdFeatures {
        let model = SceneModel(perspective: perspective)
        let frames = Int(seconds * scene.fps)
        var smoother = FeatureSmoother(seconds: 1)
        var last = CrowdFeatures.zero
        let mask = ZoneMask(zone: .whole(width: scene.width, height: scene.height), sourceWidth: scene.width,
                            sourceHeight: scene.height, width: scene.width, height: scene.height)
        for i in 0...frames {
            let t = scene.time(ofFrame: i)
            model.update(AnalysisFrame(image: scene.render(frame: i), time: Date(timeIntervalSince1970: t), streamTime: t,
                                       segment: 1, sourceWidth: scene.width, sourceHeight: scene.height))
            last = smoother.add(CrowdFeatures.measure(model, masks: [mask])[0], at: t)
        }
        return last
    }

    /// `n` figures walking in from outside the picture so that the background starts empty, spread
    /// over rows 60…210; deterministic for a seed.
    static func walkers(_ n: Int, seed: UInt64, rows: ClosedRange<Double> = 60...210, stopAt: Double = .infinity) -> [Figure] {
        var rng = SplitMix64(seed: seed)
        return (0..<n).map { i in
            let y = rows.lowerBound + Double(rng.next() % 1000) / 1000 * (rows.upperBound - rows.lowerBound)
            let h = perspective.personHeight(atRow: y)
            let fromLeft = i % 2 == 0
            // Enter within the first 3 s, walk at 0.8 body heights per second.
            let speed = 0.8 * h * (fromLeft ? 1 : -1)
            let target = 30 + Double(rng.next() % 320)
            let start = fromLeft ? -10.0 : 394.0
            let arrive = abs(target - start) / abs(speed)
            return Figure(x: start, y: y, vx: speed, vy: 0, intensity: UInt8(30 + rng.next() % 40),
                          moveFrom: 0, moveUntil: min(stopAt, arrive + 60))
        }
    }

    static let model = fittedModel()

    static func fittedModel() -> CrowdModel {
        var samples: [(features: CrowdFeatures, count: Double)] = []
        for (n, seed) in [(2, 11), (5, 12), (8, 13), (11, 14)] as [(Int, UInt64)] {
            let scene = SyntheticScene(figures: walkers(n, seed: seed), seed: seed)
            samples.append((features(scene, at: 8), Double(scene.visibleCount(at: 8))))
        }
        return CrowdModel.fit(samples: samples, featureNames: CrowdFeatures.names, prior: nil, strength: 0.05,
                              description: "synthetic test fit")
    }

    @Test func countsHeldOutScenes() {
        let model = Self.model
        for (n, seed) in [(3, 21), (6, 22), (9, 23)] as [(Int, UInt64)] {
            let scene = SyntheticScene(figures: Self.walkers(n, seed: seed), seed: seed)
            let truth = Double(scene.visibleCount(at: 8))
            let estimate = model.count(Self.features(scene, at: 8))
            #expect(abs(estimate - truth) <= 1.2, "\(n) walkers: truth \(truth), estimate \(estimate)")
        }
    }

    @Test func aFarPersonCountsLikeANearOne() {
        let model = Self.model
        let far = SyntheticScene(figures: Self.walkers(4, seed: 31, rows: 50...90), seed: 31)
        let near = SyntheticScene(figures: Self.walkers(4, seed: 32, rows: 170...210), seed: 32)
        let a = model.count(Self.features(far, at: 8)), b = model.count(Self.features(near, at: 8))
        #expect(abs(a - b) <= 1.5, "far \(a) vs near \(b)")
        #expect(abs(a - 4) <= 1.5 && abs(b - 4) <= 1.5)
    }

    @Test func peopleWhoStopAreStillCounted() {
        // Seven people walk in and stand still from t = 5 s: a waiting crowd.
        let model = Self.model
        let scene = SyntheticScene(figures: Self.walkers(7, seed: 41, stopAt: 5), seed: 41)
        let walking = model.count(Self.features(scene, at: 5))
        let waiting = model.count(Self.features(scene, at: 20))
        #expect(abs(walking - 7) <= 1.5, "while walking: \(walking)")
        #expect(abs(waiting - 7) <= 1.5, "15 s after stopping: \(waiting)")
    }

    @Test func anEmptySceneCountsNobody() {
        let model = Self.model
        let empty = SyntheticScene(figures: [], seed: 5)
        #expect(model.count(Self.features(empty, at: 6)) < 0.8)
    }

    @Test func fitWithFewLabelsStaysNearThePrior() {
        // One labelled frame cannot support four coefficients: the ridge keeps the prior's shape.
        let prior = Self.model
        let scene = SyntheticScene(figures: Self.walkers(5, seed: 51), seed: 51)
        let f = Self.features(scene, at: 8)
        let refit = CrowdModel.fit(samples: [(f, 5)], featureNames: prior.features, prior: prior, description: "one frame")
        #expect(abs(refit.count(f) - 5) < abs(prior.count(f) - 5) + 0.01)
        for (a, b) in zip(refit.coefficients, prior.coefficients) { #expect(abs(a - b) <= abs(b) * 0.5 + 1e-3) }
    }
}

/// Warning levels: dwell, hysteresis, cooldown and updates, on values whose answer is known.
@Suite struct CrowdLevelTrackerTests {
    @Test func aLevelIsAnnouncedOnlyAfterItsDwell() {
        var t = CrowdLevelTracker(thresholds: .defaultDensity, dwell: 30, updateEvery: 15)
        var changes: [CrowdLevelTracker.Change] = []
        for s in 0..<60 { if let c = t.observe(count: 50, value: 2.2, at: Double(s)) { changes.append(c) } }
        #expect(changes.first?.kind == .raised && changes.first?.level == .yellow)
        #expect(changes.first.map { $0.since == 0 } == true)
        #expect(changes.filter { $0.kind == .raised }.count == 1)
        #expect(changes.contains { $0.kind == .updated })
    }

    @Test func anOscillatingCountNearAThresholdGivesOneEvent() {
        // Density swings between 1.8 and 2.2 around the yellow entry (2.0) every 5 s for 10 minutes.
        var t = CrowdLevelTracker(thresholds: .defaultDensity, dwell: 30, cooldown: 120, updateEvery: 15)
        var raised = 0, cleared = 0
        for s in 0..<600 {
            let value = (s / 5) % 2 == 0 ? 2.2 : 1.8
            if let c = t.observe(count: 40, value: value, at: Double(s)) {
                if c.kind == .raised { raised += 1 }
                if c.kind == .cleared { cleared += 1 }
            }
        }
        #expect(raised == 1, "raised \(raised) times")
        #expect(cleared == 0)
    }

    @Test func aSpikeShorterThanTheDwellIsIgnored() {
        var t = CrowdLevelTracker(thresholds: .defaultDensity, dwell: 30)
        var changes = 0
        for s in 0..<120 { if t.observe(count: 10, value: (20..<40).contains(s) ? 6 : 0.5, at: Double(s)) != nil { changes += 1 } }
        #expect(changes == 0)
    }

    @Test func countThresholdsAndClearing() {
        var t = CrowdLevelTracker(thresholds: CrowdThresholds(unit: .count, entry: [10, 20, 30, 40]), dwell: 5, cooldown: 0)
        var kinds: [(CrowdLevelTracker.Change.Kind, CrowdLevel)] = []
        for s in 0..<60 {
            let count = s < 20 ? 45.0 : 2.0
            if let c = t.observe(count: count, value: count, at: Double(s)), c.kind != .updated { kinds.append((c.kind, c.level)) }
        }
        #expect(kinds.map(\.0) == [.raised, .cleared])
        #expect(kinds.first?.1 == .red)
    }

    @Test func fruinLevelOfService() {
        #expect(WalkwayLOS.of(density: 0.2) == "A")
        #expect(WalkwayLOS.of(density: 0.9) == "D")
        #expect(WalkwayLOS.of(density: 3) == "F")
    }
}
