import Foundation

/// A real RTSP server on loopback for tests: GStreamer's rtsp-server (Debian's
/// gir1.2-gst-rtsp-server-1.0) driven by scripts/rtsp-server.py, in a child process the test owns.
/// `pause()`/`resume()` freeze it with SIGSTOP/SIGCONT: the connection stays open but no data
/// flows, which is exactly how a hung camera looks.
public final class RTSPServer: @unchecked Sendable {
    public let port: Int
    public let mounts: [String: String]
    public let auth: String?
    private var process: Process?
    private var output = Pipe()

    /// Debian's GI bindings belong to Debian's own python3, which may not be the first on PATH.
    public static let python = "/usr/bin/python3"

    public init(mounts: [String: String], port: Int = Fixtures.freePort(), auth: String? = nil) {
        self.mounts = mounts
        self.port = port
        self.auth = auth
    }

    public func url(_ mount: String, credentials: String? = nil) -> String {
        "rtsp://\(credentials.map { "\($0)@" } ?? "")127.0.0.1:\(port)/\(mount)"
    }

    /// Starts the server and waits until it listens.
    public func start(timeout: Double = 15) throws {
        let script = Fixtures.repositoryRoot + "/scripts/rtsp-server.py"
        guard FileManager.default.isExecutableFile(atPath: Self.python) else {
            throw FixtureError("\(Self.python) not found: run scripts/install-deps.sh (GStreamer RTSP server for the tests)")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.python)
        var args = [script, "--port", "\(port)"]
        for (name, file) in mounts.sorted(by: { $0.key < $1.key }) { args += ["--mount", "\(name)=\(file)"] }
        if let auth { args += ["--auth", auth] }
        p.arguments = args
        output = Pipe()
        p.standardOutput = output
        p.standardError = output
        try p.run()
        process = p
        // Wait for the READY line.
        let handle = output.fileHandleForReading
        var seen = ""
        let until = Date().addingTimeInterval(timeout)
        while Date() < until {
            let chunk = handle.availableData
            if chunk.isEmpty {
                if !p.isRunning { break }
                continue
            }
            seen += String(decoding: chunk, as: UTF8.self)
            if seen.contains("READY") {
                // Keep draining so the server never blocks on a full pipe.
                handle.readabilityHandler = { h in _ = h.availableData }
                return
            }
        }
        stop()
        throw FixtureError("the RTSP server did not start (needs gir1.2-gst-rtsp-server-1.0 and python3-gi: run scripts/install-deps.sh): \(seen)")
    }

    public func pause() { if let p = process { kill(p.processIdentifier, SIGSTOP) } }
    public func resume() { if let p = process { kill(p.processIdentifier, SIGCONT) } }

    /// Stops the server (SIGKILL: a camera that vanishes does not say goodbye).
    public func stop() {
        guard let p = process else { return }
        kill(p.processIdentifier, SIGCONT)
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        output.fileHandleForReading.readabilityHandler = nil
        process = nil
    }

    deinit { stop() }
}
