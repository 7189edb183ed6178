import Foundation

/// A decoded frame's luma at the analysis size, with its times. This is all analysis ever sees of
/// libav: plain bytes, no FFmpeg types.
public struct LumaFrame: Sendable {
    public let width: Int
    public let height: Int
    /// Row-major 8-bit luma, `width * height` bytes.
    public let pixels: [UInt8]
    /// Size of the decoded picture the luma was scaled from.
    public let sourceWidth: Int
    public let sourceHeight: Int
    /// Wall-clock time of the frame (the moment the camera saw it, as well as we can tell).
    public let time: Date
    /// Presentation time in seconds on the stream's own clock.
    public let streamTime: Double
    /// Index of the decoded frame within its segment (0-based).
    public let index: Int
    /// Increments on every (re)connection: analysis must not compare frames across segments.
    public let segment: Int

    public init(width: Int, height: Int, pixels: [UInt8], sourceWidth: Int, sourceHeight: Int,
                time: Date, streamTime: Double, index: Int, segment: Int) {
        self.width = width
        self.height = height
        self.pixels = pixels
        self.sourceWidth = sourceWidth
        self.sourceHeight = sourceHeight
        self.time = time
        self.streamTime = streamTime
        self.index = index
        self.segment = segment
    }
}
