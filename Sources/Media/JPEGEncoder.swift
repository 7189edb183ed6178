import CFFmpeg
import Foundation

/// Full-resolution JPEG through libavcodec's MJPEG encoder, converting to full-range 4:2:0 with
/// libswscale first.
enum JPEGEncoder {
    static func encode(_ frame: UnsafePointer<AVFrame>, quality: Int) -> Data? {
        guard let codec = avcodec_find_encoder(AV_CODEC_ID_MJPEG), let context = OwnedCodecContext(codec: codec) else { return nil }
        let c = context.pointer
        let width = frame.pointee.width, height = frame.pointee.height
        c.pointee.width = width
        c.pointee.height = height
        c.pointee.pix_fmt = AV_PIX_FMT_YUVJ420P
        c.pointee.time_base = AVRational(num: 1, den: 25)
        c.pointee.color_range = AVCOL_RANGE_JPEG
        // qscale 2 (best) … 31: map quality 100 … 0 onto it.
        let q = Int32(max(2, min(31, 31 - (quality * 29) / 100)))
        c.pointee.flags |= Int32(AV_CODEC_FLAG_QSCALE)
        c.pointee.global_quality = q * FF_QP2LAMBDA
        guard avcodec_open2(c, codec, nil) >= 0 else { return nil }

        // The encoder wants YUVJ420P (full range): convert, and expand the range.
        guard let input = OwnedFrame() else { return nil }
        let converted = input.pointer
        converted.pointee.format = AV_PIX_FMT_YUVJ420P.rawValue
        converted.pointee.width = width
        converted.pointee.height = height
        guard av_frame_get_buffer(converted, 0) >= 0,
              PictureConverter(flags: Int32(SWS_BILINEAR)).convert(frame, into: converted) else { return nil }
        converted.pointee.quality = c.pointee.global_quality
        converted.pointee.pts = 0

        return drain(c, converted)
    }

    /// A lossless PNG of `frame` (converted to packed RGB).
    static func encodePNG(_ frame: UnsafePointer<AVFrame>) -> Data? {
        guard let codec = avcodec_find_encoder(AV_CODEC_ID_PNG), let context = OwnedCodecContext(codec: codec) else { return nil }
        let c = context.pointer
        c.pointee.width = frame.pointee.width
        c.pointee.height = frame.pointee.height
        c.pointee.pix_fmt = AV_PIX_FMT_RGB24
        c.pointee.time_base = AVRational(num: 1, den: 25)
        guard avcodec_open2(c, codec, nil) >= 0, let input = OwnedFrame() else { return nil }
        let converted = input.pointer
        converted.pointee.format = AV_PIX_FMT_RGB24.rawValue
        converted.pointee.width = frame.pointee.width
        converted.pointee.height = frame.pointee.height
        guard av_frame_get_buffer(converted, 0) >= 0, PictureConverter(flags: Int32(SWS_POINT)).convert(frame, into: converted) else { return nil }
        return drain(c, converted)
    }

    /// Sends one frame and the end of the stream, and gathers the packets.
    private static func drain(_ c: UnsafeMutablePointer<AVCodecContext>, _ frame: UnsafeMutablePointer<AVFrame>) -> Data? {
        guard avcodec_send_frame(c, frame) >= 0, avcodec_send_frame(c, nil) >= 0, let packet = OwnedPacket() else { return nil }
        var out = Data()
        while avcodec_receive_packet(c, packet.pointer) >= 0 {
            out.append(packet.pointer.pointee.data, count: Int(packet.pointer.pointee.size))
            av_packet_unref(packet.pointer)
        }
        return out.isEmpty ? nil : out
    }
}
