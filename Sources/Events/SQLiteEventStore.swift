import Foundation

/// The embedded dispatch queue: one SQLite file in WAL mode, shared by every producer process on
/// the machine. All SQLite calls run on the store's own serial queue, never on Swift's cooperative
/// pool, and each publish is one short IMMEDIATE transaction.
public final class SQLiteEventStore: EventStore, @unchecked Sendable {
    // @unchecked: `connection` is only touched on `queue`.
    private let queue: DispatchQueue
    private let connection: SQLiteConnection
    public let path: String

    public init(path: String) throws {
        self.path = path
        queue = DispatchQueue(label: "retina.store.sqlite")
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty, !FileManager.default.fileExists(atPath: dir) {
            throw StoreError.open(path: path, reason: "folder \(dir) does not exist")
        }
        connection = try SQLiteConnection(path: path)
        do {
            try Self.migrate(connection)
        } catch StoreError.unsupported(let reason) {
            throw StoreError.open(path: path, reason: reason)
        }
    }

    func onQueue<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body(self.connection) }) }
        }
    }

    public func close() async {
        // The connection closes when the store is released; wait for queued work first.
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in queue.async { c.resume() } }
    }
}
