import CFFmpeg

/// A threaded libavcodec video decoder for one track. Not thread-safe: one ingest thread owns it.
final class VideoDecoder {
    private let context: OwnedCodecContext
    /// Where each decoded frame lands; it is handed to the caller's body and unreferenced after it.
    private let frame: OwnedFrame

    init(demuxer: Demuxer, threads: Int, skipNonReference: Bool) throws(MediaError) {
        let url = demuxer.url
        guard let context = OwnedCodecContext(codec: demuxer.codec), let frame = OwnedFrame() else {
            throw .other(url: url.masked, phase: "allocating decoder", reason: "out of memory")
        }
        self.context = context
        self.frame = frame
        let ctx = context.pointer
        let stream = demuxer.stream
        var r = avcodec_parameters_to_context(ctx, stream.pointee.codecpar)
        guard r >= 0 else { throw .other(url: url.masked, phase: "configuring decoder", reason: avErrorString(r)) }
        ctx.pointee.pkt_timebase = stream.pointee.time_base
        ctx.pointee.thread_count = Int32(threads)
        ctx.pointee.thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE
        // Frames nothing else refers to can go undecoded when analysis needs fewer frames than the stream has.
        if skipNonReference { ctx.pointee.skip_frame = AVDISCARD_NONREF }
        r = avcodec_open2(ctx, demuxer.codec, nil)
        guard r >= 0 else {
            throw .unsupportedCodec(url: url.masked, codec: String(cString: avcodec_get_name(demuxer.codec.pointee.id)) + " (\(avErrorString(r)))")
        }
    }

    /// Skips H.264's in-loop deblocking filter on every frame but key frames: about a fifth of the
    /// decoding CPU. The skipped filter's error drifts into the frames that refer to a frame, until
    /// the next key frame, which is deblocked again. libavcodec reads it per slice: it can change
    /// between packets.
    var skipsLoopFilter = false {
        didSet { context.pointer.pointee.skip_loop_filter = skipsLoopFilter ? AVDISCARD_NONKEY : AVDISCARD_DEFAULT }
    }

    /// Feeds one packet (nil drains the decoder at end of stream) and hands every frame it yields to
    /// `body`, which must take its own reference to keep anything of it. Corrupt packets are skipped
    /// (counted by the caller through the return value), not fatal: cameras send damaged packets after loss.
    @discardableResult
    func decode(_ packet: UnsafeMutablePointer<AVPacket>?,
                _ body: (UnsafeMutablePointer<AVFrame>) throws(MediaError) -> Void) throws(MediaError) -> Bool {
        let sent = avcodec_send_packet(context.pointer, packet)
        var ok = sent >= 0 || sent == retina_averror_eagain()
        if sent == retina_averror_eof() { ok = true }
        while true {
            let r = avcodec_receive_frame(context.pointer, frame.pointer)
            if r == retina_averror_eagain() || r == retina_averror_eof() { break }
            if r < 0 { ok = false; break }
            defer { av_frame_unref(frame.pointer) }
            try body(frame.pointer)
        }
        return ok
    }
}
