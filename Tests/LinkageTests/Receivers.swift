import Foundation
import GracefulService
import Hummingbird
import Logging
import RetinaTestSupport
import ServiceLifecycle

/// A real Eclipse Mosquitto broker on loopback, with persistence (a stop and a start keep its
/// persistent sessions, as a restarted site broker would). Stopped when released.
final class MosquittoBroker: @unchecked Sendable {
    let port = Fixtures.freePort()
    let dir = Fixtures.temporaryDirectory("mosquitto")
    private var process: Process?

    static var available: Bool { Fixtures.which("mosquitto") != nil || FileManager.default.isExecutableFile(atPath: "/usr/sbin/mosquitto") }

    var url: String { "mqtt://127.0.0.1:\(port)" }

    func start() async throws {
        let conf = "\(dir)/mosquitto.conf"
        try """
        listener \(port) 127.0.0.1
        allow_anonymous true
        persistence true
        persistence_location \(dir)/
        """.write(toFile: conf, atomically: true, encoding: .utf8)
        let p = Process()
        // The test process blocks SIGTERM in its threads (service lifecycle) and a child inherits
        // the mask: unblock it, so that stop() is the clean shutdown that saves the sessions.
        p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        p.arguments = ["-c", "import os, signal, sys; signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT]); os.execv(sys.argv[1], sys.argv[1:])",
                       Fixtures.which("mosquitto") ?? "/usr/sbin/mosquitto", "-c", conf]
        p.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        p.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try p.run()
        process = p
        try await waitForPort(port, open: true)
    }

    /// SIGTERM: the broker saves its sessions and ends; the port is closed when this returns.
    func stop() {
        guard let p = process else { return }
        p.terminate()
        p.waitUntilExit()
        process = nil
    }

    deinit { stop() }
}

/// `mosquitto_sub` with a persistent session (QoS 1): what a property office's tools would run.
/// Every line it prints is `TOPIC PAYLOAD`.
final class MQTTSubscriber: @unchecked Sendable {
    private let process = Process()
    private let output: String

    init(broker: MosquittoBroker, topic: String) throws {
        output = broker.dir + "/sub-\(UUID().uuidString.prefix(6)).log"
        FileManager.default.createFile(atPath: output, contents: nil)
        process.executableURL = URL(fileURLWithPath: Fixtures.which("mosquitto_sub") ?? "/usr/bin/mosquitto_sub")
        process.arguments = ["-h", "127.0.0.1", "-p", String(broker.port), "-t", topic, "-v", "-q", "1", "-c", "-i", "sub-\(UUID().uuidString.prefix(8))"]
        process.standardOutput = FileHandle(forWritingAtPath: output)
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
    }

    /// Lines so far, as (topic, payload).
    var messages: [(topic: String, payload: String)] {
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map { line in
            let parts = line.split(separator: " ", maxSplits: 1)
            return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
        }
    }

    /// Waits until `condition` holds over the messages (at most `timeout` s).
    @discardableResult
    func wait(timeout: Double = 20, until condition: ([(topic: String, payload: String)]) -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition(messages) { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return condition(messages)
    }

    deinit {
        // SIGKILL: the test process's blocked SIGTERM is inherited (see MosquittoBroker.start).
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

/// A webhook receiver over real HTTP (Hummingbird on loopback) that records every request and
/// answers what the test says; it can be stopped and started again on the same port.
final class HookReceiver: @unchecked Sendable {
    struct Request: Sendable {
        var headers: [String: String]
        var body: Data
    }

    let port = Fixtures.freePort()
    private let lock = NSLock()
    private var received: [Request] = []
    private var task: Task<Void, any Error>?
    /// The status to answer a request with (default 200).
    var answer: @Sendable (Request) -> Int = { _ in 200 }

    var url: String { "http://127.0.0.1:\(port)/hook" }
    var requests: [Request] { lock.withLock { received } }

    func start() async throws {
        let router = Router()
        router.post("hook") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let r = Request(headers: headers, body: Data(buffer: body))
            self.lock.withLock { self.received.append(r) }
            return Response(status: .init(code: self.answer(r)))
        }
        var logger = Logger(label: "hook-receiver")
        logger.logLevel = .error
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: logger)
        task = Task { try await ServiceGroup(services: [app], logger: logger).runShuttingDownOnCancel() }
        try await waitForPort(port, open: true)
    }

    func stop() async {
        task?.cancel()
        _ = await task?.result
        task = nil
    }
}

/// Waits until something listens on `port` (or nothing does), without holding a cooperative thread.
func waitForPort(_ port: Int, open: Bool, timeout: Double = 10) async throws {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        close(fd)
        if connected == open { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    throw FixtureError("port \(port) did not \(open ? "open" : "close") within \(timeout) s")
}
