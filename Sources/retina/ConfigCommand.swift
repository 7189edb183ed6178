import ArgumentParser
import Media
import RetinaConfig

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Work with configuration files.",
        subcommands: [Check.self, Demo.self]
    )

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a configuration file; every problem is reported with its line and key."
        )

        @Argument(help: ArgumentHelp("Configuration file (YAML).", valueName: "file"))
        var file: String

        func run() throws {
            do {
                let config = try ConfigLoader.load(path: file)
                print("\(file): ok — \(config.cameras.count) camera(s) in \(config.groups.count) group(s)")
                for g in config.groups {
                    let cams = config.cameras(inGroup: g.id)
                    print("  \(g.id): \(cams.map { "\($0.id) (\(StreamURL.mask($0.url)))" }.joined(separator: ", "))")
                }
            } catch {
                throw CLIError("\(error)")
            }
        }
    }

    struct Demo: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the embedded demo configuration (a starting point for your own).")
        func run() { print(DemoConfig.yaml) }
    }
}
