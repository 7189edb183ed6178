import ArgumentParser

/// `GET /metrics` of a worker process (Prometheus text format), for `run` and `worker`.
struct MetricsOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Serve Prometheus metrics on GET /metrics at this port (0 or absent: off).", valueName: "port"))
    var metricsPort: Int?

    @Option(name: .long, help: ArgumentHelp("Address the metrics port listens on (0.0.0.0 for a Prometheus server on another machine).", valueName: "host"))
    var metricsHost = "127.0.0.1"
}
