import CFFmpeg
import Foundation

extension PacketRing {
    /// Where wall-clock moment `time` (seen on another stream of the camera) is in this ring's
    /// current stream: placed by its newest packet, which came in about now. Nil while it holds none.
    public func streamTime(at time: Date) -> Double? {
        status.last.map { $0 - max(0, Date().timeIntervalSince(time)) }
    }

    /// The picture at stream time `time` of the ring's current segment (its latest without one),
    /// decoded from the key frame at or before it: a camera's main stream is kept only as packets,
    /// and an event's full-resolution snapshot is decoded from them on demand (a GOP's worth of
    /// frames at most). Nil when the ring holds no key frame before `time` or decoding fails.
    /// Blocks for the decoding: call it off Swift's cooperative pool.
    public func picture(at time: Double? = nil) -> DecodedPicture? {
        let held = read(segment: status.segment, from: time).packets
        guard let first = held.first, first.isKey else { return nil }
        let target = time ?? held.last!.time
        let parameters = first.parameters
        guard let codec = avcodec_find_decoder(parameters.codecpar.pointer.pointee.codec_id),
              let context = OwnedCodecContext(codec: codec), let frame = OwnedFrame() else { return nil }
        let ctx = context.pointer
        guard avcodec_parameters_to_context(ctx, parameters.codecpar.pointer) >= 0 else { return nil }
        ctx.pointee.pkt_timebase = parameters.timeBase
        ctx.pointee.thread_count = 1
        guard avcodec_open2(ctx, codec, nil) >= 0 else { return nil }
        let tb = av_q2d(parameters.timeBase)
        // The latest frame at or before `time`, else the first after it.
        var best: DecodedPicture?
        func take() -> Bool {
            while avcodec_receive_frame(ctx, frame.pointer) >= 0 {
                defer { av_frame_unref(frame.pointer) }
                let pts = frame.pointer.pointee.best_effort_timestamp
                let t = pts == retina_nopts() ? nil : Double(pts) * tb
                if best == nil || (t.map { $0 <= target + 1e-3 } ?? true) { best = DecodedPicture(referencing: frame.pointer) }
                if let t, t >= target - 1e-3 { return true }
            }
            return false
        }
        for packet in held where packet.parameters === parameters {
            // A damaged packet is skipped, as the ingest's decoder does.
            _ = avcodec_send_packet(ctx, packet.packet)
            if take() { return best }
        }
        _ = avcodec_send_packet(ctx, nil)
        _ = take()
        return best
    }
}
