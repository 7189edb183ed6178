import RetinaConfig
import Vision

/// Builds a camera's detectors from its configuration (zones in source pixels, parameters).
enum DetectorFactory {
    static func zones(of camera: CameraConfig) -> [Zone] {
        camera.zones.map { z in
            Zone(id: z.id, polygon: z.polygon.map { Point(x: $0.x, y: $0.y) }, areaM2: z.areaM2,
                 kind: z.kind == .forbidden ? .forbidden : .watch)
        }
    }

    static func detectors(for camera: CameraConfig) -> [any Detector] {
        var detectors: [any Detector] = []
        if camera.motion.enabled {
            detectors.append(FrameDifferenceMotionDetector(
                zones: zones(of: camera),
                parameters: .init(pixelThreshold: camera.motion.pixelThreshold, minZoneFraction: camera.motion.minZoneFraction)
            ))
        }
        return detectors
    }
}
