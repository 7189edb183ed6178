import CFFmpeg

/// Why a stream could not be opened, read or decoded. Every case names the camera's URL with its
/// credentials masked, and says what to check.
public enum MediaError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreachable(url: String, reason: String)
    case unauthorized(url: String)
    case notFound(url: String, reason: String)
    case timedOut(url: String, phase: String, seconds: Double)
    case stalled(url: String, seconds: Double)
    case noVideoStream(url: String)
    case unsupportedCodec(url: String, codec: String)
    case invalidData(url: String, reason: String)
    case endOfStream(url: String)
    case cancelled
    case other(url: String, phase: String, reason: String)
    /// An event clip could not be written (`path` is the clip's final path).
    case clip(path: String, phase: String, reason: String)

    public var description: String {
        switch self {
        case .unreachable(let url, let reason):
            return "\(url): cannot connect (\(reason)) — check the host, port and that the camera is powered and on the network"
        case .unauthorized(let url):
            return "\(url): 401 Unauthorized — check the user name and password in the camera's URL"
        case .notFound(let url, let reason):
            return "\(url): not found (\(reason)) — check the stream path"
        case .timedOut(let url, let phase, let seconds):
            return "\(url): no answer within \(Self.format(seconds)) s while \(phase) — the camera or network is unresponsive"
        case .stalled(let url, let seconds):
            return "\(url): stream stalled, no data for \(Self.format(seconds)) s"
        case .noVideoStream(let url):
            return "\(url): the stream has no video track"
        case .unsupportedCodec(let url, let codec):
            return "\(url): unsupported video codec '\(codec)' — configure the camera for H.264 or H.265"
        case .invalidData(let url, let reason):
            return "\(url): not a readable video stream (\(reason)) — the file is damaged or not a video"
        case .endOfStream(let url):
            return "\(url): end of stream"
        case .cancelled:
            return "cancelled"
        case .other(let url, let phase, let reason):
            return "\(url): \(phase) failed: \(reason)"
        case .clip(let path, let phase, let reason):
            return "clip \(path): \(phase) failed: \(reason)"
        }
    }

    /// Errors that retrying soon will not fix: the camera needs a person (credentials, path, codec).
    public var isPersistent: Bool {
        switch self {
        case .unauthorized, .notFound, .noVideoStream, .unsupportedCodec, .invalidData: return true
        default: return false
        }
    }

    private static func format(_ s: Double) -> String {
        s == s.rounded() ? String(Int(s)) : String(format: "%.1f", s)
    }
}

/// libav's own text for an error code.
func avErrorString(_ code: Int32) -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    av_strerror(code, &buffer, buffer.count)
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// Maps a libav error from an open/read to a `MediaError` that says what to do.
func classify(_ code: Int32, url: String, phase: String) -> MediaError {
    switch code {
    case retina_averror_http_unauthorized():
        return .unauthorized(url: url)
    case retina_averror_http_not_found(), retina_averror_errno(ENOENT):
        return .notFound(url: url, reason: avErrorString(code))
    case retina_averror_invaliddata():
        return .invalidData(url: url, reason: avErrorString(code))
    case retina_averror_eof():
        return .endOfStream(url: url)
    case retina_averror_errno(ECONNREFUSED), retina_averror_errno(EHOSTUNREACH),
         retina_averror_errno(ENETUNREACH), retina_averror_errno(ECONNRESET):
        return .unreachable(url: url, reason: avErrorString(code))
    default:
        let text = avErrorString(code)
        // The RTSP demuxer reports a status line it cannot map as "Server returned 4XX ...".
        if text.contains("401") { return .unauthorized(url: url) }
        if text.contains("404") { return .notFound(url: url, reason: text) }
        if code == -5 /* EIO */ || text.contains("Name or service not known") || text.contains("resolve") {
            return .unreachable(url: url, reason: text)
        }
        return .other(url: url, phase: phase, reason: text)
    }
}
