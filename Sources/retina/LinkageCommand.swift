import ArgumentParser
import Events
import Foundation
import Linkage
import Logging
import RetinaConfig
import Vocabulary

/// The configuration's `linkage:` as the Linkage target's sinks (nil when it names none).
func linkageService(_ config: LinkageConfig, store: any EventStore, logger: Logger) throws -> LinkageService? {
    guard !config.isEmpty else { return nil }
    var mqtt: MQTTSink?
    if let m = config.mqtt {
        do { mqtt = try MQTTSink(try mqttSettings(m)) } catch let error as CLIError { throw error } catch { throw CLIError("linkage.mqtt: \(error)") }
    }
    let webhooks = config.webhooks.map(webhookSink)
    return LinkageService(webhooks: webhooks, mqtt: mqtt, store: store, logger: logger)
}

func mqttSettings(_ m: LinkageConfig.MQTT) throws -> MQTTSink.Settings {
    switch MQTTSink.Settings.parse(url: m.url, topicPrefix: m.topicPrefix) {
    case .success(let s): return s
    case .failure(let e): throw CLIError("linkage.mqtt.url: \(e)")
    }
}

func webhookSink(_ w: LinkageConfig.Webhook) -> WebhookSink {
    WebhookSink(.init(name: w.name, url: w.url, secret: w.secret, filter: w.filter, timeout: w.timeout, maxAge: w.giveUpAfter))
}

struct LinkageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "linkage",
        abstract: "Events pushed out to an MQTT broker and to webhooks: status and a test message.",
        discussion: """
        The configuration's linkage: names the subscribers. `retina serve --config FILE`
        and `retina run --config FILE` relay every change of the queue to them, at
        least once, from the store's outbox (one process per subscriber at a time):

          linkage:
            mqtt: {url: mqtt://127.0.0.1:1883, topicPrefix: retina}
            webhooks:
              - {name: property-7, url: http://10.0.7.2:9000/hook, secret: s3cret,
                 filter: {minPriority: P2, groups: [compound-7], types: [fall.*]}}

        MQTT: PREFIX/events ({"type": "new"|"update"|"end", "before", "after"}, QoS 1),
        PREFIX/CAMERA/status (online|offline, retained), PREFIX/available (last will).
        Webhooks: the same JSON POSTed with X-Retina-Timestamp and X-Retina-Signature
        (sha256=HMAC-SHA256 of "TIMESTAMP.BODY" with the secret) and X-Retina-Delivery.
        """,
        subcommands: [Status.self, Test.self]
    )

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Each subscriber's place in the outbox, its last error, and the dead letters.",
            discussion: "Example:\n  retina linkage status --store sqlite:/var/lib/retina/events.db")
        @Flag(name: .long, help: "JSON instead of tables.") var json = false
        @Option(name: .long, help: ArgumentHelp("Dead letters to show.", valueName: "n")) var deadLetters = 20
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            let store = try storeOptions.open()
            let relays = try await store.relays()
            let dead = try await store.deadLetters(limit: max(0, deadLetters))
            await store.close()
            if json {
                struct Out: Encodable { var relays: [RelayState]; var deadLetters: [DeadLetter] }
                print(String(decoding: try EventJSON.encoder(pretty: true).encode(Out(relays: relays, deadLetters: dead)), as: UTF8.self))
                return
            }
            if relays.isEmpty { print("no subscriber has been relayed to yet (linkage: in the configuration, then retina serve --config)") }
            else {
                printTable(header: ["SUBSCRIBER", "WAITING", "DELIVERED", "HELD BY", "LAST ERROR"], rows: relays.map { r in
                    let held = r.leaseUntil.map { $0 > Date() } ?? false ? (r.holder ?? "") : "-"
                    let error = r.lastError.map { "\(RFC3339.format(r.lastErrorAt ?? r.updatedAt)) \($0)" } ?? ""
                    return [r.sink, String(max(0, r.end - r.seq)), String(r.delivered), held, error]
                })
            }
            if !dead.isEmpty {
                print("\ndead letters (newest first):")
                printTable(header: ["ID", "SUBSCRIBER", "SEQ", "EVENT", "AT", "ATTEMPTS", "ERROR"], rows: dead.map {
                    [String($0.id), $0.sink, String($0.seq), $0.eventId.uuidString.lowercased(), RFC3339.format($0.at), String($0.attempts), $0.error]
                })
            }
        }
    }

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send a signed test message to one subscriber and print its answer.",
            discussion: """
            NAME is a webhook's name, or mqtt for the broker (published to PREFIX/test).
            Examples:
              retina linkage test property-7 --config cameras.yaml
              retina linkage test mqtt --config cameras.yaml
            """)
        @Argument(help: ArgumentHelp("A webhook's name, or mqtt.", valueName: "name")) var name: String
        @Option(name: .long, help: ArgumentHelp("The configuration file with linkage:.", valueName: "file")) var config: String

        func run() async throws {
            let configuration: Configuration
            do { configuration = try ConfigLoader.load(path: config) } catch { throw CLIError("invalid configuration:\n\(error)") }
            let linkage = configuration.linkage
            let started = Date()
            func elapsed() -> String { "\(Int(Date().timeIntervalSince(started) * 1000)) ms" }
            if name == "mqtt" {
                guard let m = linkage.mqtt else { throw CLIError("\(config) has no linkage.mqtt") }
                let settings = try mqttSettings(m)
                let sink = try MQTTSink(settings)
                while !sink.client.isConnected, Date().timeIntervalSince(started) < 5 { try await Task.sleep(for: .milliseconds(50)) }
                guard sink.client.isConnected else {
                    await sink.close()
                    throw CLIError("\(settings.display): no connection in 5 s (\(sink.client.lastProblem ?? "no answer"))")
                }
                do {
                    try await sink.client.publish(topic: "\(settings.topicPrefix)/test", payload: try LinkageMessage.test(sink: "mqtt", at: Date()),
                                                  retain: false, timeout: 5)
                } catch {
                    await sink.close()
                    throw CLIError("\(settings.display): \(error)")
                }
                print("\(settings.display): test message on \(settings.topicPrefix)/test acknowledged by the broker in \(elapsed())")
                await sink.close()
                return
            }
            guard let w = linkage.webhooks.first(where: { $0.name == name }) else {
                let names = linkage.webhooks.map(\.name) + (linkage.mqtt == nil ? [] : ["mqtt"])
                throw CLIError("no subscriber '\(name)' in \(config)" + (names.isEmpty ? " (it has no linkage:)" : "; it has: \(names.joined(separator: ", "))"))
            }
            let sink = webhookSink(w)
            let answer: WebhookSink.Answer
            do {
                answer = try await sink.post(try LinkageMessage.test(sink: name, at: Date()), delivery: "\(name):test")
            } catch {
                throw CLIError("webhook \(name): no answer: \(error)")
            }
            print("webhook \(name): HTTP \(answer.status) in \(elapsed())" + (answer.body.isEmpty ? "" : ": \(answer.body.prefix(300))"))
            if !(200..<300).contains(answer.status) { throw ExitCode(1) }
        }
    }
}
