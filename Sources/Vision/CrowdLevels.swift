import Foundation
import Vocabulary

/// Fruin's walkway level of service; the warning levels themselves are `Vocabulary.CrowdLevel`.
public enum WalkwayLOS {
    /// Level of service (A–F) for a density in persons/m² (STANDARDS-NOTES §5.1).
    public static func of(density: Double) -> String {
        switch density {
        case ..<0.31: "A"
        case ..<0.43: "B"
        case ..<0.72: "C"
        case ..<1.08: "D"
        case ..<2.15: "E"
        default: "F"
        }
    }
}

/// The values at which a zone enters blue, yellow, orange and red, in persons/m² (zones with a
/// known area) or in people (count-based zones).
public struct CrowdThresholds: Sendable, Equatable {
    public enum Unit: String, Sendable { case density, count }
    public var unit: Unit
    /// Entry values for blue, yellow, orange, red (ascending).
    public var entry: [Double]
    /// A level is left only when the value falls this fraction below its entry value.
    public var hysteresis: Double

    /// STANDARDS-NOTES §7.2: blue 1.5, yellow 2.0, orange 3.5, red 5.0 persons/m².
    public static let defaultDensity = CrowdThresholds(unit: .density, entry: [1.5, 2.0, 3.5, 5.0], hysteresis: 0.15)

    public init(unit: Unit, entry: [Double], hysteresis: Double = 0.15) {
        self.unit = unit
        self.entry = entry
        self.hysteresis = hysteresis
    }

    /// The level a value indicates, given the level held now (leaving a level needs the hysteresis margin).
    public func level(for value: Double, current: CrowdLevel) -> CrowdLevel {
        var raw = CrowdLevel.none
        for (i, t) in entry.enumerated() where value >= t { raw = CrowdLevel(rank: i + 1)! }
        if raw < current, current != .none, value >= entry[current.rank - 1] * (1 - hysteresis) {
            // Still within the margin below the current level's entry value: hold it.
            return current
        }
        return raw
    }
}

/// Turns a zone's smoothed count into level events: a new level must hold for `dwell` seconds
/// before it is announced; while it holds, the open event is updated every `updateEvery` seconds
/// (count, peak, trend) instead of raising new ones; after an announcement, a fall back to a
/// level announced less than `cooldown` seconds ago is not announced again (no flapping). Rises
/// above every level of the cooldown window are always announced.
public struct CrowdLevelTracker: Sendable {
    public struct Change: Sendable, Equatable {
        public enum Kind: String, Sendable { case raised, updated, cleared }
        public var kind: Kind
        public var level: CrowdLevel
        public var previous: CrowdLevel
        /// Identifies the episode (zone at this level since this time): its event is updated, not duplicated.
        public var episode: String
        public var since: Double
        public var count: Double
        public var peakCount: Double
        /// People per minute, over the last minute.
        public var trendPerMinute: Double
    }

    public var thresholds: CrowdThresholds
    public var dwell: Double
    public var cooldown: Double
    public var updateEvery: Double
    public private(set) var level = CrowdLevel.none
    private var candidate: (level: CrowdLevel, since: Double)?
    private var episodeStart = 0.0
    private var lastUpdate = 0.0
    private var peak = 0.0
    private var history: [(t: Double, count: Double)] = []
    private var announced: [(t: Double, level: CrowdLevel, start: Double)] = []
    /// The current episode was not announced (a flap back within the cooldown): no updates either.
    private var silent = false

    public init(thresholds: CrowdThresholds, dwell: Double = 30, cooldown: Double = 120, updateEvery: Double = 15) {
        self.thresholds = thresholds
        self.dwell = dwell
        self.cooldown = cooldown
        self.updateEvery = updateEvery
    }

    /// Feeds one observation at time `t` (seconds); `value` is in the thresholds' unit.
    public mutating func observe(count: Double, value: Double, at t: Double) -> Change? {
        history.append((t, count))
        history.removeAll { t - $0.t > 60 }
        peak = max(peak, count)
        var indicated = thresholds.level(for: value, current: level)
        // A rise that is pending its dwell keeps the hysteresis margin too: a value that hovers
        // around an entry value still enters the level once (instead of never, or dozens of times).
        if let c = candidate, c.level > level, thresholds.level(for: value, current: c.level) >= c.level {
            indicated = c.level
        }
        guard indicated != level else {
            candidate = nil
            if level != .none, !silent, t - lastUpdate >= updateEvery {
                lastUpdate = t
                return change(.updated, previous: level, at: t, count: count)
            }
            return nil
        }
        if candidate?.level != indicated { candidate = (indicated, t) }
        guard let c = candidate, t - c.since >= dwell else { return nil }
        candidate = nil
        let previous = level
        let previousEpisode = "\(previous.rawValue)@\(Int(episodeStart))"
        announced.removeAll { t - $0.t > cooldown }
        let risesAboveRecent = announced.allSatisfy { indicated > $0.level }
        level = indicated
        episodeStart = c.since
        lastUpdate = t
        peak = count
        if indicated == .none {
            let wasSilent = silent
            silent = false
            guard !wasSilent else { return nil }
            var cleared = change(.cleared, previous: previous, at: t, count: count)
            cleared.episode = previousEpisode
            return cleared
        }
        if !risesAboveRecent {
            // Back to a level announced moments ago: no new event. If that level's episode is recent,
            // carry on with it (its event is updated); otherwise stay silent until the level changes.
            if let same = announced.last(where: { $0.level == indicated }) {
                episodeStart = same.start
                silent = false
            } else {
                silent = true
            }
            return nil
        }
        silent = false
        announced.append((t, indicated, episodeStart))
        return change(.raised, previous: previous, at: t, count: count)
    }

    private func change(_ kind: Change.Kind, previous: CrowdLevel, at t: Double, count: Double) -> Change {
        Change(kind: kind, level: level, previous: previous, episode: "\(level.rawValue)@\(Int(episodeStart))",
               since: episodeStart, count: count, peakCount: peak, trendPerMinute: trend())
    }

    /// Least-squares slope of the last minute's counts, in people per minute.
    private func trend() -> Double {
        guard history.count >= 2 else { return 0 }
        let n = Double(history.count)
        let mt = history.reduce(0) { $0 + $1.t } / n, mc = history.reduce(0) { $0 + $1.count } / n
        let sxx = history.reduce(0) { $0 + ($1.t - mt) * ($1.t - mt) }
        let sxy = history.reduce(0) { $0 + ($1.t - mt) * ($1.count - mc) }
        return sxx > 0 ? sxy / sxx * 60 : 0
    }
}
