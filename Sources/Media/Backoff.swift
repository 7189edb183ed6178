import Vocabulary

/// Tiered reconnect delays: quick retries first, then seconds, then minutes. The last tier repeats.
/// Jitter spreads the retries of many cameras that lost the same switch or server.
public struct BackoffPolicy: Sendable, Equatable {
    /// Delay in seconds before attempt `n` (0-based); the last entry repeats.
    public var delays: [Double]
    /// Fraction of each delay added or removed at random (0.2 = ±20 %).
    public var jitter: Double

    public static let standard = BackoffPolicy(delays: StreamDefaults.backoff, jitter: StreamDefaults.backoffJitter)

    public init(delays: [Double], jitter: Double) {
        precondition(!delays.isEmpty, "a backoff policy needs at least one delay")
        self.delays = delays
        self.jitter = jitter
    }

    public func delay(attempt: Int, random: Double = Double.random(in: -1...1)) -> Double {
        let base = delays[min(max(attempt, 0), delays.count - 1)]
        return max(0, base * (1 + jitter * random))
    }

    /// The tier used for errors a retry soon will not fix (bad credentials, wrong path).
    public func persistentDelay(random: Double = Double.random(in: -1...1)) -> Double {
        delay(attempt: delays.count - 1, random: random)
    }
}
