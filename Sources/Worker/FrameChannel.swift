import Synchronization

/// The hand-off between a camera's ingest thread and its analysis: an `AsyncStream` that keeps the
/// newest `capacity` items and never blocks the producer. When analysis falls behind, the stream
/// drops the *oldest* waiting item (the freshest frame is the one worth analysing) and says so,
/// and the channel counts it.
public final class FrameChannel<Element: Sendable>: Sendable {
    private struct Counts {
        var accepted = 0
        var dropped = 0
        var delivered = 0
    }

    public let capacity: Int
    private let stream: AsyncStream<Element>
    private let continuation: AsyncStream<Element>.Continuation
    private let counts = Mutex(Counts())

    public init(capacity: Int) {
        precondition(capacity > 0, "a channel needs room for at least one item")
        self.capacity = capacity
        (stream, continuation) = AsyncStream.makeStream(of: Element.self, bufferingPolicy: .bufferingNewest(capacity))
    }

    /// Hands `item` to the consumer; returns false if the channel is finished (the item is dropped).
    @discardableResult
    public func push(_ item: Element) -> Bool {
        switch continuation.yield(item) {
        case .enqueued:
            counts.withLock { $0.accepted += 1 }
            return true
        case .dropped:
            counts.withLock { $0.accepted += 1; $0.dropped += 1 }
            return true
        case .terminated:
            return false
        @unknown default:
            return false
        }
    }

    /// No more items will come; the consumer drains what is left, then its loop ends.
    public func finish() { continuation.finish() }

    /// The items, for one consumer: `for await item in channel.items { … }`.
    public var items: Items { Items(base: stream, channel: self) }

    /// Items dropped because the consumer was behind.
    public var dropped: Int { counts.withLock { $0.dropped } }
    public var accepted: Int { counts.withLock { $0.accepted } }
    /// Items accepted and neither dropped nor handed to the consumer yet.
    public var waiting: Int { counts.withLock { $0.accepted - $0.dropped - $0.delivered } }

    fileprivate func delivered() { counts.withLock { $0.delivered += 1 } }

    public struct Items: AsyncSequence {
        let base: AsyncStream<Element>
        let channel: FrameChannel

        public func makeAsyncIterator() -> Iterator { Iterator(base: base.makeAsyncIterator(), channel: channel) }

        public struct Iterator: AsyncIteratorProtocol {
            var base: AsyncStream<Element>.Iterator
            let channel: FrameChannel

            public mutating func next() async -> Element? {
                guard let item = await base.next() else { return nil }
                channel.delivered()
                return item
            }
        }
    }
}
