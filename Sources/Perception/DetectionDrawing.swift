/// Draws detections as rectangle outlines onto packed 8-bit BGR pixels, for a person to look at.
public enum DetectionDrawing {
    /// A BGR colour per class: people green, vehicles orange, the rest magenta; a negative class
    /// (a measurement drawn beside the detections, such as a fitted height) blue.
    static func colour(_ classIndex: Int) -> (UInt8, UInt8, UInt8) {
        if classIndex < 0 { return (255, 80, 0) }
        if classIndex == COCOClass.person { return (0, 230, 0) }
        return COCOClass.street.contains(classIndex) ? (0, 140, 255) : (255, 0, 255)
    }

    /// Red (BGR): what was found and left out (a camera's still lookalikes).
    public static let leftOut: (UInt8, UInt8, UInt8) = (0, 0, 255)

    /// `detections` (boxes in 0…1) outlined `thickness` pixels wide on `bgr` (`width`×`height`), in
    /// their class's colour or in `colour`.
    public static func draw(_ detections: [Detection], on bgr: inout [UInt8], width: Int, height: Int, thickness: Int = 2,
                            colour: (UInt8, UInt8, UInt8)? = nil) {
        precondition(bgr.count == width * height * 3, "drawing on \(bgr.count) bytes, not \(width)×\(height) BGR")
        for d in detections {
            let x0 = clamp(Int(d.box.x0 * Double(width)), width), x1 = clamp(Int(d.box.x1 * Double(width)), width)
            let y0 = clamp(Int(d.box.y0 * Double(height)), height), y1 = clamp(Int(d.box.y1 * Double(height)), height)
            let c = colour ?? Self.colour(d.classIndex)
            for t in 0..<thickness {
                for x in x0...x1 { set(x, min(y0 + t, y1)); set(x, max(y1 - t, y0)) }
                for y in y0...y1 { set(min(x0 + t, x1), y); set(max(x1 - t, x0), y) }
            }
            func set(_ x: Int, _ y: Int) {
                let p = (y * width + x) * 3
                bgr[p] = c.0; bgr[p + 1] = c.1; bgr[p + 2] = c.2
            }
        }
    }

    private static func clamp(_ v: Int, _ size: Int) -> Int { min(max(v, 0), size - 1) }
}
