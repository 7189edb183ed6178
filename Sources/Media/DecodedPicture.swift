import CFFmpeg
import Foundation
import Vocabulary

/// The full decoded picture an analysis frame was scaled from, held by reference: the decoder's
/// buffer is shared, not copied, and is released when the last holder lets go. Consumers ask it for
/// what they need — RGB or BGR at their own input size, a crop or a tile, a JPEG of the whole —
/// and never see libav. Each request is CPU work of milliseconds: call it off Swift's cooperative
/// pool. Requests may run on any thread, several at once (the picture is only read).
public final class DecodedPicture: @unchecked Sendable {
    // Never modified after init; libav's buffer reference counts are atomic.
    private let frame: OwnedFrame

    init?(referencing source: UnsafePointer<AVFrame>) {
        guard let frame = OwnedFrame(referencing: source) else { return nil }
        self.frame = frame
    }

    public var width: Int { Int(frame.pointer.pointee.width) }
    public var height: Int { Int(frame.pointer.pointee.height) }

    /// The picture, or the part of it in `crop`, scaled to `width`×`height` in `layout`. A crop
    /// reaching outside the picture, or a size of zero, gives nil.
    public func pixels(_ layout: PixelLayout, width: Int, height: Int, crop: PictureRect? = nil) -> [UInt8]? {
        let converter = PictureConverter(flags: Int32(SWS_BILINEAR))
        guard let crop else { return converter.pixels(of: frame.pointer, layout: layout, width: width, height: height) }
        guard let part = OwnedFrame(referencing: frame.pointer),
              retina_frame_crop(part.pointer, Int32(crop.x), Int32(crop.y), Int32(crop.width), Int32(crop.height)) >= 0 else { return nil }
        return converter.pixels(of: part.pointer, layout: layout, width: width, height: height)
    }

    /// The whole picture as a JPEG at its full resolution (`quality` 0…100).
    public func jpeg(quality: Int = 85) -> Data? {
        JPEGEncoder.encode(frame.pointer, quality: quality)
    }
}
