import ArgumentParser
import Events
import Evidence
import Foundation
import Office

/// The office server's export options: where `POST /api/exports` writes packages and which key
/// signs them (exports are off without --exports). For `retina serve`.
struct OfficeExportOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Folder for packages made through POST /api/exports (liaison); exports are off without it.", valueName: "dir"))
    var exports: String?

    @Option(name: .customLong("export-key"), help: ArgumentHelp("Signing key for those packages (default: $RETINA_KEY, else ~/.config/retina/site-key.pem).", valueName: "file"))
    var exportKey: String?

    @Option(name: .long, help: ArgumentHelp("20-digit GA/T 1400 IVADeviceID of this system (default: $RETINA_IVA_DEVICE_ID).", valueName: "id"))
    var ivaDeviceId: String?

    /// nil when exports are off; the key is loaded (and checked) at start, not at the first request.
    func settings() throws -> OfficeExports? {
        guard let exports else { return nil }
        let key: SiteKey
        do { key = try SiteKey.load(from: exportKey ?? SiteKey.defaultPath()) } catch { throw CLIError(error) }
        return OfficeExports(directory: exports, key: key,
                             ivaDeviceId: ivaDeviceId ?? ProcessInfo.processInfo.environment["RETINA_IVA_DEVICE_ID"] ?? "",
                             tool: "retina \(RetinaVersion.string)")
    }
}

struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export events as a signed evidence package for police linkage.",
        discussion: """
        Selects events by id, by incident, or by a time window (narrowed by camera
        group, camera and type) and writes a BagIt bag (RFC 8493) into --out:
          data/events/ID.json      the event in the shared schema, with its history
          data/native/CAMERA/…     snapshots and clips as stored, never transcoded
          data/gb28181/ID.xml      GB/T 28181 alarm notification (Notify/Alarm)
          data/gat1400/*.json      GA/T 1400 VideoLabel and Image lists
          data/extraction_list.*   提取清单: file, format, size, time, device, hashes
          data/extraction_record.json   提取笔录: reason, requester, who, when, how
          data/custody.jsonl       hash-chained custody log
          data/clock.json          clock source and camera offsets
        with SHA-256 and MD5 manifests and an Ed25519 signature over the tag
        manifest (retina keys init). Every exported event is put on legal hold.
        Evidence whose file no longer matches the hash recorded at capture stops
        the export, naming the file. --out must be new or empty.

        Examples:
          retina export --event 3f2a9c1e --out exports/case-118 --reason "Case 118"
          retina export --incident inc-77 --out exports/inc-77 --zip
          retina export --from 2026-11-23T08:00:00+08:00 \\
              --to 2026-11-23T12:00:00+08:00 --group compound-7 \\
              --type crowd.density --out exports/morning --requester "PSB"
        """
    )

    @Option(name: .customLong("event"), help: ArgumentHelp("An event id or its first characters (repeatable).", valueName: "id"))
    var events: [String] = []

    @Option(name: .long, help: ArgumentHelp("Every event of this incident.", valueName: "id"))
    var incident: String?

    @Option(name: .long, help: ArgumentHelp("Window start, RFC 3339 (with --to).", valueName: "time"))
    var from: String?

    @Option(name: .long, help: ArgumentHelp("Window end, RFC 3339, exclusive (with --from).", valueName: "time"))
    var to: String?

    @Option(name: .long, help: ArgumentHelp("Only this camera group (with a window).", valueName: "group"))
    var group: String?

    @Option(name: .long, help: ArgumentHelp("Only this camera (with a window).", valueName: "id"))
    var camera: String?

    @Option(name: .long, help: ArgumentHelp("Only this event type (with a window; repeatable).", valueName: "type"))
    var type: [String] = []

    @Option(name: .long, help: ArgumentHelp("Folder to write the package into (new or empty).", valueName: "dir"))
    var out: String

    @Flag(name: .long, help: "Write the package as one EXPORT-ID.zip into --out instead of a folder.")
    var zip = false

    @Option(name: .long, help: ArgumentHelp("Why (案由/事由), for the extraction record.", valueName: "text"))
    var reason: String = ""

    @Option(name: .long, help: ArgumentHelp("Who asked for it (unit, officer), for the extraction record.", valueName: "text"))
    var requester: String = ""

    @Option(name: .long, help: ArgumentHelp("20-digit id of this analysis system for GA/T 1400 IVADeviceID (default: $RETINA_IVA_DEVICE_ID).", valueName: "id"))
    var ivaDeviceId: String?

    @Option(name: .long, help: ArgumentHelp("Source-Organization in bag-info.txt.", valueName: "name"))
    var organization: String?

    @Flag(name: .long, help: "Print the summary as JSON.")
    var json = false

    @OptionGroup var actor: ActorOptions
    @OptionGroup var keyOptions: SigningKeyOptions
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var evidenceOptions: EvidenceOptions

    func run() async throws {
        func time(_ s: String?, _ name: String) throws -> Date? {
            guard let s else { return nil }
            guard let d = RFC3339.parse(s) else { throw CLIError("--\(name): expected an RFC 3339 time such as 2026-11-23T08:00:00+08:00, got '\(s)'") }
            return d
        }
        // The selection's shape first (ids are resolved in the store below), then the key.
        do {
            try ExportSelection(events: events.map { _ in UUID() }, incident: incident, from: try time(from, "from"), to: try time(to, "to"),
                                group: group, camera: camera, types: type.map(EventType.init(rawValue:))).validate()
        } catch let error as ExportError {
            throw ValidationError("\(error) (use --event, --incident, or --from/--to)")
        }
        let key = try keyOptions.load()
        let iva = ivaDeviceId ?? ProcessInfo.processInfo.environment["RETINA_IVA_DEVICE_ID"] ?? ""
        if !iva.isEmpty && !GB28181Alarm.isDeviceCode(iva) { throw CLIError("--iva-device-id: expected a 20-digit code, got '\(iva)'") }
        let store = try storeOptions.open()
        var ids: [UUID] = []
        for e in events { ids.append(try await resolveEvent(e, in: store)) }
        let selection = ExportSelection(events: ids, incident: incident, from: try time(from, "from"), to: try time(to, "to"),
                                        group: group, camera: camera, types: type.map(EventType.init(rawValue:)))
        let request = ExportRequest(selection: selection, out: out, zip: zip, reason: reason, requester: requester, actor: actor.name,
                                    role: "cli", key: key, evidence: EvidenceRoot(path: evidenceOptions.directory()), ivaDeviceId: iva, organization: organization,
                                    tool: "retina \(RetinaVersion.string)")
        let bar = ProgressBar()
        let summary: ExportSummary
        do {
            summary = try await Exporter(store: store).export(request) { bar.update($0) }
        } catch {
            bar.finish()
            await store.close()
            throw CLIError(error)
        }
        bar.finish()
        await store.close()
        if json {
            print(String(decoding: try EventJSON.encoder(pretty: true).encode(summary), as: UTF8.self))
        } else {
            print("exported \(summary.events) events (\(summary.snapshots) snapshots, \(summary.clips) clips) to \(summary.path)")
            print("  \(summary.files) payload files, \(ByteCount.text(summary.bytes)); signed by \(summary.fingerprint)")
            print("  check it: retina verify \(summary.path) --trust \(summary.fingerprint)")
        }
        Self.printWarnings(summary.warnings)
    }

    /// Warnings on stderr; many of one kind (device ids of a camera) are counted, not repeated.
    static func printWarnings(_ warnings: [String]) {
        let shown = warnings.prefix(5)
        for w in shown { FileHandle.standardError.write(Data("warning: \(w)\n".utf8)) }
        if warnings.count > shown.count {
            FileHandle.standardError.write(Data("warning: … and \(warnings.count - shown.count) more (see --json)\n".utf8))
        }
    }
}

/// A progress bar on stderr, only when it is a terminal; redrawn at most ten times a second.
final class ProgressBar: @unchecked Sendable {
    private let lock = NSLock()
    private let enabled = isatty(STDERR_FILENO) == 1
    private var last = Date.distantPast
    private let start = Date()
    private var drawn = false

    func update(_ p: ExportProgress) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        guard now.timeIntervalSince(last) >= 0.1 || p.phase != "copying" else { return }
        last = now
        let width = 30
        let fraction = p.eventsTotal > 0 ? Double(p.eventsDone) / Double(p.eventsTotal) : 0
        let filled = Int(fraction * Double(width))
        let rate = Double(p.bytesCopied) / max(now.timeIntervalSince(start), 0.001)
        let phase = p.phase.padding(toLength: 9, withPad: " ", startingAt: 0)
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let line = "\r\(phase) [\(bar)] \(p.eventsDone)/\(p.eventsTotal) events  \(ByteCount.text(p.bytesCopied))  \(ByteCount.text(Int(rate)))/s "
        FileHandle.standardError.write(Data(line.utf8))
        drawn = true
    }

    func finish() {
        lock.lock()
        defer { lock.unlock() }
        if drawn { FileHandle.standardError.write(Data("\n".utf8)) }
        drawn = false
    }
}
