import Perception
import Tracking
import Vision

/// Where a camera's people detector should look closer on its next pass: the part of the picture
/// where the optical flow moves fastest and no track explains it. A far cyclist or a person the
/// whole picture shrank below the detector's reach moves pixels before he is found; a crop there,
/// scaled up into the detector's input, gives him about twice the pixels (the size of a 2×2 tile),
/// for one inference instead of a tile plan's four.
public enum MotionFocus {
    public struct Settings: Sendable, Equatable {
        /// The crop's side as a fraction of the picture's (each way): a 2×2 tile plan's tile.
        public var size = 1 / (2 - TilePlan.overlap)
        /// Least moving points outside every track for the motion to be looked at (one or two are a limb or noise).
        public var minVectors = 3
        /// A track's box widened by this fraction of its size each way still explains the flow
        /// next to it (its limbs and shadow).
        public var trackMargin = 0.15

        public init() {}
    }

    /// Most points tried as a window's centre: the work stays O(200 × points) however much moves.
    static let maxCentres = 200

    /// The region (0…1 of the picture) to look closer at, or nil where every moving point is on a
    /// followed object or too few moved. `tracks`: the boxes of the objects followed now, where
    /// they are on this frame (0…1).
    public static func region(_ flow: FlowField, tracks: [Box], settings: Settings = Settings()) -> Box? {
        guard flow.width > 0, flow.height > 0, flow.dt > 0 else { return nil }
        let w = Double(flow.width), h = Double(flow.height)
        let widened = tracks.map { $0.grown(by: settings.trackMargin) }
        // The moving points no track explains: where each was (0…1) and how fast it moved (picture heights a second).
        var points: [(x: Double, y: Double, speed: Double)] = []
        for v in flow.vectors {
            let x = Double(v.x) / w, y = Double(v.y) / h
            if widened.contains(where: { x >= $0.x0 && x <= $0.x1 && y >= $0.y0 && y <= $0.y1 }) { continue }
            let speed = (Double(v.dx * v.dx + v.dy * v.dy)).squareRoot() / h / flow.dt
            points.append((x, y, speed))
        }
        guard points.count >= settings.minVectors else { return nil }
        // The crop-sized window, centred on one of the points, holding the most motion (the sum
        // of its points' speeds: a fast object outweighs slow sway). At most `maxCentres` of them
        // are tried as centres (every k-th): a window is much larger than the flow's grid step.
        let half = settings.size / 2
        var best: (motion: Double, cx: Double, cy: Double)?
        let step = max(1, points.count / Self.maxCentres)
        for p in stride(from: 0, to: points.count, by: step).map({ points[$0] }) {
            var motion = 0.0, count = 0, sx = 0.0, sy = 0.0
            for q in points where abs(q.x - p.x) <= half && abs(q.y - p.y) <= half {
                motion += q.speed
                count += 1
                sx += q.x * q.speed
                sy += q.y * q.speed
            }
            guard count >= settings.minVectors, motion > (best?.motion ?? 0) else { continue }
            best = (motion, sx / motion, sy / motion)
        }
        guard let best else { return nil }
        // Centred on the window's motion, moved inside the picture.
        let x0 = min(max(best.cx - half, 0), 1 - settings.size), y0 = min(max(best.cy - half, 0), 1 - settings.size)
        return Box(x0: x0, y0: y0, x1: x0 + settings.size, y1: y0 + settings.size)
    }
}
