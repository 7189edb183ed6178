/// The motion the flow detector measured on its last frame: grid points of the picture that
/// changed, where they were on the frame before and how far they moved, after the 3×3 median. Other
/// parts (the tracker) read how a region of the picture moved between two people passes from it,
/// without measuring flow again.
public struct FlowField: Sendable {
    /// The analysis picture's size in pixels (the vectors' coordinates).
    public let width: Int
    public let height: Int
    /// Seconds between the two frames the vectors span.
    public let dt: Double
    /// Stream time of the later frame.
    public let time: Double
    public let vectors: [PyramidalFlow.Vector]

    public init(width: Int, height: Int, dt: Double, time: Double, vectors: [PyramidalFlow.Vector]) {
        self.width = width
        self.height = height
        self.dt = dt
        self.time = time
        self.vectors = vectors
    }

    /// Least vectors in a region for its motion to be measured (one vector can be a limb or noise).
    public static let minVectors = 2

    /// The median motion of the points that were inside the region (0…1 of the picture, at the
    /// earlier frame) in picture widths and heights per second; nil where fewer than `minVectors`
    /// points moved there (nothing changed, or nothing with texture: not the same as standing still).
    public func velocity(x0: Double, y0: Double, x1: Double, y1: Double) -> (x: Double, y: Double)? {
        let w = Double(width), h = Double(height)
        let (px0, py0, px1, py1) = (x0 * w, y0 * h, x1 * w, y1 * h)
        var dxs: [Float] = [], dys: [Float] = []
        for v in vectors {
            let x = Double(v.x), y = Double(v.y)
            guard x >= px0, x <= px1, y >= py0, y <= py1 else { continue }
            dxs.append(v.dx)
            dys.append(v.dy)
        }
        guard dxs.count >= Self.minVectors, dt > 0 else { return nil }
        dxs.sort()
        dys.sort()
        return (Double(dxs[dxs.count / 2]) / w / dt, Double(dys[dys.count / 2]) / h / dt)
    }
}
