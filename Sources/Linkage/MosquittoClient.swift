import CMosquitto
import Foundation

/// One MQTT connection through Eclipse Mosquitto's C library, owned: the library's network thread
/// (`mosquitto_loop_start`) connects, reconnects with backoff and resends unacknowledged QoS 1
/// messages; `publish` waits for the broker's PUBACK without blocking a Swift thread. The will
/// (sent by the broker if this process vanishes) and what to publish on every (re)connect are
/// given at creation. Nothing here blocks Swift's cooperative pool: `mosquitto_publish` only
/// queues, and stopping the network thread runs on a queue of its own.
public final class MosquittoClient: @unchecked Sendable {
    // @unchecked: `handle` is only used through libmosquitto's thread-safe calls; `state` locks.
    private let handle: OpaquePointer
    private let state: State
    private var stopped = false
    private let stopLock = NSLock()

    public struct Will: Sendable {
        public var topic: String
        public var payload: String
        public init(topic: String, payload: String) { self.topic = topic; self.payload = payload }
    }

    public enum Failure: Error, CustomStringConvertible, Equatable {
        case notConnected(String)
        case refused(String)
        case noAcknowledgement(Double)

        public var description: String {
            switch self {
            case .notConnected(let why): return "not connected to the broker (\(why))"
            case .refused(let why): return "the client library refused the message: \(why)"
            case .noAcknowledgement(let s): return "the broker did not acknowledge the message within \(Int(s)) s"
            }
        }
    }

    private static let libraryReady: Void = { mosquitto_lib_init(); return () }()

    /// - Parameter onConnect: runs on the library's thread after each successful (re)connect; it
    ///   may call `publishNow` (the `available` topic, retained statuses).
    public init(clientId: String, host: String, port: Int, username: String?, password: String?, will: Will?,
                onConnect: @escaping @Sendable (MosquittoClient) -> Void) throws {
        _ = Self.libraryReady
        state = State()
        guard let handle = mosquitto_new(clientId, true, Unmanaged.passUnretained(state).toOpaque()) else {
            throw Failure.refused("mosquitto_new failed (out of memory?)")
        }
        self.handle = handle
        if let username {
            try Self.check(mosquitto_username_pw_set(handle, username, password), "username")
        }
        if let will {
            let bytes = Array(will.payload.utf8)
            try Self.check(mosquitto_will_set(handle, will.topic, Int32(bytes.count), bytes, 1, true), "will")
        }
        mosquitto_reconnect_delay_set(handle, 1, 30, true)
        mosquitto_connect_callback_set(handle) { _, obj, rc in
            guard let obj else { return }
            Unmanaged<State>.fromOpaque(obj).takeUnretainedValue().connected(rc)
        }
        mosquitto_disconnect_callback_set(handle) { _, obj, rc in
            guard let obj else { return }
            Unmanaged<State>.fromOpaque(obj).takeUnretainedValue().disconnected(rc)
        }
        mosquitto_publish_callback_set(handle) { _, obj, mid in
            guard let obj else { return }
            Unmanaged<State>.fromOpaque(obj).takeUnretainedValue().acknowledged(mid)
        }
        state.onConnect = { [weak self] in if let self { onConnect(self) } }
        // A broker that is down now is not an error: the network thread keeps trying.
        let rc = mosquitto_connect_async(handle, host, Int32(port), 30)
        if rc != MOSQ_ERR_SUCCESS.rawValue { state.note(Self.describe(rc)) }
        try Self.check(mosquitto_loop_start(handle), "network thread")
    }

    deinit {
        stopLoop(force: true)
        mosquitto_destroy(handle)
    }

    public var isConnected: Bool { state.isConnected }
    /// Why the last connection attempt failed or ended, for status and logs.
    public var lastProblem: String? { state.problem }

    /// Publishes at QoS 1 and waits for the broker's acknowledgement.
    public func publish(topic: String, payload: Data, retain: Bool, timeout: Double = 30) async throws(Failure) {
        let mid = try publishNow(topic: topic, payload: payload, retain: retain)
        if await !state.waitForAcknowledgement(mid, timeout: timeout) { throw .noAcknowledgement(timeout) }
    }

    /// Queues a QoS 1 message without waiting (from `onConnect`, say); returns its message id.
    @discardableResult
    public func publishNow(topic: String, payload: Data, retain: Bool) throws(Failure) -> Int32 {
        guard state.isConnected else { throw .notConnected(state.problem ?? "connecting") }
        var mid: Int32 = 0
        let rc = payload.withUnsafeBytes { raw in
            mosquitto_publish(handle, &mid, topic, Int32(raw.count), raw.baseAddress, 1, retain)
        }
        guard rc == MOSQ_ERR_SUCCESS.rawValue else {
            if rc == MOSQ_ERR_NO_CONN.rawValue { throw .notConnected(Self.describe(rc)) }
            throw .refused(Self.describe(rc))
        }
        return mid
    }

    /// Disconnects cleanly (the broker does not send the will) and stops the network thread.
    public func close() async {
        mosquitto_disconnect(handle)
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async { self.stopLoop(force: false); c.resume() }
        }
    }

    private func stopLoop(force: Bool) {
        stopLock.lock()
        defer { stopLock.unlock() }
        guard !stopped else { return }
        stopped = true
        mosquitto_loop_stop(handle, force)
    }

    private static func check(_ rc: Int32, _ what: String) throws(Failure) {
        if rc != MOSQ_ERR_SUCCESS.rawValue { throw .refused("\(what): \(describe(rc))") }
    }

    static func describe(_ rc: Int32) -> String {
        if rc == MOSQ_ERR_ERRNO.rawValue { return String(cString: strerror(errno)) }
        return String(cString: mosquitto_strerror(rc))
    }

    /// What the library's callbacks tell, behind a lock: connected or not, and acknowledgements.
    final class State: @unchecked Sendable {
        private let lock = NSLock()
        private var connectedNow = false
        private(set) var problemNow: String?
        private var waiters: [Int32: CheckedContinuation<Bool, Never>] = [:]
        /// Acknowledgements that came before their waiter (or after it gave up), with when.
        private var early: [Int32: Date] = [:]
        var onConnect: (@Sendable () -> Void)?

        var isConnected: Bool { lock.withLock { connectedNow } }
        var problem: String? { lock.withLock { problemNow } }
        func note(_ problem: String) { lock.withLock { problemNow = problem } }

        func connected(_ rc: Int32) {
            if rc == 0 {
                lock.withLock { connectedNow = true; problemNow = nil }
                onConnect?()
            } else {
                note("the broker refused the connection: " + String(cString: mosquitto_connack_string(rc)))
            }
        }

        func disconnected(_ rc: Int32) {
            lock.withLock {
                connectedNow = false
                if rc != 0 { problemNow = "connection lost" }
            }
        }

        func acknowledged(_ mid: Int32) {
            let waiter: CheckedContinuation<Bool, Never>? = lock.withLock {
                if let w = waiters.removeValue(forKey: mid) { return w }
                let now = Date()
                early = early.filter { now.timeIntervalSince($0.value) < 120 }
                early[mid] = now
                return nil
            }
            waiter?.resume(returning: true)
        }

        func waitForAcknowledgement(_ mid: Int32, timeout: Double) async -> Bool {
            await withCheckedContinuation { (c: CheckedContinuation<Bool, Never>) in
                let already: Bool = lock.withLock {
                    if early.removeValue(forKey: mid) != nil { return true }
                    waiters[mid] = c
                    return false
                }
                if already { c.resume(returning: true); return }
                DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { [self] in
                    let w = lock.withLock { waiters.removeValue(forKey: mid) }
                    w?.resume(returning: false)
                }
            }
        }
    }
}
