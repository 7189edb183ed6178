import Events
import Logging

/// How one group's worker process is started: `retina worker --group G …`. `arguments` renders it
/// (the supervisor's only way to a worker's argv); `retina worker` parses those same options back
/// into this value (`WorkerCommand.launch`; CLITests checks the round trip).
public struct WorkerLaunch: Sendable, Equatable {
    /// The lease a supervised worker publishes under (the fencing token of its group).
    public struct Lease: Sendable, Equatable {
        public var node: String
        public var epoch: Int

        public init(node: String, epoch: Int) {
            self.node = node
            self.epoch = epoch
        }
    }

    public static let defaultMetricsHost = "127.0.0.1"

    /// The configuration file (a supervisor's accepted copy) and the group of it to serve.
    public var config: String
    public var group: String
    /// Where the configuration's relative paths resolve, when not beside `config`.
    public var configBase: String?
    public var store: String?
    public var evidence: String?
    public var logLevel: Logger.Level = .info
    public var ffmpegLogs = false
    public var duration: Double?
    public var lease: Lease?
    /// The worker stops when this process is no longer its parent.
    public var supervisorPid: Int32?
    public var metricsPort: Int?
    public var metricsHost = WorkerLaunch.defaultMetricsHost

    public init(config: String, group: String) {
        self.config = config
        self.group = group
    }

    /// The fence the worker's publisher holds, from `lease`.
    public var fence: LeaseFence? { lease.map { LeaseFence(group: group, node: $0.node, epoch: $0.epoch) } }

    /// The worker's command line after the executable: `worker --group G --config F …`.
    public var arguments: [String] {
        var a = ["worker", "--group", group, "--config", config]
        if let configBase { a += ["--config-base", configBase] }
        if let store { a += ["--store", store] }
        if let evidence { a += ["--evidence", evidence] }
        a += ["--log-level", logLevel.rawValue]
        if ffmpegLogs { a.append("--ffmpeg-logs") }
        if let duration { a += ["--duration", String(duration)] }
        if let lease { a += ["--node", lease.node, "--epoch", String(lease.epoch)] }
        if let supervisorPid { a += ["--supervisor-pid", String(supervisorPid)] }
        if let metricsPort { a += ["--metrics-port", String(metricsPort)] }
        if metricsHost != Self.defaultMetricsHost { a += ["--metrics-host", metricsHost] }
        return a
    }
}
