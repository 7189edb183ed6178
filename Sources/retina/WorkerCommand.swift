import ArgumentParser
import RetinaConfig

struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Serve one camera group of a configuration file in this process.",
        discussion: """
        One worker process serves one camera group; `retina run --config` serves all of them.

        Example:
          retina worker --config cameras.yaml --group compound-7
        """
    )

    @Option(name: .shortAndLong, help: ArgumentHelp("Configuration file (YAML).", valueName: "file"))
    var config: String

    @Option(name: .shortAndLong, help: ArgumentHelp("The camera group to serve.", valueName: "group"))
    var group: String

    @Option(name: .long, help: ArgumentHelp("Stop after this many seconds (default: run until SIGINT/SIGTERM).", valueName: "seconds"))
    var duration: Double?

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var evidenceOptions: EvidenceOptions
    @OptionGroup var logOptions: LogOptions

    func run() async throws {
        logOptions.bootstrap()
        let configuration: Configuration
        do { configuration = try ConfigLoader.load(path: config) } catch { throw CLIError("invalid configuration:\n\(error)") }
        guard configuration.groups.contains(where: { $0.id == group }) else {
            throw CLIError("\(config): no camera group '\(group)' (groups: \(configuration.groups.map(\.id).joined(separator: ", ")))")
        }
        try await serve(cameras: configuration.cameras(inGroup: group), label: "\(config) group \(group)",
                        store: storeOptions, configuredStore: configuration.store,
                        evidence: evidenceOptions.directory(configured: configuration.evidence), duration: duration)
    }
}
