import Foundation

/// How the people moving through one place head: their motion shared out over eight headings of
/// 45° each. A place's mean direction alone cannot tell a one-way lane with one person against it
/// from a walkway where a fifth of the people go back (both have a strong mean, 0.6 and more);
/// the shares can: against the flow is a heading few take there.
public struct HeadingShares: Sendable, Equatable {
    public static let sectors = 8
    private var weights = [Double](repeating: 0, count: HeadingShares.sectors)

    public init() {}

    /// Adds motion heading (`vx`, `vy`) with `weight` (seconds for a plain sum; with `fade`, shares
    /// of a step of an exponential average).
    public mutating func learn(vx: Double, vy: Double, weight: Double) {
        guard vx != 0 || vy != 0, weight > 0 else { return }
        weights[Self.sector(vx, vy)] += weight
    }

    /// Keeps `1 - rate` of what was learned: before a step of an exponential average at `rate`.
    public mutating func fade(by rate: Double) {
        for s in weights.indices { weights[s] *= 1 - min(1, max(0, rate)) }
    }

    /// The share of the learned motion that heads the way (`vx`, `vy`) does: its own sector and the
    /// two beside it (within about 67° of it); nil before anything was learned.
    public func share(headingLike vx: Double, _ vy: Double) -> Double? {
        let total = weights.reduce(0, +)
        guard total > 0, vx != 0 || vy != 0 else { return nil }
        let s = Self.sector(vx, vy), n = Self.sectors
        return (weights[(s + n - 1) % n] + weights[s] + weights[(s + 1) % n]) / total
    }

    private static func sector(_ vx: Double, _ vy: Double) -> Int {
        let turn = (atan2(vy, vx) / (2 * Double.pi) + 1).truncatingRemainder(dividingBy: 1)
        return Int((turn * Double(sectors) + 0.5).rounded(.down)) % sectors
    }
}
