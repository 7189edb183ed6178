import Dispatch
import Synchronization

/// Whether the machine is short of CPU, for every camera of the process at once. Work that is not
/// buffered tells it when it had to be dropped (the inference lane skipping a due people pass);
/// each camera's deblock governor reads it, so that under `deblock: auto` decoding gets cheaper
/// before analysis loses passes. Decoders at their lower priority keep real time on a full machine
/// (they are buffered): it is the unbuffered work that shows the machine is full.
public final class NodeLoad: Sendable {
    /// The process's one: what the inference lane reports and every camera's ingest reads.
    public static let process = NodeLoad()

    /// Seconds the machine counts as short after the last report: shedding on a single skip and
    /// taking the filter back a moment later would only move the shortage around.
    public let hold: Double
    private let lastShort = Atomic<UInt64>(0)

    public init(hold: Double = 10) { self.hold = hold }

    /// Work that could not wait was dropped now.
    public func reportShort() { lastShort.store(Self.now(), ordering: .relaxed) }

    /// A report came within the last `hold` seconds.
    public var isShort: Bool {
        let last = lastShort.load(ordering: .relaxed)
        return last > 0 && Double(Self.now() - last) < hold * 1e9
    }

    private static func now() -> UInt64 { max(1, DispatchTime.now().uptimeNanoseconds) }
}
