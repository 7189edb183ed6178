import ArgumentParser
import Events
import Foundation
import RetinaConfig

/// Who acts, for the history: --as, else $RETINA_USER, else $USER.
struct ActorOptions: ParsableArguments {
    @Option(name: .customLong("as"), help: ArgumentHelp("Who acts, as recorded in the history (default: $RETINA_USER, else $USER).", valueName: "name"))
    var actor: String?

    var name: String {
        let env = ProcessInfo.processInfo.environment
        return actor ?? env["RETINA_USER"] ?? env["USER"] ?? "cli"
    }
}

/// Finds an event by its id or the id's first characters (as `events list` shows them).
func resolveEvent(_ text: String, in store: any EventStore) async throws -> UUID {
    if let uuid = UUID(uuidString: text) { return uuid }
    guard let uuid = try await store.resolveId(prefix: text) else { throw CLIError("no event with id '\(text)'") }
    return uuid
}

func printEvent(_ event: Event, json: Bool) throws {
    if json {
        print(String(decoding: try EventJSON.encoder(pretty: true).encode(event), as: UTF8.self))
    } else {
        let who = event.claimedBy.map { " by \($0)" } ?? ""
        print("\(event.id.uuidString.lowercased())  \(event.priority)  \(event.typeLabel)  \(event.state.rawValue)\(who)\(event.escalated ? "  escalated" : "")")
    }
}

extension EventsCommand {
    struct Claim: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Claim the next event in queue order (priority first, then age).",
            discussion: """
            The claim is a lease: if it is not acknowledged, resolved or renewed in
            time, the event returns to the queue for the next operator.

            Examples:
              retina events claim --as op-1
              retina events claim --json --lease 5m
            """
        )
        @Flag(name: .long, help: "Print the claimed event as JSON.") var json = false
        @Option(name: .long, help: ArgumentHelp("How long the claim holds: seconds, or with a unit (90s, 5m, 1h).", valueName: "duration")) var lease: Seconds = 120
        @OptionGroup var actor: ActorOptions
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            let store = try storeOptions.open()
            let event = try await store.claimNext(by: actor.name, lease: lease.value, now: Date())
            await store.close()
            guard let event else {
                if json { print("null") } else { print("the queue is empty") }
                return
            }
            try printEvent(event, json: json)
        }
    }

    /// What every single-event action command takes.
    struct ActionOptions: ParsableArguments {
        @Argument(help: ArgumentHelp("Event id, or its first characters (as `events list` shows them).", valueName: "id"))
        var id: String
        @Option(name: .long, help: ArgumentHelp("A note for the history.", valueName: "text")) var note: String?
        @Option(name: .long, help: ArgumentHelp("How long a claim holds: seconds, or with a unit (90s, 5m, 1h).", valueName: "duration")) var lease: Seconds = 120
        @Flag(name: .long, help: "Print the event as JSON afterwards.") var json = false
        @OptionGroup var actor: ActorOptions
        @OptionGroup var storeOptions: StoreOptions

        func perform(_ action: WorkflowAction) async throws {
            if action == .note && (note ?? "").isEmpty { throw CLIError("a note needs --note TEXT") }
            let store = try storeOptions.open()
            do {
                let uuid = try await resolveEvent(id, in: store)
                let event = try await store.perform(action, on: uuid, by: actor.name, note: note, lease: lease.value, now: Date())
                await store.close()
                try printEvent(event, json: json)
            } catch let error as WorkflowError {
                await store.close()
                throw CLIError(error.description)
            }
        }
    }

    struct Ack: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ack", abstract: "Acknowledge an event (it stops the P1 escalation clock).",
                                                        discussion: "Example:\n  retina events ack 3f2a91c0 --as op-1 --note \"called back\"")
        @OptionGroup var options: ActionOptions
        func run() async throws { try await options.perform(.acknowledge) }
    }

    struct Resolve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resolve a claimed or acknowledged event.")
        @OptionGroup var options: ActionOptions
        func run() async throws { try await options.perform(.resolve) }
    }

    struct FalseAlarm: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "false-alarm", abstract: "Close an event as a false alarm.")
        @OptionGroup var options: ActionOptions
        func run() async throws { try await options.perform(.falseAlarm) }
    }

    struct Escalate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Mark an event for police linkage (escalated); its state does not change.")
        @OptionGroup var options: ActionOptions
        func run() async throws { try await options.perform(.escalate) }
    }

    struct Release: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Give a claimed event back to the queue.")
        @OptionGroup var options: ActionOptions
        func run() async throws { try await options.perform(.release) }
    }

    struct Reassign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Hand an event to another operator (a supervisor's action); the lease starts again for them.",
            discussion: "Example:\n  retina events reassign 3f2a91c0 --to op-2 --as sup-1")
        @Option(name: .long, help: ArgumentHelp("The operator who takes it over.", valueName: "name")) var to: String
        @OptionGroup var options: ActionOptions
        func run() async throws {
            var options = options
            options.note = to
            try await options.perform(.reassign)
        }
    }

    struct Hold: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Put an event on legal hold: retention never removes it or its evidence.",
            discussion: "Exports put every exported event on hold by themselves.\n\nExample:\n  retina events hold 3f2a91c0 --note \"case 2026-118\"")
        @OptionGroup var options: ActionOptions
        func run() async throws { try await options.perform(.hold) }
    }

    struct Note: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a note to an event's history.",
                                                        discussion: "Example:\n  retina events note 3f2a91c0 --note \"guard sent to gate 3\"")
        @OptionGroup var options: ActionOptions
        func run() async throws { try await options.perform(.note) }
    }

    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show an event's history: who did what, when.")
        @Argument(help: ArgumentHelp("Event id, or its first characters.", valueName: "id")) var id: String
        @Flag(name: .long, help: "Print a JSON array.") var json = false
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            let store = try storeOptions.open()
            let uuid = try await resolveEvent(id, in: store)
            let entries = try await store.history(of: uuid)
            await store.close()
            if json {
                print(String(decoding: try EventJSON.encoder(pretty: true).encode(entries), as: UTF8.self))
                return
            }
            printTable(header: ["AT", "ACTOR", "ACTION", "FROM", "TO", "NOTE"], rows: entries.map {
                [RFC3339.format($0.at), $0.actor, $0.action, $0.from?.rawValue ?? "-", $0.to?.rawValue ?? "-", $0.note ?? ""]
            })
        }
    }
}

extension EventsCommand {
    struct Purge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Retention: delete closed events older than a limit.",
            discussion: """
            Deletes resolved and false-alarm events (and their history) that
            occurred before the limit. Open, escalated and held events are never
            deleted. Run it from cron or a systemd timer.

            Examples:
              retina events purge --older-than 90d
              retina events purge --older-than 12h --store sqlite:/var/lib/retina/events.db
            """
        )
        @Option(name: .long, help: ArgumentHelp("Age limit: a number with s, m, h or d (e.g. 90d); a plain number is seconds.", valueName: "age"))
        var olderThan: String
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            guard let seconds = DurationText.seconds(olderThan), seconds > 0 else {
                throw CLIError("--older-than: expected an age such as 90d, 12h or 30m, got '\(olderThan)'")
            }
            let store = try storeOptions.open()
            let cutoff = Date().addingTimeInterval(-seconds)
            let removed = try await store.applyRetention(olderThan: cutoff)
            await store.close()
            print("deleted \(removed) closed event(s) that occurred before \(RFC3339.format(cutoff))")
        }
    }
}
