import CFFmpeg
import Foundation
import Logging
import Synchronization
import Vocabulary

/// What one camera's ingest loop does: where to read, how to decode, what to hand to analysis.
/// Defaults as a camera's configuration has them (`StreamDefaults`).
public struct IngestSpec: Sendable {
    public var cameraId: String
    public var url: StreamURL
    public var options: OpenOptions
    /// Frames per second handed to analysis (stream time).
    public var analysisFps: Double
    /// Analysis width in pixels; height follows the picture's aspect ratio unless given.
    public var analysisWidth: Int
    public var analysisHeight: Int?
    /// Frames within this many seconds after a reconnect are decoded but not analysed.
    public var settleSeconds: Double
    public var backoff: BackoffPolicy
    /// Read files at their own frame rate, as a camera would send them (default: files yes, RTSP no).
    public var pace: Bool?
    /// Skip decoding non-reference frames (default: when analysis wants less than half the stream's frames).
    public var skipNonReference: Bool?
    /// Stop at end of stream instead of reconnecting (probing, benchmarks, evaluation).
    public var stopAtEnd: Bool
    /// Seconds of video decoded in one run (cache locality across many cameras); 0: each packet at once.
    public var decodeBurst: Double
    /// When H.264's deblocking filter may be skipped to keep up (`DeblockPolicy`).
    public var deblock: DeblockPolicy
    /// False: the stream is only read into the packet ring, never decoded (a camera's main stream
    /// kept for clips while its substream is analysed); no frames are handed on.
    public var decode = true
    /// Seconds to wait before the first connection (`StreamDefaults.startSpacing`).
    public var startDelay = 0.0
    /// Whether the machine is short of CPU: under `deblock: auto` the filter is then shed too
    /// (nil: only while this camera's own decoding runs late).
    public var load: NodeLoad? = NodeLoad.process

    public init(cameraId: String, url: StreamURL, options: OpenOptions = OpenOptions(), analysisFps: Double = StreamDefaults.analysisFps,
                analysisWidth: Int = StreamDefaults.analysisWidth, analysisHeight: Int? = nil, settleSeconds: Double = StreamDefaults.settle,
                backoff: BackoffPolicy = .standard, pace: Bool? = nil, skipNonReference: Bool? = nil,
                stopAtEnd: Bool = false, decodeBurst: Double = StreamDefaults.decodeBurst, deblock: DeblockPolicy = StreamDefaults.deblock) {
        self.cameraId = cameraId
        self.url = url
        self.options = options
        self.analysisFps = analysisFps
        self.analysisWidth = analysisWidth
        self.analysisHeight = analysisHeight
        self.settleSeconds = settleSeconds
        self.backoff = backoff
        self.pace = pace
        self.skipNonReference = skipNonReference
        self.stopAtEnd = stopAtEnd
        self.decodeBurst = decodeBurst
        self.deblock = deblock
    }
}

/// One camera's ingest loop — connect → read → decode → sample → scale → hand off, and on any
/// failure back off and reconnect — on a thread of its own, never on Swift's cooperative pool,
/// because every libav call here blocks.
public final class CameraIngest: Sendable {
    public let spec: IngestSpec
    public let health = IngestHealthRecorder()
    /// The last seconds of compressed video packets, for event clips (nil: no clips).
    public let ring: PacketRing?
    private let deadline = Deadline()
    private let onFrame: @Sendable (CameraFrame) -> Void
    private let onState: @Sendable (CameraState, MediaError?) -> Void
    private let finished = DispatchSemaphore(value: 0)
    /// The first state is always announced, even though health starts out as `connecting`.
    private let announced = Atomic<Bool>(false)
    private let logger: Logger

    /// - Parameters:
    ///   - onFrame: called on the ingest thread for every analysis frame; must not block.
    ///   - onState: called on the ingest thread on every state change, with the error that caused it.
    public init(spec: IngestSpec, logger: Logger = Logger(label: "retina.ingest"), ring: PacketRing? = nil,
                onState: @escaping @Sendable (CameraState, MediaError?) -> Void = { _, _ in },
                onFrame: @escaping @Sendable (CameraFrame) -> Void) {
        self.spec = spec
        self.ring = ring
        self.onFrame = onFrame
        self.onState = onState
        var logger = logger
        logger[metadataKey: "camera"] = "\(spec.cameraId)"
        self.logger = logger
    }

    /// How much nicer than the rest of the process a camera's reading and decoding thread runs
    /// (libav's own decoder threads, made from it, inherit this). Decoding takes most of a full
    /// machine and is buffered (bursts, the frame buffer); analysis, snapshots and event commits are
    /// not, and without this they queue behind two dozen decoders for seconds.
    public static let decodeNiceness: Int32 = 5

    public func start() {
        // Named from inside (on Linux a name set before start does not reach the thread), by role,
        // so that `top -H` and Benchmarks/lib/threads.py tell decoding from reading into the ring.
        let name = "\(spec.decode ? "decode" : "ring")-\(spec.cameraId)"
        let thread = Thread { [self] in
            Thread.current.name = name
            // Linux keeps nice per thread: `who` 0 is this thread alone, not the process.
            let which = __priority_which_t(PRIO_PROCESS.rawValue)
            _ = setpriority(which, 0, getpriority(which, 0) + Self.decodeNiceness)
            run()
            finished.signal()
        }
        thread.start()
    }

    /// Stops the loop: interrupts any blocking libav call and waits for the thread to end.
    public func stop() {
        deadline.cancel()
        finished.wait()
        finished.signal()
    }

    /// Runs the loop on the calling thread until stopped (or, with `stopAtEnd`, until the stream ends).
    public func run() {
        var attempt = 0
        var segment = 0
        if spec.startDelay > 0 { sleep(spec.startDelay) }
        while !deadline.isCancelled {
            if segment > 0 || attempt > 0 { health.reconnecting() }
            // A camera that failed persistently stays `failed` (and keeps its `since`) through its slow
            // retries: the office sees one steady state, not a flicker to `connecting` every retry.
            if health.snapshot.state != .failed { transition(.connecting) }
            var gotFrames = false
            var failure: MediaError?
            do {
                segment += 1
                gotFrames = try stream(segment: segment)
                if spec.stopAtEnd { break }
                failure = .endOfStream(url: spec.url.masked)
            } catch .cancelled {
                break
            } catch {
                failure = error
                if spec.stopAtEnd && !gotFrames && error.isPersistent { transition(.failed, error); break }
            }
            if gotFrames { attempt = 0 }
            let delay: Double
            if let failure, failure.isPersistent {
                transition(.failed, failure)
                delay = attempt == 0 ? spec.backoff.delay(attempt: 2) : spec.backoff.persistentDelay()
            } else {
                delay = spec.backoff.delay(attempt: attempt)
                transition(.backoff, failure)
            }
            if let failure { logger.warning("\(failure); retrying in \(String(format: "%.1f", delay)) s") }
            attempt += 1
            sleep(delay)
            if spec.stopAtEnd && attempt > spec.backoff.delays.count { break }
        }
        transition(.stopped)
    }

    /// One connection, in phases: connect, then read → (wait for a burst) → decode → for each
    /// decoded frame: time it, govern deblocking, pace, sample, emit; at the end drain the decoder.
    /// Returns whether any frame was decoded; throws what ended it (other than a clean end).
    private func stream(segment number: Int) throws(MediaError) -> Bool {
        if !spec.decode { return try record(segment: number) }
        let connection = try connect(segment: number)
        // Each connection is a ring segment with its own codec parameters; it ends with the connection.
        ring?.begin(segment: number, stream: connection.demuxer.stream)
        defer { ring?.end(segment: number) }
        guard let owned = OwnedPacket() else { throw .other(url: spec.url.masked, phase: "allocating", reason: "out of memory") }
        let packet = owned.pointer
        var burst = PacketBurst(seconds: connection.segment.pace ? 0 : spec.decodeBurst, fps: connection.info.fps)
        while try read(into: packet, from: connection.demuxer) {
            ring?.push(packet)  // a reference to the packet's buffer, not a copy
            if burst.isOn, let due = burst.add(packet) {
                if due { try decode(burst.take(), connection) }
                continue
            }
            try decode(packet, connection)
            av_packet_unref(packet)
        }
        try decode(burst.take(), connection)
        // End of stream: drain the frames the decoder still holds (frame threading keeps several).
        try decode(nil, connection)
        if !connection.segment.gotFrames { throw .invalidData(url: spec.url.masked, reason: "no frame could be decoded") }
        return true
    }

    /// A stream kept only for its packets: read into the ring, paced like a camera for a file, never
    /// decoded. Streaming from its first packet.
    private func record(segment number: Int) throws(MediaError) -> Bool {
        let demuxer = try Demuxer(url: spec.url, options: spec.options, deadline: deadline)
        let info = demuxer.info
        health.connected(info)
        logger.info("connected: \(info.codec) \(info.width)x\(info.height) \(String(format: "%.2f", info.fps)) fps, kept for clips (not decoded)")
        ring?.begin(segment: number, stream: demuxer.stream)
        defer { ring?.end(segment: number) }
        guard let owned = OwnedPacket() else { throw .other(url: spec.url.masked, phase: "allocating", reason: "out of memory") }
        let packet = owned.pointer
        let pace = spec.pace ?? !spec.url.isLive
        var anchor: (wall: Date, stream: Double)?
        var got = false
        while try read(into: packet, from: demuxer) {
            defer { av_packet_unref(packet) }
            if !got {
                got = true
                transition(.streaming)
            }
            let stamp = packet.pointee.pts != retina_nopts() ? packet.pointee.pts : packet.pointee.dts
            if pace, stamp != retina_nopts() {
                let t = Double(stamp) * demuxer.timeBase
                let a = anchor ?? (Date(), t)
                anchor = a
                sleep(until: a.wall.addingTimeInterval(t - a.stream))
            }
            ring?.push(packet)
            health.decoded(sampled: false, undeblocked: false)
            if deadline.isCancelled { throw .cancelled }
        }
        if !got { throw .invalidData(url: spec.url.masked, reason: "no packet could be read") }
        return true
    }

    /// Phase 1: open the stream and its decoder, and set up the segment's clock and sampling.
    private func connect(segment number: Int) throws(MediaError) -> Connection {
        let demuxer = try Demuxer(url: spec.url, options: spec.options, deadline: deadline)
        let info = demuxer.info
        health.connected(info)
        let analysisFps = spec.analysisFps
        let skipNonRef = spec.skipNonReference ?? (info.fps > 0 && analysisFps > 0 && analysisFps * 2 <= info.fps)
        let decoder = try VideoDecoder(demuxer: demuxer, threads: spec.options.decoderThreads, skipNonReference: skipNonRef)
        let (width, height) = analysisSize(info)
        let segment = Segment(number: number, timeBase: demuxer.timeBase, nominalPeriod: info.fps > 0 ? 1 / info.fps : 0.04,
                              pace: spec.pace ?? !spec.url.isLive, live: spec.url.isLive, settleSeconds: spec.settleSeconds,
                              sampler: FrameSampler(fps: analysisFps),
                              governor: DeblockGovernor(policy: spec.deblock, slack: spec.decodeBurst))
        decoder.skipsLoopFilter = segment.governor.skipping
        logger.info("connected: \(info.codec) \(info.width)x\(info.height) \(String(format: "%.2f", info.fps)) fps → analysis \(width)x\(height) @ \(analysisFps) fps\(skipNonRef ? ", skipping non-reference frames" : "")")
        return Connection(demuxer: demuxer, decoder: decoder, info: info, width: width, height: height, segment: segment)
    }

    /// Phase 2: the next packet. A stall is reported the moment it is detected, before the
    /// connection is torn down.
    private func read(into packet: UnsafeMutablePointer<AVPacket>, from demuxer: Demuxer) throws(MediaError) -> Bool {
        do {
            return try demuxer.read(into: packet)
        } catch .stalled(let url, let seconds) {
            health.stalled()
            transition(.stalled, .stalled(url: url, seconds: seconds))
            throw .stalled(url: url, seconds: seconds)
        }
    }

    /// Phase 3: decode packets that waited for a burst (freed as they go).
    private func decode(_ packets: [OwnedPacket], _ connection: Connection) throws(MediaError) {
        for packet in packets { try decode(packet.pointer, connection) }
    }

    /// Phase 3: decode one packet (nil drains the decoder) and take each frame it yields.
    private func decode(_ packet: UnsafeMutablePointer<AVPacket>?, _ connection: Connection) throws(MediaError) {
        let ok = try connection.decoder.decode(packet) { frame throws(MediaError) in try take(frame, connection) }
        if !ok { health.corruptPacket() }
        if deadline.isCancelled { throw .cancelled }
    }

    /// Phase 4, for each decoded frame: time it, shed deblocking if late, pace a file, sample, emit.
    private func take(_ frame: UnsafeMutablePointer<AVFrame>, _ connection: Connection) throws(MediaError) {
        let pts = frame.pointee.best_effort_timestamp
        let t = connection.segment.streamTime(pts: pts == retina_nopts() ? nil : pts)
        if !connection.segment.gotFrames {
            connection.segment.gotFrames = true
            transition(.streaming)
        }
        let now = Date()
        let wall = connection.segment.wallTime(streamTime: t, now: now)
        // A camera whose decoding fell behind real time, or any camera while the machine is short of
        // CPU, sheds the deblocking filter until it is not (from the next packet: this frame was
        // decoded as the filter stood).
        let undeblocked = connection.decoder.skipsLoopFilter && retina_frame_is_key(frame) == 0
        if connection.segment.governor.update(lateBy: now.timeIntervalSince(wall), nodeShort: spec.load?.isShort ?? false) {
            connection.decoder.skipsLoopFilter = connection.segment.governor.skipping
        }
        // A paced file is decoded in bursts too, as a live camera's packets are: frames run up to
        // one burst late, never early.
        if connection.segment.pace, wall > now { sleep(until: wall.addingTimeInterval(spec.decodeBurst)) }
        let index = connection.segment.nextIndex()
        let sampled = connection.segment.samples(t)
        health.decoded(sampled: sampled, undeblocked: undeblocked)
        guard sampled else { return }
        emit(frame, connection, index: index, streamTime: t, wall: wall)
    }

    /// Phase 5: the analysed frame — luma at the analysis size and a reference to the picture.
    private func emit(_ frame: UnsafeMutablePointer<AVFrame>, _ connection: Connection, index: Int, streamTime t: Double, wall: Date) {
        guard let pixels = connection.luma.pixels(of: frame, layout: .gray, width: connection.width, height: connection.height) else { return }
        onFrame(CameraFrame(
            width: connection.width, height: connection.height, pixels: pixels, picture: DecodedPicture(referencing: frame),
            sourceWidth: Int(frame.pointee.width), sourceHeight: Int(frame.pointee.height),
            time: wall, streamTime: t, index: index, segment: connection.segment.number
        ))
    }

    private func analysisSize(_ info: StreamInfo) -> (Int, Int) {
        let w = max(16, spec.analysisWidth) & ~1
        if let h = spec.analysisHeight { return (w, max(16, h) & ~1) }
        guard info.width > 0, info.height > 0 else { return (w, (w * 9 / 16) & ~1) }
        return (w, max(16, Int((Double(w) * Double(info.height) / Double(info.width)).rounded())) & ~1)
    }

    private func transition(_ state: CameraState, _ error: MediaError? = nil) {
        let before = health.snapshot.state
        health.set(state, error: error?.description)
        if before != state || error != nil || !announced.exchange(true, ordering: .relaxed) { onState(state, error) }
    }

    /// Sleeps in short slices so that `stop()` is never kept waiting.
    private func sleep(_ seconds: Double) {
        sleep(until: Date().addingTimeInterval(seconds))
    }

    private func sleep(until wall: Date) {
        while !deadline.isCancelled {
            let left = wall.timeIntervalSinceNow
            if left <= 0 { return }
            Thread.sleep(forTimeInterval: min(left, 0.05))
        }
    }
}
