import CFFmpeg
import Foundation
import Synchronization

/// The codec parameters one ring segment (one connection) was encoded under. A clip's packets are
/// muxed with exactly these, so every packet keeps a reference to its segment's copy: a reconnect
/// with new parameters (another resolution, new SPS/PPS) cannot be mixed into an older clip.
public final class PacketStreamParameters: @unchecked Sendable {
    // Filled once in init and only read afterwards (copied into a muxer's stream).
    let codecpar: OwnedCodecParameters
    /// The time base of the packets' timestamps (the demuxer's stream time base).
    let timeBase: AVRational
    /// The ingest segment (connection number) these parameters belong to.
    public let segment: Int

    init?(copying source: UnsafePointer<AVCodecParameters>?, timeBase: AVRational, segment: Int) {
        guard let par = OwnedCodecParameters(copying: source) else { return nil }
        codecpar = par
        self.timeBase = timeBase
        self.segment = segment
    }

    public var codec: String { String(cString: avcodec_get_name(codecpar.pointer.pointee.codec_id)) }
}

/// One compressed video packet held by reference (`av_packet_ref`: the demuxer's buffer is shared,
/// not copied). Immutable: writers take their own reference before changing timestamps.
public final class RingPacket: @unchecked Sendable {
    // Never modified after init; libav's buffer reference counts are atomic, so the packet may be
    // released on any thread.
    private let owned: OwnedPacket
    var packet: UnsafeMutablePointer<AVPacket> { owned.pointer }
    public let parameters: PacketStreamParameters
    /// Arrival order over the ring's whole life (gaps mean packets were dropped in between).
    public let seq: Int
    /// Stream time in seconds (pts, else dts), on the same clock as decoded frames' stream time.
    public let time: Double
    public let isKey: Bool

    init(packet: OwnedPacket, parameters: PacketStreamParameters, seq: Int, time: Double) {
        owned = packet
        self.parameters = parameters
        self.seq = seq
        self.time = time
        isKey = retina_pkt_is_key(packet.pointer) != 0
    }

    public var size: Int { Int(packet.pointee.size) }
    public var pts: Int64? { packet.pointee.pts == retina_nopts() ? nil : packet.pointee.pts }
    public var dts: Int64? { packet.pointee.dts == retina_nopts() ? nil : packet.pointee.dts }
    /// In the segment's time base units; 0 when the demuxer did not say (RTSP often does not).
    public var duration: Int64 { packet.pointee.duration }
}

/// A camera's last seconds of compressed video, for event clips without re-encoding. Bounded by
/// seconds and by bytes, and always starting at a key frame so that a clip cut from it decodes
/// from its first packet. The ingest thread pushes; clip recorders read snapshots (arrays of
/// packet references, so a snapshot costs no copy of the data and outlives trimming).
public final class PacketRing: Sendable {
    public struct Limits: Sendable, Equatable {
        /// Seconds of history kept (at least this much once it has arrived, at most one GOP more).
        public var seconds: Double
        /// Hard bound on the packets' bytes.
        public var maxBytes: Int

        public init(seconds: Double = 30, maxBytes: Int = 64_000_000) {
            self.seconds = seconds
            self.maxBytes = maxBytes
        }
    }

    /// What a reader gets: packets of one segment, and whether more of that segment may follow.
    public struct Read: Sendable {
        public var packets: [RingPacket]
        /// The segment is the current one and its stream has not ended.
        public var isOpen: Bool
        /// Packets between the reader's last one and these were dropped (trimmed or a discontinuity).
        public var gap: Bool
    }

    public struct Status: Sendable, Equatable {
        public var segment: Int
        public var isOpen: Bool
        public var packets: Int
        public var bytes: Int
        /// Stream time of the first and last packet (nil when empty).
        public var first: Double?
        public var last: Double?
        /// Packets dropped while waiting for a key frame (after a reset, an overflow, a timestamp jump).
        public var droppedWaitingForKey: Int
        /// Times a single GOP exceeded `maxBytes` and the ring was emptied.
        public var overflows: Int
    }

    private struct State {
        var packets: [RingPacket] = []
        var bytes = 0
        var parameters: PacketStreamParameters?
        var segment = 0
        var open = false
        var nextSeq = 0
        var droppedWaitingForKey = 0
        var overflows = 0
    }

    public let limits: Limits
    private let state = Mutex(State())

    public init(limits: Limits = Limits()) {
        self.limits = Limits(seconds: max(limits.seconds, 0), maxBytes: max(limits.maxBytes, 1))
    }

    /// A new segment (connection): the previous segment's packets are dropped and the stream's
    /// codec parameters and time base are kept with the new ones. Called on the ingest thread.
    func begin(segment: Int, stream: UnsafePointer<AVStream>) {
        begin(segment: segment, parameters: PacketStreamParameters(copying: stream.pointee.codecpar, timeBase: stream.pointee.time_base,
                                                                   segment: segment))
    }

    /// The segment's stream ended (end of stream, stall, stop): no more packets will come for it.
    func end(segment: Int) {
        state.withLock { s in if s.segment == segment { s.open = false } }
    }

    /// Keeps a reference to a demuxed video packet (no copy of its data). Called on the ingest thread.
    func push(_ packet: UnsafePointer<AVPacket>) {
        guard let parameters = state.withLock({ $0.parameters }) else { return }
        let tb = av_q2d(parameters.timeBase)
        let stamp = packet.pointee.pts != retina_nopts() ? packet.pointee.pts : packet.pointee.dts
        // Reference outside the lock: the ingest thread never holds it for an allocation.
        guard let ref = OwnedPacket(referencing: packet) else { return }
        append(ref, parameters: parameters, time: stamp == retina_nopts() ? nil : Double(stamp) * tb)
    }

    /// Packets of `segment` from the last key frame at or before stream time `from` (or the ring's
    /// first packet, when `from` is older), or, with `after`, those that arrived after that packet.
    public func read(segment: Int, from: Double? = nil, after: Int? = nil) -> Read {
        state.withLock { s in
            guard s.segment == segment else { return Read(packets: [], isOpen: false, gap: after != nil) }
            let open = s.open
            if let after {
                guard let i = s.packets.firstIndex(where: { $0.seq > after }) else {
                    // Nothing newer held: a gap if something arrived since and was dropped.
                    return Read(packets: [], isOpen: open, gap: s.nextSeq - 1 > after)
                }
                return Read(packets: Array(s.packets[i...]), isOpen: open, gap: s.packets[i].seq != after + 1)
            }
            guard !s.packets.isEmpty else { return Read(packets: [], isOpen: open, gap: false) }
            var start = 0
            if let from, let k = s.packets.lastIndex(where: { $0.isKey && $0.time <= from }) { start = k }
            return Read(packets: Array(s.packets[start...]), isOpen: open, gap: false)
        }
    }

    public var status: Status {
        state.withLock { s in
            Status(segment: s.segment, isOpen: s.open, packets: s.packets.count, bytes: s.bytes, first: s.packets.first?.time,
                   last: s.packets.last?.time, droppedWaitingForKey: s.droppedWaitingForKey, overflows: s.overflows)
        }
    }

    // MARK: - Inside

    private func begin(segment: Int, parameters: PacketStreamParameters?) {
        let old = state.withLock { s -> [RingPacket] in
            let old = s.packets
            s.packets = []
            s.bytes = 0
            s.parameters = parameters
            s.segment = segment
            s.open = parameters != nil
            return old
        }
        _ = old  // released here, outside the lock
    }

    private func append(_ ref: OwnedPacket, parameters: PacketStreamParameters, time: Double?) {
        let dropped = state.withLock { s -> [RingPacket] in
            // A new segment began meanwhile: the packet belongs to the old one and is dropped.
            guard s.parameters === parameters else { return [] }
            var dropped: [RingPacket] = []
            let last = s.packets.last?.time
            // No timestamp: one frame after the last; a jump back (or far forward) is a
            // discontinuity: the ring restarts at the next key frame so times stay monotonic.
            let t = time ?? (last ?? 0)
            if let last, t < last - 5 || t > last + 60 {
                dropped = s.packets
                s.packets = []
                s.bytes = 0
            }
            let packet = RingPacket(packet: ref, parameters: parameters, seq: s.nextSeq, time: t)
            s.nextSeq += 1
            if s.packets.isEmpty && !packet.isKey {
                s.droppedWaitingForKey += 1
                dropped.append(packet)
                return dropped
            }
            s.packets.append(packet)
            s.bytes += packet.size
            dropped += trim(&s)
            return dropped
        }
        _ = dropped  // freed here, outside the lock
    }

    /// Drops whole GOPs from the front: while the rest still covers `seconds`, and while the bytes
    /// exceed `maxBytes` (a single GOP over the bound empties the ring until the next key frame).
    private func trim(_ s: inout State) -> [RingPacket] {
        var dropped: [RingPacket] = []
        while let newest = s.packets.last?.time {
            guard let next = s.packets.dropFirst().firstIndex(where: \.isKey) else {
                if s.bytes > limits.maxBytes {
                    s.overflows += 1
                    dropped += s.packets
                    s.packets = []
                    s.bytes = 0
                }
                break
            }
            let overTime = newest - s.packets[next].time >= limits.seconds
            guard overTime || s.bytes > limits.maxBytes else { break }
            dropped += s.packets[..<next]
            s.bytes -= s.packets[..<next].reduce(0) { $0 + $1.size }
            s.packets.removeFirst(next)
        }
        return dropped
    }
}

// Test hooks, internal: tests reach them through `@testable import Media`.
extension PacketRing {
    /// A segment of synthetic packets (tests of trimming without a stream).
    func beginSynthetic(segment: Int, timeBase: AVRational = AVRational(num: 1, den: 90_000)) {
        begin(segment: segment, parameters: PacketStreamParameters(copying: nil, timeBase: timeBase, segment: segment))
    }

    /// A synthetic packet of `size` zero bytes at `pts` (in the segment's time base).
    func pushSynthetic(size: Int, pts: Int64, key: Bool) {
        guard let p = OwnedPacket(), av_new_packet(p.pointer, Int32(size)) >= 0 else { return }
        p.pointer.pointee.pts = pts
        p.pointer.pointee.dts = pts
        if key { p.pointer.pointee.flags |= AV_PKT_FLAG_KEY }
        push(p.pointer)
    }

    func endSynthetic(segment: Int) { end(segment: segment) }
}
