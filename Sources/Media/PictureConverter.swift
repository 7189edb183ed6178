import CFFmpeg

/// How a consumer wants a picture's pixels: 8-bit, rows packed (`width × channels` bytes a row).
public enum PixelLayout: Sendable, Equatable {
    /// Luma only, one byte a pixel.
    case gray
    /// Three bytes a pixel, in this order (what most learned models take).
    case rgb
    case bgr

    public var channels: Int { self == .gray ? 1 : 3 }

    var avFormat: AVPixelFormat {
        switch self {
        case .gray: return AV_PIX_FMT_GRAY8
        case .rgb: return AV_PIX_FMT_RGB24
        case .bgr: return AV_PIX_FMT_BGR24
        }
    }
}

/// Scales and converts decoded frames with libswscale for one consumer, keeping its context
/// between calls (a camera's frames all have the same size and format). Not thread-safe: one per
/// consumer thread. For gray output from planar 8-bit YUV or NV12, the Y plane is handed to
/// libswscale as a GRAY8 picture, so no chroma is touched at all.
final class PictureConverter {
    private let scale = ScaleContext()
    /// libswscale's filter: area averaging suits the large reductions analysis makes.
    private let flags: Int32

    init(flags: Int32 = Int32(SWS_AREA)) { self.flags = flags }

    /// `frame` (all of it) at `width`×`height` in `layout`; nil if libswscale cannot convert it.
    func pixels(of frame: UnsafePointer<AVFrame>, layout: PixelLayout, width: Int, height: Int) -> [UInt8]? {
        var format = AVPixelFormat(rawValue: frame.pointee.format)
        if layout == .gray, Self.lumaIsFirstPlane(format) { format = AV_PIX_FMT_GRAY8 }
        guard width > 0, height > 0,
              let context = scale.context(from: (frame.pointee.width, frame.pointee.height, format),
                                          to: (Int32(width), Int32(height), layout.avFormat), flags: flags) else { return nil }
        let stride = width * layout.channels
        // swscale's vector code writes whole blocks: a row whose bytes are not a multiple of its
        // block (360 BGR pixels, UCSD Ped2's width) runs past its end, into the next row (written
        // after it) and, for the last row, past the buffer: a row and a block of slack take it.
        let slack = stride + 64
        var out = [UInt8](repeating: 0, count: stride * height + slack)
        let lines = out.withUnsafeMutableBufferPointer { retina_scale_frame_packed(context, frame, $0.baseAddress, Int32(stride)) }
        out.removeLast(slack)
        return lines > 0 ? out : nil
    }

    /// `frame` converted into `target`, whose size and format are already set and buffers allocated.
    func convert(_ frame: UnsafePointer<AVFrame>, into target: UnsafeMutablePointer<AVFrame>) -> Bool {
        guard let context = scale.context(
            from: (frame.pointee.width, frame.pointee.height, AVPixelFormat(rawValue: frame.pointee.format)),
            to: (target.pointee.width, target.pointee.height, AVPixelFormat(rawValue: target.pointee.format)), flags: flags
        ) else { return false }
        return retina_scale_frame(context, frame, target) > 0
    }

    private static func lumaIsFirstPlane(_ format: AVPixelFormat) -> Bool {
        switch format {
        case AV_PIX_FMT_YUV420P, AV_PIX_FMT_YUVJ420P, AV_PIX_FMT_YUV422P, AV_PIX_FMT_YUVJ422P,
             AV_PIX_FMT_YUV444P, AV_PIX_FMT_YUVJ444P, AV_PIX_FMT_NV12, AV_PIX_FMT_NV21, AV_PIX_FMT_GRAY8:
            return true
        default:
            return false
        }
    }
}
