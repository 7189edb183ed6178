import CFFmpeg
import Foundation

/// What one connection of a camera's ingest holds: its demuxer and decoder, the scaler of the
/// analysis luma, and the segment's state. Lives on the ingest thread only.
final class Connection {
    let demuxer: Demuxer
    let decoder: VideoDecoder
    let info: StreamInfo
    let width: Int
    let height: Int
    let luma = PictureConverter()
    var segment: Segment

    init(demuxer: Demuxer, decoder: VideoDecoder, info: StreamInfo, width: Int, height: Int, segment: Segment) {
        self.demuxer = demuxer
        self.decoder = decoder
        self.info = info
        self.width = width
        self.height = height
        self.segment = segment
    }
}

/// One connection's clock and sampling, advanced frame by frame: stream time from timestamps,
/// wall time from an anchor, which frames are analysed.
struct Segment {
    /// Increments on every (re)connection.
    let number: Int
    /// Seconds per timestamp unit.
    let timeBase: Double
    /// Seconds between frames at the stream's nominal rate.
    let nominalPeriod: Double
    /// Frames are decoded no faster than real time (files).
    let pace: Bool
    let live: Bool
    let settleSeconds: Double
    var sampler: FrameSampler
    var governor: DeblockGovernor
    var gotFrames = false
    private var index = 0
    private var lastTime: Double?
    private var anchor: (wall: Date, stream: Double)?

    init(number: Int, timeBase: Double, nominalPeriod: Double, pace: Bool, live: Bool, settleSeconds: Double,
         sampler: FrameSampler, governor: DeblockGovernor) {
        self.number = number
        self.timeBase = timeBase
        self.nominalPeriod = nominalPeriod
        self.pace = pace
        self.live = live
        self.settleSeconds = settleSeconds
        self.sampler = sampler
        self.governor = governor
    }

    /// Stream time of the next frame: its timestamp, or one frame after the last when it has none;
    /// a timestamp reset mid-stream continues the clock instead of jumping back.
    mutating func streamTime(pts: Int64?) -> Double {
        var t = pts.map { Double($0) * timeBase } ?? (lastTime.map { $0 + nominalPeriod } ?? 0)
        if let last = lastTime, t <= last - 5 { t = last + nominalPeriod }
        lastTime = t
        return t
    }

    /// Wall-clock time of a frame: anchored at the segment's first frame; re-anchored if a live
    /// stream (read as it comes) drifts more than 2 s off the clock.
    mutating func wallTime(streamTime t: Double, now: Date) -> Date {
        let a = anchor ?? (now, t)
        anchor = a
        let wall = a.wall.addingTimeInterval(t - a.stream)
        if !pace && live && abs(wall.timeIntervalSince(now)) > 2 {
            anchor = (now, t)
            return now
        }
        return wall
    }

    /// The decoded frame's index within the segment (every decoded frame counts, analysed or not).
    mutating func nextIndex() -> Int {
        defer { index += 1 }
        return index
    }

    /// Whether the frame at stream time `t` is analysed: not while settling after a reconnect, and
    /// then at the analysis rate.
    mutating func samples(_ t: Double) -> Bool {
        let settling = number > 1 && t - (anchor?.stream ?? t) < settleSeconds
        return !settling && sampler.accept(t)
    }
}

/// A live stream's packets wait and are decoded together once the oldest has waited one burst
/// (or a burst's worth of frames is in): decoding a camera's frames back to back keeps its decoder
/// in the cache. Packets still waiting when the connection fails are only freed.
struct PacketBurst {
    let seconds: Double
    private let frames: Int
    private var packets: [OwnedPacket] = []
    private var since = 0.0

    init(seconds: Double, fps: Double) {
        self.seconds = seconds
        frames = max(1, Int((seconds * (fps > 0 ? fps : 25)).rounded()))
    }

    var isOn: Bool { seconds > 0 }

    /// Takes over `packet`'s data (leaving it blank); returns whether the burst is due, or nil when
    /// it could not take the packet (out of memory: decode it at once instead).
    mutating func add(_ packet: UnsafeMutablePointer<AVPacket>) -> Bool? {
        guard let waiting = OwnedPacket(moving: packet) else { return nil }
        let now = Double(DispatchTime.now().uptimeNanoseconds) / 1e9
        if packets.isEmpty { since = now }
        packets.append(waiting)
        return packets.count >= frames || now - since >= seconds
    }

    /// The waiting packets, in arrival order; the burst starts empty again.
    mutating func take() -> [OwnedPacket] {
        let taken = packets
        packets = []
        return taken
    }
}
