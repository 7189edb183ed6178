/// Draws a pose's skeleton and its region onto packed 8-bit BGR pixels, for a person to look at.
public enum PoseDrawing {
    /// The limbs drawn: shoulders, arms, trunk, hips, legs (BlazePose's landmark numbers).
    static let bones: [(Int, Int)] = [(11, 12), (11, 13), (13, 15), (12, 14), (14, 16), (11, 23), (12, 24), (23, 24),
                                      (23, 25), (25, 27), (24, 26), (26, 28), (0, 11), (0, 12)]

    /// The skeleton in yellow (its hidden landmarks' bones thinner), with `region` the region's square
    /// in cyan with its top side marked: where the model looked and which way was up. `thickness`
    /// widens every stroke (a picture for people, not for checking the model).
    public static func draw(_ pose: Pose, on bgr: inout [UInt8], width: Int, height: Int, region: Bool = true, thickness: Int = 0) {
        precondition(bgr.count == width * height * 3, "drawing on \(bgr.count) bytes, not \(width)×\(height) BGR")
        func point(_ x: Double, _ y: Double, _ colour: (UInt8, UInt8, UInt8), _ radius: Int) {
            let cx = Int(x.rounded()), cy = Int(y.rounded())
            for dy in -radius...radius {
                for dx in -radius...radius {
                    let px = cx + dx, py = cy + dy
                    guard px >= 0, py >= 0, px < width, py < height else { continue }
                    let p = (py * width + px) * 3
                    bgr[p] = colour.0; bgr[p + 1] = colour.1; bgr[p + 2] = colour.2
                }
            }
        }
        func line(_ a: (x: Double, y: Double), _ b: (x: Double, y: Double), _ colour: (UInt8, UInt8, UInt8), _ radius: Int) {
            let steps = max(1, Int(max(abs(b.x - a.x), abs(b.y - a.y))))
            for i in 0...steps {
                let f = Double(i) / Double(steps)
                point(a.x + f * (b.x - a.x), a.y + f * (b.y - a.y), colour, radius)
            }
        }
        if region {
            let r = pose.region
            let corners = [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)].map { r.picturePoint(u: $0.0, v: $0.1) }
            for i in 0..<4 { line(corners[i], corners[(i + 1) % 4], (255, 255, 0), i == 0 ? 2 : 0) }
        }
        let yellow: (UInt8, UInt8, UInt8) = (0, 230, 255)
        for (a, b) in bones {
            let p = pose.landmarks[a], q = pose.landmarks[b]
            line((p.x, p.y), (q.x, q.y), yellow, (min(p.visibility, q.visibility) > 0.5 ? 1 : 0) + thickness)
        }
        for i in [0, 11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28] {
            point(pose.landmarks[i].x, pose.landmarks[i].y, (0, 0, 255), 2 + thickness)
        }
    }
}
