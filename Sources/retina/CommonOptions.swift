import ArgumentParser
import Events
import Foundation
import Logging
import Media
import RetinaConfig

struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Event store: sqlite:PATH or postgres://… (default: $RETINA_STORE, else the config's, else sqlite:retina.db).", valueName: "url"))
    var store: String?

    func url(configured: String? = nil) -> String {
        store ?? ProcessInfo.processInfo.environment["RETINA_STORE"] ?? configured ?? StoreURL.defaultURL
    }

    func open(configured: String? = nil) throws -> any EventStore {
        do { return try StoreURL.open(url(configured: configured)) } catch { throw CLIError(error) }
    }
}

struct EvidenceOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Folder of event snapshots and clips (default: the config's evidence, else ./retina-evidence).", valueName: "dir"))
    var evidence: String?

    func directory(configured: String? = nil) -> String { evidence ?? configured ?? "retina-evidence" }
}

struct LogOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Log level.", valueName: "level"))
    var logLevel: Logger.Level = .info

    @Flag(name: .long, help: "Let FFmpeg print its own diagnostics (may show stream URLs).")
    var ffmpegLogs = false

    func bootstrap() {
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        FFmpegLog.set(ffmpegLogs ? .warnings : .quiet)
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

/// A duration option: seconds, or with a unit (`90s`, `5m`, `1h`; `DurationText`).
struct Seconds: ExpressibleByArgument, ExpressibleByIntegerLiteral, Equatable {
    var value: Double

    init(integerLiteral value: Int) { self.value = Double(value) }

    init?(argument: String) {
        guard let value = DurationText.seconds(argument) else { return nil }
        self.value = value
    }

    var defaultValueDescription: String { value == value.rounded() ? "\(Int(value))s" : "\(value)s" }
}

/// A picture size option, `WIDTHxHEIGHT` in pixels (e.g. `1280x720`).
struct PixelSize: ExpressibleByArgument, Equatable {
    var width: Int
    var height: Int
    var longerSide: Int { max(width, height) }

    init?(argument: String) {
        let parts = argument.lowercased().split(separator: "x", omittingEmptySubsequences: false)
        guard parts.count == 2, let w = Int(parts[0]), let h = Int(parts[1]), (16...16_384).contains(w), (16...16_384).contains(h) else { return nil }
        (width, height) = (w, h)
    }
}

/// An error for the command line: printed as `Error: …`, exit status 1.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
    init(_ error: any Error) { description = "\(error)" }
}
