import ArgumentParser
import Events
import Foundation

struct Publish: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Publish events from another producer (fall detection, scripts) into the queue.",
        discussion: """
        Reads one event object or an array of them in the shared schema
        (../shared/DESIGN.md): type, source.producer and occurredAt are required;
        fall.* events default to P1 and must name payload.subjectRef; key a fall
        "dedupKey": "fall.detected:SUBJECT", as home cameras do, and the same
        fall from both is one event. Producer
        fields only: workflow fields (state, claimedBy, held, …) and evidence are
        refused (a picture is uploaded: POST /api/events/ID/evidence). Give every
        event its own id: publishing the same id again is harmless. Nothing is
        published unless every event is valid. The history names --as.

        Examples:
          retina publish --json fall.json
          fall-detector | retina publish --json - --store sqlite:/var/lib/retina/events.db
        """
    )

    @Option(name: .long, help: ArgumentHelp("File with the JSON, or - for standard input.", valueName: "file"))
    var json: String

    @Option(name: .customLong("max-clock-skew"), help: ArgumentHelp("Seconds an event's time may be ahead of this machine's clock.", valueName: "s"))
    var maxClockSkew: Double = 300
    @OptionGroup var actor: ActorOptions
    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        let data: Data
        if json == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let d = FileManager.default.contents(atPath: json) else { throw CLIError("\(json): cannot be read") }
            data = d
        }
        var limits = ProducerEvents.Limits.standard
        limits.maxFutureSkew = maxClockSkew
        let (events, problems, generated) = ProducerEvents.decode(data, limits: limits)
        guard problems.isEmpty else {
            throw CLIError("nothing published; \(problems.count) problem(s):\n  " + problems.joined(separator: "\n  "))
        }
        guard !events.isEmpty else { throw CLIError("no event in \(json)") }
        for i in generated {
            FileHandle.standardError.write(Data("warning: events[\(i)] has no id; it got \(events[i].id.uuidString.lowercased()) (publishing it again would add it again)\n".utf8))
        }
        let store = try storeOptions.open()
        let outcomes = try await store.publish(events, by: actor.name, fence: nil)
        await store.close()
        for (event, outcome) in zip(events, outcomes) {
            let what: String
            switch outcome {
            case .inserted: what = "published"
            case .duplicate: what = "already there"
            case .merged(let into): what = "merged into \(into.uuidString.lowercased())"
            }
            print("\(event.id.uuidString.lowercased())  \(event.priority)  \(event.type)  \(what)")
        }
    }
}
