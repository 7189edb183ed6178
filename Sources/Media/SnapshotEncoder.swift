import CFFmpeg
import Foundation
import Synchronization

/// Keeps references to the last few full-resolution frames handed to analysis and encodes one as
/// JPEG on request (libavcodec's MJPEG encoder), for the snapshot attached to an event. Holding a
/// reference costs no copy; the decoder allocates new buffers while these are held.
public final class SnapshotSource: Sendable {
    private struct Slot: @unchecked Sendable {
        // Owned by the slot; freed on replacement or deinit, always under the mutex.
        var frame: UnsafeMutablePointer<AVFrame>?
        var index = -1
    }

    private let slots: Mutex<[Slot]>
    private let capacity: Int

    /// - Parameter capacity: frames kept; the analysis buffer's length is enough.
    public init(capacity: Int = 3) {
        self.capacity = max(capacity, 1)
        slots = Mutex([])
    }

    deinit {
        slots.withLock { slots in
            for i in slots.indices { av_frame_free(&slots[i].frame) }
        }
    }

    /// Called on the ingest thread for every analysis frame.
    func keep(_ frame: UnsafeMutablePointer<AVFrame>, index: Int) {
        guard let copy = av_frame_alloc() else { return }
        guard av_frame_ref(copy, frame) >= 0 else {
            var c: UnsafeMutablePointer<AVFrame>? = copy
            av_frame_free(&c)
            return
        }
        slots.withLock { slots in
            if slots.count >= capacity {
                av_frame_free(&slots[0].frame)
                slots.removeFirst()
            }
            slots.append(Slot(frame: copy, index: index))
        }
    }

    /// JPEG of the kept frame closest to `index` (the analysed frame, or the newest if it is gone).
    /// CPU work of a few milliseconds: call it off Swift's cooperative pool. The frame is referenced
    /// under the lock and encoded outside it, so the ingest thread never waits for an encode.
    public func jpeg(nearest index: Int, quality: Int = 85) -> Data? {
        guard let frame = slots.withLock({ slots -> UnsafeMutablePointer<AVFrame>? in
            guard let slot = slots.min(by: { abs($0.index - index) < abs($1.index - index) }), let kept = slot.frame,
                  let copy = av_frame_alloc() else { return nil }
            if av_frame_ref(copy, kept) < 0 {
                var c: UnsafeMutablePointer<AVFrame>? = copy
                av_frame_free(&c)
                return nil
            }
            return copy
        }) else { return nil }
        defer {
            var f: UnsafeMutablePointer<AVFrame>? = frame
            av_frame_free(&f)
        }
        return JPEGEncoder.encode(frame, quality: quality)
    }
}

/// Full-resolution JPEG through libavcodec's MJPEG encoder, converting to full-range 4:2:0 with
/// libswscale first when the frame is in another format.
enum JPEGEncoder {
    static func encode(_ frame: UnsafeMutablePointer<AVFrame>, quality: Int) -> Data? {
        guard let codec = avcodec_find_encoder(AV_CODEC_ID_MJPEG), var ctx = Optional(avcodec_alloc_context3(codec)), let c = ctx else { return nil }
        defer { avcodec_free_context(&ctx) }
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

        // The encoder wants YUVJ420P: convert (and expand the range) unless the frame already is.
        guard var input = Optional(av_frame_alloc()), let converted = input else { return nil }
        defer { av_frame_free(&input) }
        converted.pointee.format = AV_PIX_FMT_YUVJ420P.rawValue
        converted.pointee.width = width
        converted.pointee.height = height
        guard av_frame_get_buffer(converted, 0) >= 0 else { return nil }
        guard let sws = sws_getContext(width, height, AVPixelFormat(rawValue: frame.pointee.format), width, height,
                                       AV_PIX_FMT_YUVJ420P, Int32(SWS_BILINEAR), nil, nil, nil) else { return nil }
        defer { sws_freeContext(sws) }
        let lines = withUnsafePointer(to: &frame.pointee.data) { src in
            src.withMemoryRebound(to: UnsafePointer<UInt8>?.self, capacity: 8) { srcData in
                withUnsafePointer(to: &frame.pointee.linesize) { srcStride in
                    srcStride.withMemoryRebound(to: Int32.self, capacity: 8) { srcLines in
                        withUnsafeMutablePointer(to: &converted.pointee.data) { dst in
                            dst.withMemoryRebound(to: UnsafeMutablePointer<UInt8>?.self, capacity: 8) { dstData in
                                withUnsafePointer(to: &converted.pointee.linesize) { dstStride in
                                    dstStride.withMemoryRebound(to: Int32.self, capacity: 8) { dstLines in
                                        sws_scale(sws, srcData, srcLines, 0, height, dstData, dstLines)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        guard lines > 0 else { return nil }
        converted.pointee.quality = c.pointee.global_quality
        converted.pointee.pts = 0

        guard avcodec_send_frame(c, converted) >= 0, avcodec_send_frame(c, nil) >= 0 else { return nil }
        guard var packetRef = Optional(av_packet_alloc()), let packet = packetRef else { return nil }
        defer { av_packet_free(&packetRef) }
        var out = Data()
        while avcodec_receive_packet(c, packet) >= 0 {
            out.append(packet.pointee.data, count: Int(packet.pointee.size))
            av_packet_unref(packet)
        }
        return out.isEmpty ? nil : out
    }
}
