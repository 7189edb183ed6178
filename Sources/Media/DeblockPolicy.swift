import Vocabulary

/// Decides, frame by frame, whether a camera skips the deblocking filter (`DeblockPolicy.auto`): while
/// its own decoding runs late (with hysteresis, so that a camera at the edge of keeping up does not
/// flip on every frame), and while the machine is short of CPU for the work that cannot wait.
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

    /// Whether this camera's own decoding is late (the lateness half of `skipping`, with its hysteresis).
    private var late = false

    /// Takes how late the frame now being decoded is against its place in real time (seconds) and
    /// whether the machine is short of CPU (`NodeLoad`); returns whether `skipping` changed.
    mutating func update(lateBy lateness: Double, nodeShort: Bool = false) -> Bool {
        guard policy == .auto else { return false }
        late = late ? lateness > slack + Self.restoreWithin : lateness > slack + Self.shedBeyond
        let now = late || nodeShort
        defer { skipping = now }
        return now != skipping
    }
}
