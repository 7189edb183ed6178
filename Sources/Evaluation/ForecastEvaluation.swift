import Vision
import Vocabulary

/// Scores the crowd forecast on a real count series, against persistence (the count now taken as the
/// count ahead), as the worker runs it: the same `CrowdForecaster`, levels and `ForecastWarning`.
///
/// The truth at a time is the series' mean over ±`truthHalfWidth` seconds (a level is a sustained
/// count, not one frame's). A level is reached when that truth enters it from below (leaving needs
/// the thresholds' hysteresis). A warning of level L is in time for the first arrival at L or above
/// within the horizon after it (plus the confirmation time); a warning that no arrival follows is false.
public struct ForecastEvaluation: Sendable {
    public var horizon: Double
    public var thresholds: CrowdThresholds
    public var confirm = 10.0
    public var truthHalfWidth = 5.0

    public init(horizon: Double, thresholds: CrowdThresholds) {
        self.horizon = horizon
        self.thresholds = thresholds
    }

    public struct Arrival: Sendable, Equatable, Codable {
        public var level: String
        public var time: Double
        /// Seconds between the first warning of this level (or above) in time for it and the arrival; nil: not warned ahead.
        public var leadSeconds: Double?
    }

    public struct Warning: Sendable, Equatable, Codable {
        public var level: String
        public var time: Double
        public var expected: Double
        public var now: Double
        public var falseAlarm: Bool
    }

    public struct Report: Sendable, Equatable, Codable {
        public var samples: Int
        public var seconds: Double
        public var horizonSeconds: Double
        /// Mean absolute error of the value expected `horizon` ahead against the truth then; nil when
        /// the series is too short to have a truth `horizon` after any forecast.
        public var forecastMAE: Double?
        public var persistenceMAE: Double?
        /// Share of forecasts that used a trend (the rest were persistence).
        public var trendShare: Double
        public var arrivals: [Arrival]
        public var warnings: [Warning]
        public var warnedAhead: Int { arrivals.count { $0.leadSeconds != nil } }
        public var falseWarnings: Int { warnings.count { $0.falseAlarm } }
    }

    /// `series`: (seconds, count), in time order.
    public func evaluate(_ series: [(t: Double, count: Double)], settings: CrowdForecaster.Settings) -> Report {
        let truth = centredMeans(series)
        var forecaster = CrowdForecaster(settings: settings)
        var warner = ForecastWarning(confirm: confirm, cooldown: 0)
        var current = CrowdLevel.none
        var errors: [Double] = [], persistence: [Double] = [], trends = 0, forecasts = 0
        var warnings: [Warning] = []
        var ahead = 0  // index of the sample `horizon` after the current one
        for s in series {
            forecaster.observe(s.count, at: s.t)
            guard let f = forecaster.forecast else { continue }
            forecasts += 1
            if f.basis == .trend { trends += 1 }
            current = thresholds.level(for: f.now, current: current)
            while ahead < series.count, series[ahead].t < s.t + horizon { ahead += 1 }
            if ahead < series.count, abs(series[ahead].t - s.t - horizon) < 1 {
                errors.append(abs(f.expected - truth[ahead]))
                persistence.append(abs(f.now - truth[ahead]))
            }
            if let level = warner.observe(expected: thresholds.level(for: f.expected, current: .none), current: current, at: s.t) {
                warnings.append(Warning(level: level.rawValue, time: s.t, expected: f.expected, now: f.now, falseAlarm: true))
            }
        }
        // Arrivals of the truth at each level.
        var arrivals: [Arrival] = []
        var held = CrowdLevel.none
        for (i, s) in series.enumerated() {
            let level = thresholds.level(for: truth[i], current: held)
            if level > held {
                for rank in (held.rank + 1)...level.rank { arrivals.append(Arrival(level: CrowdLevel(rank: rank)!.rawValue, time: s.t, leadSeconds: nil)) }
            }
            held = level
        }
        let window = horizon + confirm
        for a in arrivals.indices {
            let level = CrowdLevel(rawValue: arrivals[a].level)!
            if let first = warnings.first(where: { CrowdLevel(rawValue: $0.level)! >= level && $0.time < arrivals[a].time && arrivals[a].time - $0.time <= window }) {
                arrivals[a].leadSeconds = arrivals[a].time - first.time
            }
        }
        for w in warnings.indices {
            let level = CrowdLevel(rawValue: warnings[w].level)!
            warnings[w].falseAlarm = !arrivals.contains { CrowdLevel(rawValue: $0.level)! >= level && $0.time > warnings[w].time && $0.time - warnings[w].time <= window }
        }
        return Report(samples: series.count, seconds: (series.last?.t ?? 0) - (series.first?.t ?? 0), horizonSeconds: horizon,
                      forecastMAE: errors.isEmpty ? nil : mean(errors), persistenceMAE: persistence.isEmpty ? nil : mean(persistence),
                      trendShare: forecasts == 0 ? 0 : Double(trends) / Double(forecasts), arrivals: arrivals, warnings: warnings)
    }

    /// Each sample's mean over ±`truthHalfWidth` seconds, in one pass (a day's series is long).
    private func centredMeans(_ series: [(t: Double, count: Double)]) -> [Double] {
        var lo = 0, hi = 0, sum = 0.0
        return series.map { s in
            while hi < series.count, series[hi].t <= s.t + truthHalfWidth { sum += series[hi].count; hi += 1 }
            while series[lo].t < s.t - truthHalfWidth { sum -= series[lo].count; lo += 1 }
            return sum / Double(hi - lo)
        }
    }

    private func mean<S: Sequence>(_ values: S) -> Double where S.Element == Double {
        var sum = 0.0, n = 0
        for v in values { sum += v; n += 1 }
        return n == 0 ? 0 : sum / Double(n)
    }
}
