import CFFmpeg
import Foundation

/// What `retina probe` reports about a stream.
public struct ProbeResult: Sendable, Codable, Equatable {
    public var codec: String
    public var width: Int
    public var height: Int
    public var fps: Double
    /// Frames decoded per second of wall time while probing: the decode cost for files, bounded by
    /// the camera's own rate for live sources.
    public var decodeFps: Double
    public var framesDecoded: Int
}

/// Opens a stream, decodes it for a while and measures the decode rate.
public enum StreamProbe {
    public static func probe(url: StreamURL, options: OpenOptions, seconds: Double, maxFrames: Int) throws(MediaError) -> ProbeResult {
        let demuxer = try Demuxer(url: url, options: options, deadline: Deadline())
        let decoder = try VideoDecoder(demuxer: demuxer, threads: options.decoderThreads, skipNonReference: false)
        guard let owned = OwnedPacket() else { throw .other(url: url.masked, phase: "allocating", reason: "out of memory") }
        let packet = owned.pointer

        var frames = 0
        let start = DispatchTime.now().uptimeNanoseconds
        func elapsed() -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
        let count: (UnsafeMutablePointer<AVFrame>) throws(MediaError) -> Void = { _ in frames += 1 }
        var ended = false
        while frames < maxFrames, elapsed() < seconds {
            guard try demuxer.read(into: packet) else { ended = true; break }
            try decoder.decode(packet, count)
            av_packet_unref(packet)
        }
        if ended { try decoder.decode(nil, count) }
        let took = elapsed()
        if frames == 0 { throw .invalidData(url: url.masked, reason: "no frame could be decoded") }
        let info = demuxer.info
        return ProbeResult(codec: info.codec, width: info.width, height: info.height, fps: info.fps,
                           decodeFps: Double(frames) / max(took, 1e-6), framesDecoded: frames)
    }
}
