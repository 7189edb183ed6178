import Foundation
import ModelStore
import RetinaConfig
import Vision

/// Builds a camera's detectors from its configuration (zones in source pixels, calibration, models).
/// The crowd and anomaly detectors share one `SceneModel`, so background, edges and pyramids are
/// computed once per frame.
enum DetectorFactory {
    static func zones(of camera: CameraConfig) -> [Zone] {
        // Rest and masked zones are for the fall detector and the pictures, not crowds or anomalies.
        zones(camera.zones.filter { $0.kind == .watch || $0.kind == .forbidden })
    }

    /// Configured zones as Vision's (a rest or masked zone is a plain polygon: its kind is the caller's).
    static func zones(_ configured: [ZoneConfig]) -> [Zone] {
        configured.map { z in
            Zone(id: z.id, polygon: z.polygon.map { Point(x: $0.x, y: $0.y) }, areaM2: z.areaM2,
                 kind: z.kind == .forbidden ? .forbidden : .watch,
                 schedule: z.schedule.flatMap { try? DailySchedule.parse($0).get() }, loiterSeconds: z.loiterSeconds,
                 line: z.line.map { (Point(x: $0[0].x, y: $0[0].y), Point(x: $0[1].x, y: $0[1].y)) })
        }
    }

    static func perspective(of camera: CameraConfig) -> Perspective? {
        camera.perspective.count >= 2 ? Perspective(samples: camera.perspective.map { .init(footY: $0.footY, heightPx: $0.heightPx) }) : nil
    }

    /// The camera's crowd model: its own file, or the generic one.
    static func crowdModel(for camera: CameraConfig) throws(ModelFileError) -> CrowdModel {
        if let path = camera.crowd.model { return try ModelFiles.load(path) }
        return try ModelFiles.loadGeneric().0
    }

    /// A camera's detectors. With `learnedCounts`, the crowd detector is left out of the frame-by-frame
    /// ones: the pipeline feeds it the learned people detector's counts on the frames that had a pass.
    static func detectors(for camera: CameraConfig, learnedCounts: Bool = false) throws(ModelFileError) -> CameraDetectors {
        var detectors: [any Detector] = []
        var learnedCrowd: CrowdDensityDetector?
        let zones = zones(of: camera)
        let scene = SceneModel(perspective: perspective(of: camera))
        if camera.crowd.enabled {
            var parameters = CrowdDensityDetector.Parameters()
            parameters.dwell = camera.crowd.dwell
            parameters.cooldown = camera.crowd.cooldown
            parameters.updateEvery = camera.crowd.updateEvery
            parameters.forecast = camera.crowd.forecast.map { CrowdForecaster.Settings(horizon: $0) }
            var settings: [String: CrowdDensityDetector.ZoneSettings] = [:]
            for z in camera.zones {
                if let d = z.densityThresholds { settings[z.id] = .init(thresholds: CrowdThresholds(unit: .density, entry: d)) }
                else if let c = z.countThresholds { settings[z.id] = .init(thresholds: CrowdThresholds(unit: .count, entry: c)) }
            }
            let crowd = CrowdDensityDetector(scene: scene, model: try crowdModel(for: camera),
                                             zones: zones.filter { $0.kind == .watch }, settings: settings, parameters: parameters)
            if learnedCounts { learnedCrowd = crowd } else { detectors.append(crowd) }
        }
        if camera.anomaly.enabled {
            var parameters = MotionAnomalyDetector.Parameters()
            parameters.runningSpeed = camera.anomaly.runningSpeed
            parameters.minRunningPersons = camera.anomaly.minRunningPersons
            detectors.append(MotionAnomalyDetector(scene: scene, zones: zones, parameters: parameters))
        }
        if camera.motion.enabled {
            detectors.append(FrameDifferenceMotionDetector(
                zones: zones,
                parameters: .init(pixelThreshold: camera.motion.pixelThreshold, minZoneFraction: camera.motion.minZoneFraction)
            ))
        }
        return CameraDetectors(scene: scene, everyFrame: detectors, learnedCrowd: learnedCrowd)
    }
}

/// What `DetectorFactory` builds for one camera; used by that camera's analysis task alone.
struct CameraDetectors {
    /// Shared by the detectors: background, changed pixels (the motion evidence), edges.
    let scene: SceneModel
    /// Run on every analysed frame, in order.
    let everyFrame: [any Detector]
    /// The crowd detector when the learned people detector counts its zones (not in `everyFrame`).
    let learnedCrowd: CrowdDensityDetector?
}
