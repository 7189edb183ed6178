import Vocabulary

/// Motion by frame differencing, per zone: the fraction of a zone's pixels that changed since the
/// previous analysis frame. Global light changes (auto exposure, IR switch, a cloud) are taken out
/// by comparing against the previous frame scaled to the current mean brightness, and a change over
/// most of the picture is treated as a scene change, not motion.
public final class FrameDifferenceMotionDetector: Detector {
    public struct Parameters: Sendable, Equatable {
        /// Per-pixel change (0–255) that counts as motion after brightness compensation.
        public var pixelThreshold: Int = 20
        /// Fraction of a zone's pixels that must change for the zone to report motion.
        public var minZoneFraction: Double = 0.004
        /// A change over more than this fraction of the picture is a scene change (light, camera moved).
        public var sceneChangeFraction: Double = 0.6
        public init(pixelThreshold: Int = 20, minZoneFraction: Double = 0.004, sceneChangeFraction: Double = 0.6) {
            self.pixelThreshold = pixelThreshold
            self.minZoneFraction = minZoneFraction
            self.sceneChangeFraction = sceneChangeFraction
        }
    }

    public let name = "frame-difference"
    public let parameters: Parameters
    private let zones: [Zone]
    private var masks: [ZoneMask] = []
    private var previous: GrayImage?
    private var segment = -1
    private var changed: [UInt8] = []

    /// - Parameter zones: zones in source coordinates; empty means the whole picture.
    public init(zones: [Zone] = [], parameters: Parameters = Parameters()) {
        self.zones = zones
        self.parameters = parameters
    }

    public func analyse(_ frame: AnalysisFrame) -> [Detection] {
        let image = frame.image
        defer { previous = image; segment = frame.segment }
        if masks.first.map({ $0.width != image.width || $0.height != image.height }) ?? true {
            let active = zones.isEmpty ? [Zone.whole(width: frame.sourceWidth, height: frame.sourceHeight)] : zones
            masks = active.map {
                ZoneMask(zone: $0, sourceWidth: frame.sourceWidth, sourceHeight: frame.sourceHeight, width: image.width, height: image.height)
            }
            previous = nil
        }
        guard let previous, frame.segment == segment, previous.width == image.width, previous.height == image.height else {
            return []
        }

        let changedTotal = markChanged(current: image, previous: previous)
        if Double(changedTotal) > parameters.sceneChangeFraction * Double(image.pixels.count) { return [] }

        let sx = Double(frame.sourceWidth) / Double(image.width)
        let sy = Double(frame.sourceHeight) / Double(image.height)
        var detections: [Detection] = []
        for mask in masks where mask.pixelCount > 0 {
            var count = 0, minX = Int.max, minY = Int.max, maxX = -1, maxY = -1
            mask.inside.withUnsafeBufferPointer { inside in
                changed.withUnsafeBufferPointer { changed in
                    for y in 0..<image.height {
                        let row = y * image.width
                        for x in 0..<image.width where changed[row + x] & inside[row + x] != 0 {
                            count += 1
                            if x < minX { minX = x }
                            if x > maxX { maxX = x }
                            if y < minY { minY = y }
                            if y > maxY { maxY = y }
                        }
                    }
                }
            }
            let fraction = Double(count) / Double(mask.pixelCount)
            guard fraction >= parameters.minZoneFraction else { continue }
            let region = PixelRect(x: minX, y: minY, width: maxX - minX + 1, height: maxY - minY + 1).scaled(sx, sy)
            detections.append(Detection(
                type: .motionDetected, zone: mask.zone.id, score: min(1, fraction),
                region: region, measurements: ["activeFraction": fraction, "changedPixels": Double(count)]
            ))
        }
        return detections
    }

    /// Marks in `changed` the pixels that differ from the previous frame after a global light
    /// change is taken out (cur ≈ gain·prev + offset, fitted over the whole picture, where moving
    /// people are a small minority); returns how many.
    private func markChanged(current: GrayImage, previous: GrayImage) -> Int {
        let n = current.pixels.count
        var sp = 0, sc = 0, spp = 0, spc = 0
        current.pixels.withUnsafeBufferPointer { cur in
            previous.pixels.withUnsafeBufferPointer { prev in
                for i in 0..<n {
                    let p = Int(prev[i]), c = Int(cur[i])
                    sp &+= p; sc &+= c; spp &+= p * p; spc &+= p * c
                }
            }
        }
        let count = Double(n)
        let mp = Double(sp) / count, mc = Double(sc) / count
        let varP = Double(spp) / count - mp * mp, cov = Double(spc) / count - mp * mc
        var gain = varP > 1 ? cov / varP : 1
        gain = min(max(gain, 0.5), 2)
        return ImageOps.markDifferent(current, from: previous, gain: gain, offset: mc - gain * mp,
                                      threshold: parameters.pixelThreshold, into: &changed)
    }
}
