import Synchronization

/// The hand-off between a camera's ingest thread and its analysis: bounded, never blocks the
/// producer, and when analysis falls behind it drops the *oldest* waiting item (the freshest frame
/// is the one worth analysing) and counts the drop.
public final class DropOldestBuffer<Element: Sendable>: Sendable {
    private struct State {
        var items: [Element] = []
        var head = 0
        var waiter: CheckedContinuation<Element?, Never>?
        var finished = false
        var dropped = 0
        var accepted = 0
    }
    private let state = Mutex(State())
    public let capacity: Int

    public init(capacity: Int) {
        precondition(capacity > 0, "a buffer needs room for at least one item")
        self.capacity = capacity
    }

    /// Hands `item` to the consumer; returns false if it was dropped because the buffer is finished.
    @discardableResult
    public func push(_ item: Element) -> Bool {
        let waiter: CheckedContinuation<Element?, Never>? = state.withLock { s in
            guard !s.finished else { return nil }
            s.accepted += 1
            if let w = s.waiter {
                s.waiter = nil
                return w
            }
            if s.items.count - s.head >= capacity {
                s.head += 1
                s.dropped += 1
            }
            s.items.append(item)
            if s.head > 64 && s.head * 2 > s.items.count {
                s.items.removeFirst(s.head)
                s.head = 0
            }
            return nil
        }
        waiter?.resume(returning: item)
        return !(state.withLock { $0.finished })
    }

    /// The next item, waiting if none is there; nil once finished and drained.
    public func next() async -> Element? {
        await withCheckedContinuation { (c: CheckedContinuation<Element?, Never>) in
            let ready: Element?? = state.withLock { s in
                if s.head < s.items.count {
                    let item = s.items[s.head]
                    s.head += 1
                    return .some(item)
                }
                if s.finished { return .some(nil) }
                s.waiter = c
                return nil
            }
            if let ready { c.resume(returning: ready) }
        }
    }

    /// No more items will come; the consumer drains what is left, then gets nil.
    public func finish() {
        let waiter = state.withLock { s -> CheckedContinuation<Element?, Never>? in
            s.finished = true
            let w = s.waiter
            s.waiter = nil
            return w
        }
        waiter?.resume(returning: nil)
    }

    /// Items dropped because the consumer was behind.
    public var dropped: Int { state.withLock { $0.dropped } }
    public var accepted: Int { state.withLock { $0.accepted } }
    public var waiting: Int { state.withLock { $0.items.count - $0.head } }
}
