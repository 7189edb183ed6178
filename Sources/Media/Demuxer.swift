import CFFmpeg
import Foundation

/// What the opened video track is.
public struct StreamInfo: Sendable, Equatable {
    public var codec: String
    public var width: Int
    public var height: Int
    /// Nominal frame rate of the track (0 when the container does not say).
    public var fps: Double
}

/// An opened input (libavformat) with its best video track. Not thread-safe: one ingest thread owns it.
/// Every blocking call is bounded by `Deadline`.
final class Demuxer {
    let url: StreamURL
    private let input: OwnedInput
    var context: UnsafeMutablePointer<AVFormatContext> { input.pointer }
    let videoIndex: Int32
    let codec: UnsafePointer<AVCodec>
    let deadline: Deadline
    private let options: OpenOptions

    /// `codecs`: the video codecs accepted (camera codecs; `stillCodecs` too for a picture file).
    init(url: StreamURL, options: OpenOptions, deadline: Deadline, codecs: Set<String> = cameraCodecs) throws(MediaError) {
        self.url = url
        self.options = options
        self.deadline = deadline
        guard var ctx = avformat_alloc_context() else {
            throw .other(url: url.masked, phase: "allocating", reason: "out of memory")
        }
        ctx.pointee.interrupt_callback = deadline.callback
        var dict: OpaquePointer? = nil
        defer { av_dict_free(&dict) }
        if url.kind == .rtsp {
            av_dict_set(&dict, "rtsp_transport", options.transport.rawValue, 0)
            // Start quickly: cameras send SPS/PPS with the first key frame.
            av_dict_set(&dict, "analyzeduration", "2000000", 0)
        }
        if url.kind == .http {
            av_dict_set(&dict, "reconnect", "0", 0)
        }

        deadline.arm(options.openTimeout)
        var ctxOpt: UnsafeMutablePointer<AVFormatContext>? = ctx
        let opened = avformat_open_input(&ctxOpt, url.raw, nil, &dict)
        if opened < 0 {
            // avformat_open_input frees the context on failure.
            throw Demuxer.failure(opened, url: url, phase: "opening", deadline: deadline, timeout: options.openTimeout)
        }
        ctx = ctxOpt!
        // From here on the input is closed when `input` goes, on every path out.
        let input = OwnedInput(opened: ctx, deadline: deadline)
        let found = avformat_find_stream_info(ctx, nil)
        if found < 0 {
            // Classified before the input is closed: closing re-arms the deadline.
            throw withExtendedLifetime(input) {
                Demuxer.failure(found, url: url, phase: "reading stream headers", deadline: deadline, timeout: options.openTimeout)
            }
        }
        deadline.disarm()

        var decoder: UnsafePointer<AVCodec>? = nil
        let index = av_find_best_stream(ctx, AVMEDIA_TYPE_VIDEO, -1, -1, &decoder, 0)
        if index < 0 || decoder == nil {
            let hasVideo = (0..<Int(ctx.pointee.nb_streams)).contains {
                ctx.pointee.streams[$0]!.pointee.codecpar.pointee.codec_type == AVMEDIA_TYPE_VIDEO
            }
            var codecName = "unknown"
            if hasVideo, let s = (0..<Int(ctx.pointee.nb_streams)).first(where: {
                ctx.pointee.streams[$0]!.pointee.codecpar.pointee.codec_type == AVMEDIA_TYPE_VIDEO
            }) {
                codecName = String(cString: avcodec_get_name(ctx.pointee.streams[s]!.pointee.codecpar.pointee.codec_id))
            }
            throw hasVideo ? .unsupportedCodec(url: url.masked, codec: codecName) : .noVideoStream(url: url.masked)
        }
        let codecName = String(cString: avcodec_get_name(decoder!.pointee.id))
        if !codecs.contains(codecName) {
            // libavformat reads any bytes as ANSI art or raw text rather than give up; say what it really is.
            if Demuxer.textCodecs.contains(codecName) {
                throw .invalidData(url: url.masked, reason: "no video container or codec recognised; FFmpeg could only read it as '\(codecName)' text")
            }
            throw .unsupportedCodec(url: url.masked, codec: codecName)
        }
        // Only the video track is read; the rest is discarded at the demuxer.
        for i in 0..<Int(ctx.pointee.nb_streams) where i != Int(index) {
            ctx.pointee.streams[i]!.pointee.discard = AVDISCARD_ALL
        }
        self.input = input
        self.videoIndex = index
        self.codec = decoder!
    }

    /// Codecs that cameras and video files send; anything else is not a camera stream.
    static let cameraCodecs: Set<String> = [
        "h264", "hevc", "mjpeg", "mpeg4", "mpeg2video", "mpeg1video", "h263", "vp8", "vp9", "av1",
        "msmpeg4v2", "msmpeg4v3", "wmv3", "rawvideo", "flv1", "theora",
    ]
    /// Still picture codecs (libavformat's image2 demuxer reads a picture file as a one-frame video).
    static let stillCodecs: Set<String> = ["mjpeg", "png", "bmp", "tiff", "webp", "ppm", "pgm"]
    static let textCodecs: Set<String> = ["bintext", "xbin", "idf", "ansi", "text"]

    var stream: UnsafeMutablePointer<AVStream> { context.pointee.streams[Int(videoIndex)]! }

    /// Seconds per unit of the video track's timestamps.
    var timeBase: Double { av_q2d(stream.pointee.time_base) }

    var info: StreamInfo {
        let par = stream.pointee.codecpar.pointee
        var rate = stream.pointee.avg_frame_rate
        if rate.num == 0 || rate.den == 0 { rate = stream.pointee.r_frame_rate }
        let fps = (rate.num > 0 && rate.den > 0) ? Double(rate.num) / Double(rate.den) : 0
        return StreamInfo(
            codec: String(cString: avcodec_get_name(par.codec_id)),
            width: Int(par.width), height: Int(par.height), fps: fps
        )
    }

    /// Reads the next packet of the video track into `packet`. Returns false at end of stream.
    /// A read that gets no data within the stall timeout throws `.stalled`.
    func read(into packet: UnsafeMutablePointer<AVPacket>) throws(MediaError) -> Bool {
        while true {
            deadline.arm(options.stallTimeout)
            let r = av_read_frame(context, packet)
            deadline.disarm()
            // The RTSP demuxer answers an interrupt by releasing a packet it held for reordering:
            // nothing new arrived within the deadline, so that is a stall all the same.
            if r >= 0 && deadline.expired && !deadline.isCancelled {
                av_packet_unref(packet)
                throw .stalled(url: url.masked, seconds: options.stallTimeout)
            }
            if r == retina_averror_eof() { return false }
            if r < 0 {
                if deadline.isCancelled { throw .cancelled }
                if deadline.expired { throw .stalled(url: url.masked, seconds: options.stallTimeout) }
                // A broken pipe from a camera mid-stream is an end of stream, not a data error.
                if r == retina_averror_errno(EIO) || r == retina_averror_errno(ECONNRESET) || r == retina_averror_errno(EPIPE) {
                    return false
                }
                throw classify(r, url: url.masked, phase: "reading")
            }
            if packet.pointee.stream_index == videoIndex { return true }
            av_packet_unref(packet)
        }
    }

    private static func failure(_ code: Int32, url: StreamURL, phase: String, deadline: Deadline, timeout: Double) -> MediaError {
        deadline.disarm()
        if deadline.isCancelled { return .cancelled }
        if deadline.expired { return .timedOut(url: url.masked, phase: phase, seconds: timeout) }
        return classify(code, url: url.masked, phase: phase)
    }
}
