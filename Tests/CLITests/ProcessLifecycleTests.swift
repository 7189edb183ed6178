import Foundation
import RetinaTestSupport
import Testing

/// `retina run` as a process: the time limit, SIGINT and SIGHUP reach its services (one
/// `ServiceGroup`), and each stop is graceful (the cameras stop, events are flushed, exit 0).
@Suite(.serialized, .timeLimit(.minutes(1))) struct ProcessLifecycleTests {
    static var retina: String {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("retina").path
    }

    /// Long enough that the camera never reaches the end of its file during a test.
    static let clip: String = {
        let path = Fixtures.temporaryDirectory("retina-lifecycle") + "/camera.mp4"
        try! Fixtures.makeClip(path, seconds: 30, fps: 15, width: 320, height: 180)
        return path
    }()

    /// A started `retina` whose combined output goes to a file.
    struct Running {
        let process = Process()
        let log: String

        init(_ arguments: [String], in dir: String) throws {
            log = dir + "/retina.log"
            FileManager.default.createFile(atPath: log, contents: nil)
            process.executableURL = URL(fileURLWithPath: ProcessLifecycleTests.retina)
            process.arguments = arguments + ["--store", "sqlite:\(dir)/events.db", "--evidence", dir + "/evidence"]
            process.currentDirectoryURL = URL(fileURLWithPath: Fixtures.repositoryRoot)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
        }

        var output: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

        func waitFor(_ text: String, limit: Double = 15) async throws -> Bool {
            let until = Date().addingTimeInterval(limit)
            while Date() < until {
                if output.contains(text) { return true }
                try await Task.sleep(for: .milliseconds(100))
            }
            return output.contains(text)
        }

        func exit(limit: Double = 20) async throws -> Int32? {
            let until = Date().addingTimeInterval(limit)
            while process.isRunning, Date() < until { try await Task.sleep(for: .milliseconds(100)) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL); return nil }
            return process.terminationStatus
        }
    }

    @Test func durationStopsGracefullyAfterItsSeconds() async throws {
        let dir = Fixtures.temporaryDirectory("retina-duration")
        let start = Date()
        let run = try Running(["run", "--duration", "2", "--camera", "a=\(Self.clip)"], in: dir)
        #expect(try await run.exit() == 0, "\(run.output)")
        #expect(Date().timeIntervalSince(start) >= 2)
        #expect(run.output.contains("time limit reached"))
        // How many events a moving test pattern raises in 2 s depends on the machine's load (one
        // in a CI run); the summary line is what is pinned.
        #expect(run.output.contains(/stopped; \d+ event\(s\) published/), "\(run.output)")
    }

    @Test(arguments: [SIGINT, SIGTERM])
    func aSignalStopsGracefully(_ signal: Int32) async throws {
        let dir = Fixtures.temporaryDirectory("retina-signal")
        let run = try Running(["run", "--camera", "a=\(Self.clip)"], in: dir)
        #expect(try await run.waitFor("connected"), "\(run.output)")
        kill(run.process.processIdentifier, signal)
        #expect(try await run.exit() == 0, "\(run.output)")
        #expect(run.output.contains("stopping (finishing buffered frames, flushing events)"))
        #expect(run.output.contains("stopped;"))
    }

    @Test func hangupReloadsTheCamerasOfTheFile() async throws {
        let dir = Fixtures.temporaryDirectory("retina-hangup")
        let config = dir + "/cameras.yaml"
        try "cameras:\n  - {id: a, url: \"\(Self.clip)\"}\n".write(toFile: config, atomically: true, encoding: .utf8)
        let run = try Running(["run", "--config", config, "--in-process"], in: dir)
        #expect(try await run.waitFor("connected"), "\(run.output)")
        try "cameras:\n  - {id: a, url: \"\(Self.clip)\"}\n  - {id: b, url: \"\(Self.clip)\"}\n".write(toFile: config, atomically: true, encoding: .utf8)
        kill(run.process.processIdentifier, SIGHUP)
        #expect(try await run.waitFor("added b"), "\(run.output)")
        #expect(run.process.isRunning)
        kill(run.process.processIdentifier, SIGTERM)
        #expect(try await run.exit() == 0, "\(run.output)")
    }
}
