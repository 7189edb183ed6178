import Testing
import Worker
@testable import retina

/// The supervisor renders a worker's command line from a `WorkerLaunch`; `retina worker` parses it
/// back. The two must agree on every field, or a worker would serve with other settings than the
/// node meant.
@Suite struct WorkerLaunchTests {
    static var launches: [WorkerLaunch] {
        let plain = WorkerLaunch(config: "cameras.yaml", group: "g1")
        var full = WorkerLaunch(config: "/tmp/retina-node-1/cameras.yaml", group: "compound-7")
        full.configBase = "/etc/retina"
        full.store = "postgres://retina@db/retina"
        full.evidence = "/var/lib/retina/evidence"
        full.logLevel = .debug
        full.ffmpegLogs = true
        full.duration = 12.5
        full.lease = .init(node: "edge-2-4711", epoch: 42)
        full.supervisorPid = 4711
        full.metricsPort = 9103
        full.metricsHost = "0.0.0.0"
        var onlyMetrics = plain
        onlyMetrics.metricsPort = 9100
        return [plain, full, onlyMetrics]
    }

    @Test(arguments: launches)
    func renderedArgumentsParseBackToTheSameLaunch(_ launch: WorkerLaunch) throws {
        let arguments = launch.arguments
        #expect(arguments.first == "worker")
        let command = try WorkerCommand.parse(Array(arguments.dropFirst()))
        #expect(command.launch == launch)
        #expect(command.launch.fence == launch.fence)
    }

    @Test func theRetinaCommandRoutesTheArgumentsToTheWorkerCommand() throws {
        let launch = Self.launches[1]
        let command = try Retina.parseAsRoot(launch.arguments)
        let worker = try #require(command as? WorkerCommand)
        #expect(worker.launch == launch)
    }
}
