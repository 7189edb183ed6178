import Foundation
import Testing
import Vision
import Vocabulary

/// The crowd forecast: a trend that stands out of the noise is carried ahead, swings are not; a
/// higher level expected for long enough becomes one `crowd.forecast` warning before the level is reached.
@Suite struct CrowdForecastTests {
    /// A deterministic wobble of ±`amplitude` (no two neighbouring seconds alike).
    static func wobble(_ t: Double, _ amplitude: Double) -> Double { amplitude * sin(t * 1.7) * cos(t * 0.31) }

    @Test func aSteadyRiseIsCarriedAheadDamped() throws {
        var f = CrowdForecaster(settings: .init(horizon: 60))
        #expect(f.settings.window == 60)
        for t in stride(from: 0.0, through: 60, by: 0.5) { f.observe(10 + 0.2 * t + Self.wobble(t, 1), at: t) }
        let forecast = try #require(f.forecast)
        #expect(forecast.basis == .trend)
        #expect(abs(forecast.trendPerMinute - 12) < 1.5, "\(forecast)")
        // Now about 21–22 (the last 10 s); half of the 12 per minute over the next minute on top.
        #expect(abs(forecast.expected - (forecast.now + 6)) < 1, "\(forecast)")
    }

    @Test func swingsWithoutATrendAreForecastAsTheyAreNow() throws {
        var f = CrowdForecaster(settings: .init(horizon: 60))
        for t in stride(from: 0.0, through: 120, by: 0.5) { f.observe(30 + Self.wobble(t, 8), at: t) }
        let forecast = try #require(f.forecast)
        #expect(forecast.basis == .persistence)
        #expect(forecast.expected == forecast.now)
    }

    @Test func nothingUntilHalfTheWindowAndATimeGoingBackStartsOver() {
        var f = CrowdForecaster(settings: .init(horizon: 60))
        for t in stride(from: 0.0, through: 29, by: 1) { f.observe(10, at: t) }
        #expect(f.forecast == nil)
        f.observe(10, at: 30)
        #expect(f.forecast != nil)
        f.observe(10, at: 2)  // a new segment after a reconnect
        #expect(f.forecast == nil)
    }

    @Test func aWarningNeedsTheHigherLevelExpectedForTheConfirmationTime() {
        var w = ForecastWarning(confirm: 10, cooldown: 300)
        #expect(w.observe(expected: .yellow, current: .blue, at: 0) == nil)
        #expect(w.observe(expected: .yellow, current: .blue, at: 9) == nil)
        #expect(w.observe(expected: .yellow, current: .blue, at: 10) == .yellow)
        // Once per level: not again while it is still expected, but a higher level is warned of.
        #expect(w.observe(expected: .yellow, current: .blue, at: 20) == nil)
        #expect(w.observe(expected: .orange, current: .blue, at: 21) == .orange)
        // The zone reaches the level: the warning is over; a new rise to yellow within the cooldown is not warned again.
        #expect(w.observe(expected: .yellow, current: .yellow, at: 30) == nil)
        #expect(w.observe(expected: .yellow, current: .blue, at: 40) == nil)
        #expect(w.observe(expected: .yellow, current: .blue, at: 60) == nil)
        // After the cooldown it is (expected all along since 40 s: confirmed long ago).
        #expect(w.observe(expected: .yellow, current: .blue, at: 400) == .yellow)
        // A single moment of a lower expectation restarts the confirmation.
        var v = ForecastWarning(confirm: 10, cooldown: 300)
        _ = v.observe(expected: .red, current: .none, at: 0)
        _ = v.observe(expected: .none, current: .none, at: 5)
        #expect(v.observe(expected: .red, current: .none, at: 12) == nil)
        #expect(v.observe(expected: .red, current: .none, at: 21) == nil)
        #expect(v.observe(expected: .red, current: .none, at: 22) == .red)
    }

    /// A zone counted by a learned detector (counts come from outside) with count levels at 15, 25, 35, 45 and a 60 s forecast.
    static func countedZone(_ id: String) -> CrowdDensityDetector {
        var parameters = CrowdDensityDetector.Parameters()
        parameters.dwell = 5
        parameters.forecast = CrowdForecaster.Settings(horizon: 60)
        let zone = Zone(id: id, polygon: [Point(x: 0, y: 0), Point(x: 64, y: 0), Point(x: 64, y: 48), Point(x: 0, y: 48)])
        return CrowdDensityDetector(scene: SceneModel(perspective: nil), model: CrowdModel(description: "unused: counts come from outside", features: [], coefficients: [], intercept: 0), zones: [zone],
                                    settings: [id: .init(thresholds: CrowdThresholds(unit: .count, entry: [15, 25, 35, 45]))],
                                    parameters: parameters)
    }

    @Test func aGatheringIsWarnedOfBeforeItReachesTheLevel() throws {
        // 10 people, then 20 more arriving over two minutes.
        let detector = Self.countedZone("plaza")
        var warnings: [(t: Double, d: Detection)] = [], reached: Double?
        for t in stride(from: 0.0, through: 240, by: 1) {
            let count = (t < 60 ? 10 : min(30, 10 + (t - 60) / 6)) + Self.wobble(t, 1.5)
            let frame = AnalysisFrame(image: GrayImage(width: 64, height: 48, pixels: [UInt8](repeating: 0, count: 64 * 48)),
                                      time: Date(timeIntervalSince1970: t), streamTime: t, segment: 0, sourceWidth: 64, sourceHeight: 48)
            for d in detector.analyse(frame, counts: ["plaza": count]) {
                if d.type == .crowdForecast { warnings.append((t, d)) }
                if d.type == .crowdDensity, d.level == .yellow, reached == nil { reached = t }
            }
        }
        let yellowReached = try #require(reached)
        let yellow = try #require(warnings.first { $0.d.level == .yellow })
        // Half the trend carried over the 60 s horizon: a warning about 15 s ahead of the level.
        #expect(yellow.t <= yellowReached - 10, "warned at \(yellow.t) s, yellow reached at \(yellowReached) s")
        #expect(yellow.d.labels["basis"] == "trend" && yellow.d.measurements["horizonSeconds"] == 60)
        #expect(warnings.allSatisfy { $0.d.level! > .blue }, "\(warnings.map(\.d.level))")
        // Nothing is forecast above what the gathering reached (30 people: yellow, never orange).
        #expect(!warnings.contains { $0.d.level! >= .orange && $0.t > 200 })
    }

    @Test func peopleArrivingOverTheDoorLeadTheForecastWhileTheyArrive() throws {
        var f = CrowdForecaster(settings: .init(horizon: 60))
        for t in stride(from: 0.0, through: 40, by: 1) { f.observe(10 + Self.wobble(t, 1), at: t) }
        #expect(try #require(f.forecast).basis == .persistence)
        // 12 people a minute net coming in: half of it carried over the minute ahead, at once.
        f.observeInflow(12, at: 40)
        let leading = try #require(f.forecast)
        #expect(leading.basis == .inflow && abs(leading.expected - (leading.now + 6)) < 1e-9, "\(leading)")
        // An inflow not reported again for 15 s is over.
        for t in stride(from: 41.0, through: 56, by: 1) { f.observe(10 + Self.wobble(t, 1), at: t) }
        #expect(try #require(f.forecast).basis == .persistence)
        f.observeInflow(12, at: 56)
        f.observeInflow(nil, at: 57)
        #expect(try #require(f.forecast).basis == .persistence)
    }

    @Test func aZonesNetInflowCountsFromThreeAMinute() throws {
        let detector = Self.countedZone("hall")
        func run(netPerMinute: Double) -> [Detection] {
            var warnings: [Detection] = []
            for t in stride(from: 0.0, through: 120, by: 1) {
                let frame = AnalysisFrame(image: GrayImage(width: 64, height: 48, pixels: [UInt8](repeating: 0, count: 64 * 48)),
                                          time: Date(timeIntervalSince1970: t), streamTime: t, segment: 0, sourceWidth: 64, sourceHeight: 48)
                detector.observeInflow(["hall": netPerMinute], at: t)
                warnings += detector.analyse(frame, counts: ["hall": 22]).filter { $0.type == .crowdForecast }
            }
            return warnings
        }
        // 22 people, steady (blue); 2 a minute more coming in than leaving is not evidence enough.
        #expect(run(netPerMinute: 2).isEmpty)
        // 20 a minute: 22 + 10 expected a minute ahead, yellow, warned of before anyone counts it.
        let warned = run(netPerMinute: 20)
        #expect(warned.first?.level == .yellow && warned.first?.labels["basis"] == "inflow", "\(warned)")
    }
}

