import Vocabulary

/// A zone's count (or density) expected `horizon` seconds ahead, from its recent series: the level
/// now (the mean of the last `smoothing` seconds) plus the series' linear trend over `window`
/// seconds, damped, and only when that trend stands out of the noise (its t-statistic at least
/// `significance`). Otherwise the forecast is the level now (persistence): a crowd's count swings
/// back and forth by tens of percent within a minute (the Mall's does), and extrapolating those
/// swings forecasts worse than not forecasting.
///
/// Where the zone has a counting line, the people crossing it (net in per minute, from tracks) are
/// the earlier evidence: a gathering is people arriving before the count shows a trend. While a
/// net inflow is reported (`observeInflow`), it is the forecast's rate instead of the fitted trend.
public struct CrowdForecaster: Sendable {
    public struct Settings: Sendable, Equatable {
        /// Seconds ahead.
        public var horizon: Double
        /// Seconds of history the trend is fitted on; it forecasts once half of it is there.
        public var window: Double
        public var smoothing: Double
        public var significance: Double
        /// Share of the fitted trend carried over the horizon (trends of crowds level off).
        public var damping: Double

        /// The window grows with the horizon: a minute at least, ten at most.
        public init(horizon: Double = 300, window: Double? = nil, smoothing: Double = 10, significance: Double = 3, damping: Double = 0.5) {
            self.horizon = horizon
            self.window = window ?? min(max(60, horizon), 600)
            self.smoothing = smoothing
            self.significance = significance
            self.damping = damping
        }
    }

    public struct Forecast: Sendable, Equatable {
        public enum Basis: String, Sendable { case trend, inflow, persistence }
        /// The value now (smoothed) and expected at `now + horizon`.
        public var now: Double
        public var expected: Double
        /// The fitted trend, per minute (whether or not it was used).
        public var trendPerMinute: Double
        public var basis: Basis
    }

    public let settings: Settings
    /// At most one sample a second is kept: the fit needs no more, and memory stays bounded.
    private var samples: [(t: Double, v: Double)] = []
    /// The latest net inflow reported (value units a minute) and when.
    private var inflow: (t: Double, perMinute: Double)?
    /// An inflow older than this is no longer used.
    public static let inflowValidity = 15.0

    public init(settings: Settings = Settings()) { self.settings = settings }

    /// A new value at stream time `t` (seconds). A time going back (a new segment) starts over.
    public mutating func observe(_ value: Double, at t: Double) {
        if let last = samples.last {
            if t < last.t { samples.removeAll() }
            else if t - last.t < 1 { samples[samples.count - 1] = (last.t, (last.v + value) / 2); return }
        }
        samples.append((t, value))
        let oldest = t - settings.window
        if let first = samples.firstIndex(where: { $0.t >= oldest }), first > 0 { samples.removeFirst(first) }
    }

    /// The net inflow over the zone's counting line at stream time `t`, in the value's unit a minute
    /// (people, or persons/m² for a density zone); nil: none worth using (the trend decides).
    public mutating func observeInflow(_ perMinute: Double?, at t: Double) {
        inflow = perMinute.map { (t, $0) }
    }

    /// The forecast at the latest sample; nil until half the window has been seen.
    public var forecast: Forecast? {
        guard let last = samples.last, let first = samples.first, last.t - first.t >= settings.window / 2, samples.count >= 10 else { return nil }
        let recent = samples.filter { $0.t > last.t - settings.smoothing }
        let now = recent.reduce(0) { $0 + $1.v } / Double(recent.count)
        let n = Double(samples.count)
        let mt = samples.reduce(0) { $0 + $1.t } / n, mv = samples.reduce(0) { $0 + $1.v } / n
        let sxx = samples.reduce(0) { $0 + ($1.t - mt) * ($1.t - mt) }
        let slope = samples.reduce(0) { $0 + ($1.t - mt) * ($1.v - mv) } / sxx
        let residual = samples.reduce(0) { let r = $1.v - (mv + slope * ($1.t - mt)); return $0 + r * r } / max(1, n - 2)
        let se = (residual / sxx).squareRoot()
        let significant = se == 0 ? slope != 0 : abs(slope) / se >= settings.significance
        if let inflow, abs(last.t - inflow.t) <= Self.inflowValidity {
            let expected = max(0, now + inflow.perMinute / 60 * settings.horizon * settings.damping)
            return Forecast(now: now, expected: expected, trendPerMinute: slope * 60, basis: .inflow)
        }
        let expected = significant ? max(0, now + slope * settings.horizon * settings.damping) : now
        return Forecast(now: now, expected: expected, trendPerMinute: slope * 60, basis: significant ? .trend : .persistence)
    }
}

/// When a forecast becomes a `crowd.forecast` warning: the expected value reaches a level above
/// the one the zone is at, and keeps doing so for `confirm` seconds. One warning per level until the
/// forecast falls back to the zone's level; the same level is not warned of again within `cooldown`.
public struct ForecastWarning: Sendable {
    public var confirm: Double
    public var cooldown: Double
    private var candidate: (level: CrowdLevel, since: Double)?
    private var warned: CrowdLevel = .none
    private var lastWarned: [CrowdLevel: Double] = [:]

    public init(confirm: Double = 10, cooldown: Double = 300) {
        self.confirm = confirm
        self.cooldown = cooldown
    }

    /// The level warned of at time `t`, if a warning is due now. `current` is the zone's level (its
    /// tracker's), `expected` the level of the forecast value.
    public mutating func observe(expected: CrowdLevel, current: CrowdLevel, at t: Double) -> CrowdLevel? {
        guard expected > current else {
            candidate = nil
            warned = .none
            return nil
        }
        if let c = candidate, c.level <= expected, t >= c.since {
            candidate = (c.level, c.since)
        } else {
            candidate = (expected, t)
        }
        guard let c = candidate, t - c.since >= confirm, expected > warned else { return nil }
        if let last = lastWarned[expected], t - last < cooldown, t >= last { return nil }
        warned = expected
        lastWarned[expected] = t
        return expected
    }
}
