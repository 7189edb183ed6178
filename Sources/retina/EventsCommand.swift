import ArgumentParser
import Events
import Foundation

struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Read and work the event queue.",
        subcommands: [List.self, Show.self, Claim.self, Ack.self, Resolve.self, FalseAlarm.self, Escalate.self, Release.self, Reassign.self, Hold.self, Note.self, History.self, Purge.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List events, newest first.",
            discussion: """
            Examples:
              retina events list
              retina events list --type camera.offline --since 2026-11-22T08:00:00+08:00 --json
            """
        )

        @Flag(name: .long, help: "Print a JSON array of events in the shared schema.")
        var json = false

        @Option(name: .long, help: ArgumentHelp("Only this event type (repeatable), e.g. motion.detected, camera.offline.", valueName: "type"))
        var type: [String] = []

        @Option(name: .long, help: ArgumentHelp("Only this state (repeatable): new, claimed, acknowledged, resolved, false_alarm.", valueName: "state"))
        var state: [EventState] = []

        @Option(name: .long, help: ArgumentHelp("Only this camera id.", valueName: "id"))
        var camera: String?

        @Option(name: .long, help: ArgumentHelp("Only this camera group.", valueName: "group"))
        var group: String?

        @Option(name: .long, help: ArgumentHelp("Only events that occurred at or after this RFC 3339 time.", valueName: "time"))
        var since: String?

        @Option(name: .long, help: ArgumentHelp("At most this many events.", valueName: "n"))
        var limit: Int = 50

        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            var sinceDate: Date?
            if let since {
                guard let d = RFC3339.parse(since) else { throw CLIError("--since: expected an RFC 3339 time such as 2026-11-22T08:00:00+08:00, got '\(since)'") }
                sinceDate = d
            }
            let store = try storeOptions.open()
            let events = try await store.list(EventQuery(types: type.map(EventType.init(rawValue:)), states: state, camera: camera, group: group, since: sinceDate, limit: limit))
            await store.close()
            if json {
                print(String(decoding: try EventJSON.encoder(pretty: true).encode(events), as: UTF8.self))
                return
            }
            if events.isEmpty { print("no events in \(storeOptions.url())"); return }
            let rows = events.map { e -> [String] in
                [RFC3339.format(e.occurredAt), e.priority.description, e.typeLabel,
                 e.source.camera ?? e.source.producer, e.source.zone ?? "-", e.state.rawValue, String(e.id.uuidString.lowercased().prefix(8))]
            }
            printTable(header: ["OCCURRED", "PRI", "TYPE", "CAMERA", "ZONE", "STATE", "ID"], rows: rows)
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one event as JSON.")

        @Argument(help: ArgumentHelp("Event id (UUID).", valueName: "id"))
        var id: String

        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            guard let uuid = UUID(uuidString: id) else { throw CLIError("'\(id)' is not an event id (a UUID)") }
            let store = try storeOptions.open()
            let event = try await store.event(id: uuid)
            await store.close()
            guard let event else { throw CLIError("no event \(id) in \(storeOptions.url())") }
            print(String(decoding: try EventJSON.encoder(pretty: true).encode(event), as: UTF8.self))
        }
    }
}

extension EventState: ExpressibleByArgument {}

/// Prints rows under a header in aligned columns, like kubectl get.
func printTable(header: [String], rows: [[String]]) {
    var widths = header.map(\.count)
    for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
    func line(_ cells: [String]) -> String {
        cells.enumerated().map { i, c in i == cells.count - 1 ? c : c.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
            .joined(separator: "  ")
    }
    print(line(header))
    for row in rows { print(line(row)) }
}
