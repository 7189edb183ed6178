import Vocabulary

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
