import ArgumentParser
import Events
import Evidence
import Foundation
import Logging
import Office
import RetinaConfig

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the security office: the queue's HTTP API, live stream and web page.",
        discussion: """
        Open http://HOST:PORT/ in a browser and paste a token (retina tokens create):
        the page signs in with it once and holds an HttpOnly session cookie from then
        on. Scripts send Authorization: Bearer TOKEN; a token in a URL is refused.
        The whole API: GET /api/openapi.json (OpenAPI 3).
          GET  /api/events?state=new&type=…&camera=…&order=queue   list (operator)
          GET  /api/events/ID                 one event with its history (operator)
          POST /api/queue/claim               claim the next event (operator)
          POST /api/events/ID/ACTION          claim, release, acknowledge, resolve,
                                              false_alarm, note (operator); escalate,
                                              reassign {"note": "NAME"} (supervisor);
                                              hold (liaison)
          POST /api/events                    publish, producer fields only (producer)
          POST /api/events/ID/evidence        upload a JPEG/PNG for it (producer)
          POST /api/exports                   evidence package (liaison; --exports)
          GET  /api/stream                    server-sent events: one per queue change
          GET  /api/health, /api/groups, /api/snapshots/ID
          GET  /api/cameras/CAMERA/live        the live wall's latest picture
          GET  /api/zones, /api/zones/CAMERA/ZONE/series   crowd charts
          GET  /api/linkage                   MQTT/webhook subscribers, dead letters
          GET|POST /api/tokens, DELETE /api/tokens/ID   (admin)
          POST|GET|DELETE /api/session        sign the page in, who am I, sign out
        Snapshots are served, and exports copy files, only from --evidence, by the
        paths the workers and uploads stored there. With --config, the file's
        linkage: is relayed too (see retina linkage --help).

        Examples:
          retina serve --port 8080 --evidence /var/lib/retina/evidence
          retina serve --host 0.0.0.0 --store sqlite:/var/lib/retina/events.db
          retina serve --config /etc/retina/cameras.yaml     # + MQTT and webhooks
          retina serve --exports /srv/retina-exports \\
                       --export-key /etc/retina/site-key.pem
        """
    )

    @Option(name: .long, help: ArgumentHelp("Address to listen on.", valueName: "host")) var host = "127.0.0.1"
    @Option(name: .long, help: ArgumentHelp("Port to listen on (0: any free port).", valueName: "port")) var port = 8080
    @Option(name: .customLong("max-clock-skew"), help: ArgumentHelp("Seconds a published event's time may be ahead of this server's clock.", valueName: "s"))
    var maxClockSkew: Double = 300
    @Option(name: .long, help: ArgumentHelp("A configuration file: its linkage: (MQTT, webhooks) is relayed from here, its store and evidence are the defaults.", valueName: "file"))
    var config: String?
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var evidenceOptions: EvidenceOptions
    @OptionGroup var exportOptions: OfficeExportOptions
    @OptionGroup var logOptions: LogOptions

    func run() async throws {
        logOptions.bootstrap()
        guard maxClockSkew.isFinite, maxClockSkew >= 0 else { throw ValidationError("--max-clock-skew: expected seconds ≥ 0") }
        var configuration: Configuration?
        if let config {
            do { configuration = try ConfigLoader.load(path: config) } catch { throw CLIError("invalid configuration:\n\(error)") }
        }
        let url = storeOptions.url(configured: configuration?.store)
        let exports = try exportOptions.settings()
        let store = try storeOptions.open(configured: configuration?.store)
        let evidence = evidenceOptions.directory(configured: configuration?.evidence)
        var server = OfficeServer(store: store, evidence: EvidenceRoot(path: evidence), host: host, port: port)
        server.exports = exports
        server.limits.maxFutureSkew = maxClockSkew
        let linkage = try configuration.flatMap { try linkageService($0.linkage, store: store, logger: Logger(label: "retina.linkage")) }
        // The relays end with the office: cancelled once its graceful shutdown is done.
        let relays = linkage.map { service in Task { try await service.run() } }
        defer { relays?.cancel() }
        try await server.run(handleSignals: true) { port in
            print("office: http://\(host):\(port)/  (store \(url); tokens: retina tokens create --role operator)")
        }
        relays?.cancel()
        _ = await relays?.result
    }
}

struct TokensCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens",
        abstract: "Manage access tokens of the office API.",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a token; it is printed once, only its hash is stored.",
            discussion: """
            Roles: operator (work the queue), supervisor (also escalate), liaison
            (exports), producer (publish only), admin (everything).

            Example:
              retina tokens create --role operator --name "Wang Li, night shift"
            """
        )
        @Option(name: .long, help: ArgumentHelp("operator, supervisor, liaison, producer or admin.", valueName: "role")) var role: String
        @Option(name: .long, help: ArgumentHelp("Who holds it, as the history will name them.", valueName: "name")) var name: String?
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            guard let r = Role(rawValue: role) else {
                throw CLIError("unknown role '\(role)': use one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let store = try storeOptions.open()
            let token = try await store.createToken(name: name ?? r.rawValue, role: r)
            await store.close()
            print(token)
            FileHandle.standardError.write(Data("token for \(name ?? r.rawValue) (\(r.rawValue)); it is not shown again\n".utf8))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List tokens: id, role, holder, created (never the tokens themselves).")
        @Flag(name: .long, help: "JSON instead of a table.") var json = false
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            let store = try storeOptions.open()
            let tokens = try await store.tokens()
            await store.close()
            if json {
                print(String(decoding: try EventJSON.encoder(pretty: true).encode(tokens), as: UTF8.self))
                return
            }
            printTable(header: ["ID", "ROLE", "NAME", "CREATED"], rows: tokens.map { [$0.id, $0.role.rawValue, $0.name, RFC3339.format($0.createdAt)] })
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a token by its id (from `retina tokens list`); it stops working at once.",
            discussion: "Example:\n  retina tokens revoke 3f9a0c12")
        @Argument(help: ArgumentHelp("The token's id, at least 8 hex digits.", valueName: "id")) var id: String
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            let store = try storeOptions.open()
            let gone = try await store.revokeToken(id: id)
            await store.close()
            guard let gone else { throw CLIError("no token with id \(id) (see `retina tokens list`)") }
            print("revoked \(gone.id) (\(gone.role.rawValue), \(gone.name))")
        }
    }
}
