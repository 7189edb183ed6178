import Foundation

/// One analysed frame, as Media hands it on: the luma plane at the analysis size (plain bytes: all
/// the classical detectors read) and a reference to the full decoded picture (for learned models'
/// colour input, crops, and the event's snapshot: always of this very frame). Frames only flow
/// forward: nothing downstream looks a frame up again by index.
public struct CameraFrame: Sendable {
    public let width: Int
    public let height: Int
    /// Row-major 8-bit luma, `width * height` bytes.
    public let pixels: [UInt8]
    /// The decoded picture the luma was scaled from (nil only for frames made without a decoder, in tests).
    public let picture: DecodedPicture?
    /// Size of the decoded picture.
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

    public init(width: Int, height: Int, pixels: [UInt8], picture: DecodedPicture? = nil, sourceWidth: Int, sourceHeight: Int,
                time: Date, streamTime: Double, index: Int, segment: Int) {
        self.width = width
        self.height = height
        self.pixels = pixels
        self.picture = picture
        self.sourceWidth = sourceWidth
        self.sourceHeight = sourceHeight
        self.time = time
        self.streamTime = streamTime
        self.index = index
        self.segment = segment
    }
}
