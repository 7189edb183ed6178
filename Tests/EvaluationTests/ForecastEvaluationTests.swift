import Evaluation
import Testing
import Vision

/// The forecast's scoring: arrivals at levels, warnings in time for them and false ones, and the
/// error at the horizon beside persistence.
@Suite struct ForecastEvaluationTests {
    let evaluation = ForecastEvaluation(horizon: 60, thresholds: CrowdThresholds(unit: .count, entry: [15, 25, 35, 45]))

    static func series(_ count: (Double) -> Double, seconds: Double = 400) -> [(t: Double, count: Double)] {
        stride(from: 0.0, through: seconds, by: 1).map { ($0, count($0)) }
    }

    @Test func aSteadyGatheringIsWarnedAheadAndForecastBetterThanPersistence() throws {
        // 10 people, then one more every 6 s from 100 s to 280 s (40 people).
        let report = evaluation.evaluate(Self.series { t in 10 + min(30, max(0, t - 100) / 6) + (t.truncatingRemainder(dividingBy: 2) == 0 ? 1 : -1) },
                                         settings: CrowdForecaster.Settings(horizon: 60))
        #expect(report.arrivals.map(\.level) == ["blue", "yellow", "orange"])
        // Blue comes 31 s into the rise, before the trend stands out of a 60 s window; the next levels are warned ahead.
        #expect(report.arrivals[0].leadSeconds == nil)
        #expect(report.arrivals.dropFirst().allSatisfy { ($0.leadSeconds ?? 0) >= 10 }, "\(report.arrivals)")
        #expect(report.falseWarnings == 0, "\(report.warnings)")
        #expect(try #require(report.forecastMAE) < (try #require(report.persistenceMAE)))
    }

    @Test func aWarningNoArrivalFollowsIsFalse() {
        // A rise to 24 (the blue threshold is 15, yellow 25) that stops short of yellow, then stays.
        let report = evaluation.evaluate(Self.series { t in 10 + min(14, max(0, t - 100) / 5) }, settings: CrowdForecaster.Settings(horizon: 60))
        #expect(report.arrivals.map(\.level) == ["blue"])
        let yellow = report.warnings.filter { $0.level == "yellow" }
        #expect(!yellow.isEmpty && yellow.allSatisfy(\.falseAlarm), "\(report.warnings)")
        #expect(report.falseWarnings == yellow.count)
    }

    @Test func aFlatSeriesHasNeitherArrivalsNorWarnings() {
        let report = evaluation.evaluate(Self.series { t in 5 + (t.truncatingRemainder(dividingBy: 3)) }, settings: CrowdForecaster.Settings(horizon: 60))
        #expect(report.arrivals.isEmpty && report.warnings.isEmpty)
        #expect(report.trendShare < 0.2)
        #expect(report.samples == 401 && report.seconds == 400)
    }

    @Test func aSeriesShorterThanTheHorizonHasNoErrorToReport() {
        let report = ForecastEvaluation(horizon: 300, thresholds: evaluation.thresholds).evaluate(Self.series({ _ in 5 }, seconds: 400),
                                                                                                   settings: CrowdForecaster.Settings(horizon: 300))
        #expect(report.forecastMAE == nil && report.persistenceMAE == nil)
    }
}
