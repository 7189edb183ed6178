import Foundation

/// Test fixtures made with real tools: ffmpeg encodes the clips, so the code under test reads what
/// cameras and files really contain.
public enum Fixtures {
    /// A fresh temporary folder for one test.
    public static func temporaryDirectory(_ name: String = "retina-test") -> String {
        let dir = NSTemporaryDirectory() + "\(name)-\(UUID().uuidString.prefix(8))"
        try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// The repository root (for scripts/).
    public static var repositoryRoot: String {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url.path }
        }
        fatalError("Package.swift not found above \(#filePath)")
    }

    /// Runs a program and returns its exit status and combined output.
    @discardableResult
    public static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// SHA-256 (hex) by coreutils' sha256sum: an implementation independent of the code under test.
    public static func sha256(_ data: Data) -> String? {
        let path = temporaryDirectory("sha") + "/blob"
        guard (try? data.write(to: URL(fileURLWithPath: path))) != nil,
              let out = try? run("/usr/bin/sha256sum", [path]), out.status == 0 else { return nil }
        return out.output.split(separator: " ").first.map(String.init)
    }

    public static func which(_ tool: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(dir)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    /// Encodes a clip with ffmpeg's lavfi test source (moving content), as an IP camera would send it
    /// (H.264, no B-frames) unless told otherwise.
    public static func makeClip(_ path: String, seconds: Double = 4, fps: Int = 25, width: Int = 640, height: Int = 360,
                                codec: [String] = ["-c:v", "libx264", "-preset", "ultrafast", "-bf", "0", "-g", "25", "-pix_fmt", "yuv420p"],
                                source: String? = nil) throws {
        guard let ffmpeg = which("ffmpeg") else { throw FixtureError("ffmpeg is not installed: run scripts/install-deps.sh") }
        let input = source ?? "testsrc2=size=\(width)x\(height):rate=\(fps)"
        let r = try run(ffmpeg, ["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", input, "-t", "\(seconds)", "-an"] + codec + [path])
        guard r.status == 0 else { throw FixtureError("ffmpeg failed making \(path): \(r.output)") }
    }

    /// An audio-only file: a real container with no video track.
    public static func makeAudioOnly(_ path: String) throws {
        guard let ffmpeg = which("ffmpeg") else { throw FixtureError("ffmpeg is not installed") }
        let r = try run(ffmpeg, ["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=440:duration=2", "-c:a", "aac", path])
        guard r.status == 0 else { throw FixtureError("ffmpeg failed: \(r.output)") }
    }

    /// Random-looking bytes with a video-ish name. Seeded: truly random bytes now and then probe as
    /// some container (with no video track), which made a test that checks the message flaky.
    public static func makeGarbage(_ path: String, bytes: Int = 256 * 1024, seed: UInt64 = 0x5EED) {
        var state = seed
        let data = Data((0..<bytes).map { _ -> UInt8 in
            state ^= state << 13; state ^= state >> 7; state ^= state << 17  // xorshift64
            return UInt8(truncatingIfNeeded: state >> 24)
        })
        _ = FileManager.default.createFile(atPath: path, contents: data)
    }

    /// The first `fraction` of a file, as a copy interrupted mid-way leaves it.
    public static func truncate(_ source: String, to destination: String, fraction: Double) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: source))
        try data.prefix(Int(Double(data.count) * fraction)).write(to: URL(fileURLWithPath: destination))
    }

    /// A loopback port that accepts connections (the kernel completes the handshake) and never
    /// answers: a hung server. Close the descriptor when done.
    public static func silentListener() -> (fd: Int32, port: Int) {
        let (fd, port) = boundLoopbackSocket()
        listen(fd, 16)
        return (fd, port)
    }

    /// A TCP port nobody listens on right now.
    public static func freePort() -> Int {
        let (fd, port) = boundLoopbackSocket()
        close(fd)
        return port
    }

    /// A TCP socket bound to a port of the kernel's choosing on 127.0.0.1.
    private static func boundLoopbackSocket() -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return (fd, Int(UInt16(bigEndian: addr.sin_port)))
    }
}

public struct FixtureError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}
