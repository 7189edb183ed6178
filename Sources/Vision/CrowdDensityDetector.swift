import Foundation
import Vocabulary

/// People count and density per zone from perspective-normalised foreground and edge evidence
/// (`CrowdFeatures`) and a linear `CrowdModel`, with warning levels per zone. Reports
/// `crowd.density` detections only when a zone's level changes (after the dwell), and updates of
/// the open episode while it holds.
public final class CrowdDensityDetector: Detector {
    public struct ZoneSettings: Sendable, Equatable {
        public var thresholds: CrowdThresholds?
        public init(thresholds: CrowdThresholds?) { self.thresholds = thresholds }
    }

    public struct Parameters: Sendable, Equatable {
        /// Time constant of the feature smoothing, seconds.
        public var smoothingSeconds = 1.0
        public var dwell = 30.0
        public var cooldown = 120.0
        public var updateEvery = 15.0
        /// `crowd.forecast` warnings: the forecast's settings (its horizon); nil, none.
        public var forecast: CrowdForecaster.Settings? = CrowdForecaster.Settings()
        /// Seconds a forecast must keep expecting a higher level before it is warned of.
        public var forecastConfirm = 10.0
        /// Net people a minute over a zone's counting line from which the inflow drives its forecast.
        public var minInflowPerMinute = 3.0
        public init() {}
    }

    public let name = "crowd-density"
    public let scene: SceneModel
    public let model: CrowdModel
    public let parameters: Parameters
    private let zones: [Zone]
    private var masks: [ZoneMask] = []
    private var smoothers: [FeatureSmoother]
    private var trackers: [CrowdLevelTracker?]
    private var forecasters: [(CrowdForecaster, ForecastWarning)?] = []
    /// The latest count per zone id (nil while the background is still being learned).
    public private(set) var counts: [String: Double] = [:]

    /// A zone as the crowd chart shows it: its latest count, its value in the unit of its levels,
    /// the level, the levels' entry values (the chart's bands) and the forecast at its horizon.
    public struct Reading: Sendable, Equatable {
        public var zone: String
        public var count: Double
        public var value: Double
        public var unit: CrowdThresholds.Unit?
        public var level: CrowdLevel?
        /// Entry values of blue, yellow, orange and red.
        public var bands: [Double]
        public var forecast: Double?
        public var horizon: Double?
    }

    /// Each zone's reading now (empty until a count was measured).
    public var readings: [Reading] {
        masks.indices.compactMap { i in
            let zone = masks[i].zone
            guard let count = counts[zone.id] else { return nil }
            let tracker = trackers.indices.contains(i) ? trackers[i] : nil
            let density = zone.areaM2.map { count / $0 }
            let value = tracker?.thresholds.unit == .density ? (density ?? 0) : count
            let forecast = forecasters.indices.contains(i) ? forecasters[i]?.0 : nil
            return Reading(zone: zone.id, count: count, value: value, unit: tracker?.thresholds.unit, level: tracker?.level,
                           bands: tracker?.thresholds.entry ?? [], forecast: forecast?.forecast?.expected,
                           horizon: forecast?.settings.horizon)
        }
    }

    /// - Parameters:
    ///   - zones: empty means the whole picture as zone `all` (count only: it has no area).
    ///   - settings: thresholds per zone id; a zone with an area and no setting uses the default
    ///     density thresholds, a zone with neither has no levels (its count is still measured).
    public init(scene: SceneModel, model: CrowdModel, zones: [Zone] = [], settings: [String: ZoneSettings] = [:],
                parameters: Parameters = Parameters()) {
        self.scene = scene
        self.model = model
        self.zones = zones
        self.parameters = parameters
        smoothers = []
        trackers = []
        self.settings = settings
    }

    private let settings: [String: ZoneSettings]

    public func analyse(_ frame: AnalysisFrame) -> [Detection] {
        scene.update(frame)
        prepare(width: scene.width, height: scene.height, frame: frame)
        if scene.isFirstOfSegment {
            for i in smoothers.indices { smoothers[i].reset() }
        }
        // Until the background is learned, foreground is meaningless: no counts yet.
        guard scene.background.isWarm else {
            counts = [:]
            return []
        }
        let features = CrowdFeatures.measure(scene, masks: masks)
        var detections: [Detection] = []
        for (i, _) in masks.enumerated() {
            let f = smoothers[i].add(features[i], at: frame.streamTime)
            detections += observe(zone: i, count: model.count(f), frame: frame)
        }
        return detections
    }

    /// The same levels, from counts measured elsewhere (a learned people detector), by zone id (`all`
    /// without zones); a zone missing from `counts` has no one in it. The linear model is not used.
    public func analyse(_ frame: AnalysisFrame, counts measured: [String: Double]) -> [Detection] {
        prepare(width: frame.image.width, height: frame.image.height, frame: frame)
        return masks.indices.flatMap { observe(zone: $0, count: measured[masks[$0].zone.id] ?? 0, frame: frame) }
    }

    /// The zones (their masks at the analysis size) and their level trackers, made again when the size changes.
    private func prepare(width w: Int, height h: Int, frame: AnalysisFrame) {
        guard masks.first.map({ $0.width != w || $0.height != h }) ?? true else { return }
        let active = zones.isEmpty ? [Zone.whole(width: frame.sourceWidth, height: frame.sourceHeight)] : zones
        masks = active.map { ZoneMask(zone: $0, sourceWidth: frame.sourceWidth, sourceHeight: frame.sourceHeight, width: w, height: h) }
        smoothers = masks.map { _ in FeatureSmoother(seconds: parameters.smoothingSeconds) }
        trackers = masks.map { mask in
            let zone = mask.zone
            guard let thresholds = settings[zone.id]?.thresholds ?? (zone.areaM2 != nil ? .defaultDensity : nil) else { return nil }
            return CrowdLevelTracker(thresholds: thresholds, dwell: parameters.dwell, cooldown: parameters.cooldown,
                                     updateEvery: parameters.updateEvery)
        }
        forecasters = trackers.map { tracker in
            guard tracker != nil, let settings = parameters.forecast else { return nil }
            return (CrowdForecaster(settings: settings), ForecastWarning(confirm: parameters.forecastConfirm, cooldown: parameters.cooldown))
        }
    }

    /// The net people a minute crossing into each zone over its counting line (in − out, by zone
    /// id; `LineCrossing.perMinute`), at stream time `t`: the zone's forecast uses it while at least
    /// `minInflowPerMinute` either way.
    public func observeInflow(_ netPerMinute: [String: Double], at t: Double) {
        for i in forecasters.indices where forecasters[i] != nil {
            let zone = masks[i].zone
            guard let net = netPerMinute[zone.id] else { continue }
            let density = trackers[i]?.thresholds.unit == .density
            let value = density ? zone.areaM2.map { net / $0 } : net
            forecasters[i]!.0.observeInflow(abs(net) >= parameters.minInflowPerMinute ? value : nil, at: t)
        }
    }

    /// Zone `i`'s count fed to its level tracker (a detection when the level changes or its event is
    /// due an update) and to its forecaster (a `crowd.forecast` detection when a higher level is expected).
    private func observe(zone i: Int, count: Double, frame: AnalysisFrame) -> [Detection] {
        let mask = masks[i]
        counts[mask.zone.id] = count
        let density = mask.zone.areaM2.map { count / $0 }
        guard var tracker = trackers[i] else { return [] }
        let value = tracker.thresholds.unit == .density ? (density ?? 0) : count
        let change = tracker.observe(count: count, value: value, at: frame.streamTime)
        trackers[i] = tracker
        let warning = forecastWarning(zone: i, value: value, count: count, tracker: tracker, frame: frame)
        guard let change else { return warning.map { [$0] } ?? [] }
        var measurements = ["count": (count * 10).rounded() / 10, "peakCount": (change.peakCount * 10).rounded() / 10,
                            "trendPerMinute": (change.trendPerMinute * 10).rounded() / 10,
                            "dwellSeconds": frame.streamTime - change.since]
        var labels = ["change": change.kind.rawValue, "previousLevel": change.previous.rawValue]
        if let density {
            measurements["densityPerM2"] = (density * 100).rounded() / 100
            measurements["areaM2"] = mask.zone.areaM2
            labels["walkwayLOS"] = WalkwayLOS.of(density: density)
        }
        let level = change.kind == .cleared ? change.previous : change.level
        return [Detection(
            type: .crowdDensity, zone: mask.zone.id, score: value, measurements: measurements, labels: labels,
            level: change.kind == .cleared ? CrowdLevel.none : level,
            episode: "\(mask.zone.id):\(change.episode)",
            isUpdate: change.kind != .raised
        )] + (warning.map { [$0] } ?? [])
    }

    /// A `crowd.forecast` detection when zone `i`'s forecast has expected a level above its own for
    /// the confirmation time; the value is the zone's unit (people or persons/m²).
    private func forecastWarning(zone i: Int, value: Double, count: Double, tracker: CrowdLevelTracker, frame: AnalysisFrame) -> Detection? {
        guard var (forecaster, warning) = forecasters[i] else { return nil }
        forecaster.observe(value, at: frame.streamTime)
        defer { forecasters[i] = (forecaster, warning) }
        guard let f = forecaster.forecast else { return nil }
        let expected = tracker.thresholds.level(for: f.expected, current: .none)
        guard let level = warning.observe(expected: expected, current: tracker.level, at: frame.streamTime) else { return nil }
        let round = { (v: Double) in (v * 100).rounded() / 100 }
        return Detection(
            type: .crowdForecast, zone: masks[i].zone.id, score: f.expected,
            measurements: ["count": (count * 10).rounded() / 10, "now": round(f.now), "expected": round(f.expected),
                           "horizonSeconds": forecaster.settings.horizon, "trendPerMinute": round(f.trendPerMinute)],
            labels: ["currentLevel": tracker.level.rawValue, "unit": tracker.thresholds.unit.rawValue, "basis": f.basis.rawValue],
            level: level
        )
    }
}
