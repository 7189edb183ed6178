import CFFmpeg

// Owning wrappers of the libav objects Media allocates: each kind is freed in exactly one place
// (its deinit), so no path through the code can leak one or free it twice.

/// An `AVFrame` this value owns (with whatever buffers it references).
final class OwnedFrame {
    let pointer: UnsafeMutablePointer<AVFrame>

    init?() {
        guard let p = av_frame_alloc() else { return nil }
        pointer = p
    }

    /// A new reference to `source`'s buffers: no pixels are copied.
    convenience init?(referencing source: UnsafePointer<AVFrame>) {
        self.init()
        guard av_frame_ref(pointer, source) >= 0 else { return nil }
    }

    deinit {
        var p: UnsafeMutablePointer<AVFrame>? = pointer
        av_frame_free(&p)
    }
}

/// An `AVPacket` this value owns.
final class OwnedPacket {
    let pointer: UnsafeMutablePointer<AVPacket>

    init?() {
        guard let p = av_packet_alloc() else { return nil }
        pointer = p
    }

    /// Takes over `source`'s buffer reference and leaves `source` blank (no copy, no new reference).
    convenience init?(moving source: UnsafeMutablePointer<AVPacket>) {
        self.init()
        av_packet_move_ref(pointer, source)
    }

    /// A new reference to `source`'s buffer (copied only if `source` is not reference-counted).
    convenience init?(referencing source: UnsafePointer<AVPacket>) {
        self.init()
        guard av_packet_ref(pointer, source) >= 0 else { return nil }
    }

    deinit {
        var p: UnsafeMutablePointer<AVPacket>? = pointer
        av_packet_free(&p)
    }
}

/// Copied codec parameters.
final class OwnedCodecParameters {
    let pointer: UnsafeMutablePointer<AVCodecParameters>

    init?(copying source: UnsafePointer<AVCodecParameters>?) {
        guard let p = avcodec_parameters_alloc() else { return nil }
        pointer = p
        if let source, avcodec_parameters_copy(p, source) < 0 { return nil }
    }

    deinit {
        var p: UnsafeMutablePointer<AVCodecParameters>? = pointer
        avcodec_parameters_free(&p)
    }
}

/// A codec (decoder or encoder) context.
final class OwnedCodecContext {
    let pointer: UnsafeMutablePointer<AVCodecContext>

    init?(codec: UnsafePointer<AVCodec>?) {
        guard let p = avcodec_alloc_context3(codec) else { return nil }
        pointer = p
    }

    deinit {
        var p: UnsafeMutablePointer<AVCodecContext>? = pointer
        avcodec_free_context(&p)
    }
}

/// An opened libavformat input. Closing an RTSP session sends TEARDOWN: a dead server must not
/// hold the camera thread, so the close is bounded by the input's deadline.
final class OwnedInput {
    let pointer: UnsafeMutablePointer<AVFormatContext>
    private let deadline: Deadline

    init(opened: UnsafeMutablePointer<AVFormatContext>, deadline: Deadline) {
        pointer = opened
        self.deadline = deadline
    }

    deinit {
        deadline.arm(1)
        var p: UnsafeMutablePointer<AVFormatContext>? = pointer
        avformat_close_input(&p)
        deadline.disarm()
    }
}

/// A libswscale context, rebuilt only when the conversion it is asked for changes.
final class ScaleContext {
    private(set) var pointer: OpaquePointer?

    init() {}

    /// The context for this conversion (nil: libswscale cannot do it).
    func context(from src: (width: Int32, height: Int32, format: AVPixelFormat),
                 to dst: (width: Int32, height: Int32, format: AVPixelFormat), flags: Int32) -> OpaquePointer? {
        pointer = sws_getCachedContext(pointer, src.width, src.height, src.format, dst.width, dst.height, dst.format,
                                       flags, nil, nil, nil)
        return pointer
    }

    deinit { sws_freeContext(pointer) }
}
