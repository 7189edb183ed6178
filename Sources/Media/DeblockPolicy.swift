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

/// Decides, frame by frame, whether a camera skips the deblocking filter (`DeblockPolicy.auto`),
/// with hysteresis so that a camera at the edge of keeping up does not flip on every frame.
struct DeblockGovernor {
    /// Lateness beyond the expected delay at which the filter is shed, and within which it is back.
    static let shedBeyond = 0.5, restoreWithin = 0.1

    let policy: DeblockPolicy
    /// The delay frames always have (the decode burst): a frame that late is on time.
    let slack: Double
    private(set) var skipping: Bool

    init(policy: DeblockPolicy, slack: Double) {
        self.policy = policy
        self.slack = max(0, slack)
        skipping = policy == .keyframes
    }

    /// Takes how late the frame now being decoded is against its place in real time (seconds);
    /// returns whether `skipping` changed.
    mutating func update(lateBy late: Double) -> Bool {
        guard policy == .auto else { return false }
        let now = skipping ? late > slack + Self.restoreWithin : late > slack + Self.shedBeyond
        defer { skipping = now }
        return now != skipping
    }
}
