import CFFmpeg
import Foundation

/// What a written clip holds.
public struct ClipInfo: Sendable, Equatable {
    /// The clip's final path (written as a temporary file first, then renamed).
    public var path: String
    public var size: Int
    public var packets: Int
    /// Seconds from the first packet's decode time to the end of the last packet.
    public var duration: Double
    /// Stream time (seconds) of the first and the last packet written.
    public var firstTime: Double
    public var lastTime: Double
    public var codec: String
}

/// Remuxes ring packets into an MP4 with libavformat — the camera's compressed packets as they
/// came, never re-encoded — starting at a key frame, with timestamps moved to start at zero.
/// Blocking (file I/O and libav): call it on a thread or dispatch queue of its own.
public enum ClipWriter {
    /// Writes `packets` (only those of the first key frame's segment, from that key frame on) to
    /// `path`. The file appears complete or not at all: a temporary file in the same folder is
    /// renamed over `path` once the trailer is written.
    /// - Parameter faststart: moves the index to the front (one extra pass over a few megabytes) so
    ///   that a player can start before the whole file has been read.
    public static func write(_ packets: [RingPacket], to path: String, faststart: Bool = true) throws(MediaError) -> ClipInfo {
        guard let start = packets.firstIndex(where: \.isKey) else {
            throw .clip(path: path, phase: "selecting packets", reason: "no key frame among \(packets.count) packets — nothing a player could decode")
        }
        let parameters = packets[start].parameters
        let selected = Array(packets[start...].prefix { $0.parameters === parameters })

        let folder = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: folder.isEmpty ? "." : folder, withIntermediateDirectories: true)
        } catch {
            throw .clip(path: path, phase: "creating the folder", reason: "\(error.localizedDescription)")
        }
        let name = (path as NSString).lastPathComponent
        let temporary = (folder as NSString).appendingPathComponent(".\(name).\(UUID().uuidString.prefix(8)).partial")
        do throws(MediaError) {
            let info = try mux(selected, parameters: parameters, to: temporary, faststart: faststart, reportedPath: path)
            guard rename(temporary, path) == 0 else {
                throw MediaError.clip(path: path, phase: "renaming", reason: String(cString: strerror(errno)))
            }
            return info
        } catch {
            unlink(temporary)
            throw error
        }
    }

    private static func mux(_ packets: [RingPacket], parameters: PacketStreamParameters, to file: String, faststart: Bool,
                            reportedPath path: String) throws(MediaError) -> ClipInfo {
        func fail(_ phase: String, _ code: Int32) -> MediaError { .clip(path: path, phase: phase, reason: avErrorString(code)) }

        var context: UnsafeMutablePointer<AVFormatContext>?
        var r = avformat_alloc_output_context2(&context, nil, "mp4", file)
        guard r >= 0, let oc = context else { throw fail("allocating the MP4 muxer", r) }
        defer {
            if oc.pointee.pb != nil { avio_closep(&oc.pointee.pb) }
            avformat_free_context(oc)
        }
        guard let stream = avformat_new_stream(oc, nil) else {
            throw .clip(path: path, phase: "adding the video track", reason: "out of memory")
        }
        r = avcodec_parameters_copy(stream.pointee.codecpar, parameters.codecpar.pointer)
        guard r >= 0 else { throw fail("copying codec parameters", r) }
        // The source container's tag (or none, from RTSP) may not be MP4's: let the muxer choose.
        stream.pointee.codecpar.pointee.codec_tag = 0
        stream.pointee.time_base = parameters.timeBase

        r = avio_open(&oc.pointee.pb, file, AVIO_FLAG_WRITE)
        guard r >= 0 else { throw fail("creating the file", r) }
        var options: OpaquePointer?
        defer { av_dict_free(&options) }
        if faststart { av_dict_set(&options, "movflags", "+faststart", 0) }
        r = avformat_write_header(oc, &options)
        guard r >= 0 else { throw fail("writing the MP4 header", r) }

        let sourceBase = parameters.timeBase
        let outBase = stream.pointee.time_base
        // Decode times in source units, made monotonic; missing ones follow the previous packet.
        let nominal = nominalDuration(packets)
        var decodeTimes: [Int64] = []
        decodeTimes.reserveCapacity(packets.count)
        for p in packets {
            let previous = decodeTimes.last
            var dts = p.dts ?? p.pts ?? previous.map { $0 + nominal } ?? 0
            if let previous, dts <= previous { dts = previous + 1 }
            decodeTimes.append(dts)
        }
        let origin = decodeTimes[0]

        guard let owned = OwnedPacket() else { throw .clip(path: path, phase: "allocating a packet", reason: "out of memory") }
        let out = owned.pointer
        var lastOutDts = Int64.min
        var end: Int64 = 0
        for (i, p) in packets.enumerated() {
            r = av_packet_ref(out, p.packet)
            guard r >= 0 else { throw fail("referencing packet \(i)", r) }
            let dts = decodeTimes[i]
            let pts = max(p.pts ?? dts, dts)
            // RTSP packets rarely carry a duration: the gap to the next one is it.
            var duration = p.duration
            if duration <= 0 { duration = i + 1 < packets.count ? decodeTimes[i + 1] - dts : nominal }
            out.pointee.dts = dts - origin
            out.pointee.pts = pts - origin
            out.pointee.duration = max(duration, 0)
            out.pointee.stream_index = 0
            out.pointee.pos = -1
            end = max(end, dts - origin + max(duration, 0))
            av_packet_rescale_ts(out, sourceBase, outBase)
            if out.pointee.dts <= lastOutDts { out.pointee.dts = lastOutDts + 1 }
            if out.pointee.pts < out.pointee.dts { out.pointee.pts = out.pointee.dts }
            lastOutDts = out.pointee.dts
            // Takes over the packet's reference (and unreferences `out`).
            r = av_interleaved_write_frame(oc, out)
            guard r >= 0 else { throw fail("writing packet \(i)", r) }
        }
        r = av_write_trailer(oc)
        guard r >= 0 else { throw fail("writing the MP4 index", r) }
        avio_closep(&oc.pointee.pb)

        let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
        return ClipInfo(path: path, size: size, packets: packets.count, duration: Double(end) * av_q2d(sourceBase),
                        firstTime: packets.first!.time, lastTime: packets.last!.time, codec: parameters.codec)
    }

    /// The typical gap between packets (source units), for packets without timestamps or duration.
    private static func nominalDuration(_ packets: [RingPacket]) -> Int64 {
        if let d = packets.first(where: { $0.duration > 0 })?.duration { return d }
        let stamps = packets.compactMap { $0.dts ?? $0.pts }
        if stamps.count >= 2, let first = stamps.first, let last = stamps.last, last > first {
            return max(1, (last - first) / Int64(stamps.count - 1))
        }
        let tb = packets.first.map { av_q2d($0.parameters.timeBase) } ?? 1.0 / 90_000
        return max(1, Int64((0.04 / tb).rounded()))  // 25 fps
    }
}
