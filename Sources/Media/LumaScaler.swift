import CFFmpeg

/// Scales the luma of decoded frames to the analysis size with libswscale (GRAY8 out).
/// For planar 8-bit YUV and NV12 the Y plane is handed to swscale as a GRAY8 picture, so no
/// chroma is touched at all.
final class LumaScaler {
    private var context: OpaquePointer?
    let width: Int
    let height: Int

    init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    deinit { sws_freeContext(context) }

    /// Returns the frame's luma at `width`×`height`, one byte a pixel, rows packed.
    func scale(_ frame: UnsafeMutablePointer<AVFrame>) -> [UInt8]? {
        let srcW = frame.pointee.width, srcH = frame.pointee.height
        var format = AVPixelFormat(rawValue: frame.pointee.format)
        if Self.lumaIsFirstPlane(format) { format = AV_PIX_FMT_GRAY8 }
        context = sws_getCachedContext(
            context, srcW, srcH, format, Int32(width), Int32(height), AV_PIX_FMT_GRAY8,
            Int32(SWS_AREA), nil, nil, nil
        )
        guard let context else { return nil }
        var out = [UInt8](repeating: 0, count: width * height)
        var dstStride: [Int32] = [Int32(width), 0, 0, 0]
        let lines = withUnsafePointer(to: &frame.pointee.data) { dataTuple in
            dataTuple.withMemoryRebound(to: UnsafePointer<UInt8>?.self, capacity: 8) { src in
                withUnsafePointer(to: &frame.pointee.linesize) { strideTuple in
                    strideTuple.withMemoryRebound(to: Int32.self, capacity: 8) { srcStride in
                        out.withUnsafeMutableBufferPointer { dst in
                            var planes: [UnsafeMutablePointer<UInt8>?] = [dst.baseAddress, nil, nil, nil]
                            return sws_scale(context, src, srcStride, 0, srcH, &planes, &dstStride)
                        }
                    }
                }
            }
        }
        return lines > 0 ? out : nil
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
