import CFFmpeg
import Foundation

/// Packed 8-bit pixels held in Swift (e.g. a picture with boxes drawn on it), encoded as JPEG or PNG.
public enum PackedPicture {
    /// `pixels` (`width × height` in `layout`, rows packed) as a JPEG; nil when the size does not
    /// match the bytes or libavcodec fails.
    public static func jpeg(_ pixels: [UInt8], layout: PixelLayout, width: Int, height: Int, quality: Int = 90) -> Data? {
        guard let owned = frame(pixels, layout: layout, width: width, height: height) else { return nil }
        return JPEGEncoder.encode(owned.pointer, quality: quality)
    }

    /// The same as a PNG (lossless: a drawing an engineer checks by eye stays sharp).
    public static func png(_ pixels: [UInt8], layout: PixelLayout, width: Int, height: Int) -> Data? {
        guard let owned = frame(pixels, layout: layout, width: width, height: height) else { return nil }
        return JPEGEncoder.encodePNG(owned.pointer)
    }

    private static func frame(_ pixels: [UInt8], layout: PixelLayout, width: Int, height: Int) -> OwnedFrame? {
        guard width > 0, height > 0, pixels.count == width * height * layout.channels, let owned = OwnedFrame() else { return nil }
        let frame = owned.pointer
        frame.pointee.format = layout.avFormat.rawValue
        frame.pointee.width = Int32(width)
        frame.pointee.height = Int32(height)
        guard av_frame_get_buffer(frame, 0) >= 0, let plane = frame.pointee.data.0 else { return nil }
        let row = width * layout.channels, stride = Int(frame.pointee.linesize.0)
        pixels.withUnsafeBytes { source in
            for y in 0..<height {
                (plane + y * stride).update(from: source.baseAddress!.assumingMemoryBound(to: UInt8.self) + y * row, count: row)
            }
        }
        return owned
    }
}
