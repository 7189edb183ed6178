/// RTSP transport. TCP survives NAT and loss better than UDP for analysis.
public enum StreamTransport: String, Sendable, CaseIterable {
    case tcp, udp
}

/// When a camera's H.264 decoder applies its in-loop deblocking filter.
///
/// Skipping it on non-key frames saves about a fifth of the decoding CPU, which is most of a
/// machine's work. On our 720p 2 Mbit/s test stream the frames stay within 49.5 dB (luma PSNR, mean)
/// of the full decode: blocking that analysis at 384 px does not see and an operator barely sees in
/// a snapshot. Clips are never affected: they are the camera's own packets.
public enum DeblockPolicy: String, Sendable, CaseIterable {
    /// Every frame is deblocked, as the encoder meant.
    case always
    /// Deblocked while the camera keeps up with real time; while its decoding runs late (a machine
    /// over capacity), the filter is skipped until it has caught up, instead of frames being lost.
    case auto
    /// Only key frames are deblocked: the cheapest decode, always.
    case keyframes
}

/// How a camera is read when its configuration says nothing: the one set of defaults for the
/// configuration (`StreamSettings`) and the media layer (`IngestSpec`, `OpenOptions`).
public enum StreamDefaults {
    public static let transport = StreamTransport.tcp
    /// Seconds to connect and read the stream headers.
    public static let openTimeout = 10.0
    /// Seconds without data before the stream counts as stalled.
    public static let stallTimeout = 5.0
    /// libavcodec threads per camera (0: one per core). One is the cheapest per frame, and a
    /// machine serves many cameras, so their decoders run side by side on the cores anyway;
    /// frame threading only pays for a single camera too big for one core (4K at 25 fps).
    public static let decoderThreads = 1
    /// Seconds of video decoded together: a camera's packets wait up to this long and are then
    /// decoded in one run, so its decoder state and reference frames are still in the CPU cache
    /// (with two dozen cameras per machine this saves a sixth of the decoding CPU, Benchmarks/README.md).
    /// Adds up to this much latency; 0 decodes every packet at once.
    public static let decodeBurst = 0.2
    /// An overloaded machine sheds a fifth of its decoding CPU instead of frames.
    public static let deblock = DeblockPolicy.auto
    /// Seconds between the starts of a worker's cameras, in their order: dozens of cameras that
    /// connect, decode their first GOP and ask for their first people pass in the same instant
    /// held up each other's first events (64 cameras: p99 1.2 s, Benchmarks/README.md).
    public static let startSpacing = 0.03
    /// Frames per second and width (pixels) handed to analysis.
    public static let analysisFps = 5.0
    public static let analysisWidth = 384
    /// Seconds of frames not analysed after a reconnect.
    public static let settle = 1.0
    /// Reconnect delays in seconds, quick first, then seconds, then minutes; the last repeats.
    public static let backoff: [Double] = [0.5, 0.5, 1, 2, 5, 10, 30, 60, 120]
    /// Fraction of each reconnect delay added or removed at random, so that the cameras behind one
    /// failed switch do not all retry at once.
    public static let backoffJitter = 0.2
}
