import ArgumentParser
import Events
import Foundation
import Logging
import Media
import Office
import RetinaConfig
import Worker

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run cameras and publish their events.",
        discussion: """
        Without --config and --camera, runs the embedded demo configuration
        (`retina config demo` prints it): the sample streams of Streams/ served
        on rtsp://127.0.0.1:8554 by scripts/rtsp-server.py; scripts/demo starts
        both. SIGINT or SIGTERM stops gracefully: ingest stops, buffered frames
        are analysed, events are flushed.

        Examples:
          retina run --config cameras.yaml
          retina run --camera gate=rtsp://admin:secret@10.0.0.5/stream1 \\
                     --camera lobby=lobby.mp4
          retina run --duration 60 --store sqlite:/var/lib/retina/events.db
        """
    )

    @Option(name: .shortAndLong, help: ArgumentHelp("Configuration file (YAML).", valueName: "file"))
    var config: String?

    @Option(name: .long, help: ArgumentHelp("An ad-hoc camera as ID=URL (repeatable); URL is rtsp://, http(s):// or a file.", valueName: "id=url"))
    var camera: [String] = []

    @Option(name: .long, help: ArgumentHelp("Stop after this many seconds (default: run until SIGINT/SIGTERM).", valueName: "seconds"))
    var duration: Double?

    @Option(name: .long, help: ArgumentHelp("Also serve the security office on this port (see `retina serve`).", valueName: "port"))
    var office: Int?

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var evidenceOptions: EvidenceOptions
    @OptionGroup var logOptions: LogOptions

    func run() async throws {
        logOptions.bootstrap()
        let configuration = try loadConfiguration()
        try await serve(cameras: configuration.cameras, label: configuration.source, store: storeOptions,
                        configuredStore: configuration.store, evidence: evidenceOptions.directory(configured: configuration.evidence),
                        duration: duration, officePort: office)
    }

    private func loadConfiguration() throws -> Configuration {
        if config != nil && !camera.isEmpty { throw CLIError("give either --config or --camera, not both") }
        if let config {
            do { return try ConfigLoader.load(path: config) } catch { throw CLIError("invalid configuration:\n\(error)") }
        }
        if camera.isEmpty { return DemoConfig.load() }
        var yaml = "cameras:\n"
        for spec in camera {
            guard let eq = spec.firstIndex(of: "="), eq != spec.startIndex, spec.index(after: eq) != spec.endIndex else {
                throw CLIError("--camera expects ID=URL, got '\(StreamURL.mask(spec))'")
            }
            let id = spec[..<eq], url = spec[spec.index(after: eq)...]
            yaml += "  - {id: \(jsonQuoted(String(id))), url: \(jsonQuoted(String(url))), group: adhoc}\n"
        }
        do {
            return try ConfigLoader.parse(yaml, file: "--camera", baseDirectory: FileManager.default.currentDirectoryPath)
        } catch {
            throw CLIError("invalid --camera: \(StreamURL.mask(error.description))")
        }
    }

    private func jsonQuoted(_ s: String) -> String {
        String(decoding: try! JSONEncoder().encode(s), as: UTF8.self)
    }
}

/// Runs cameras in this process until a signal or the time limit, then stops gracefully.
func serve(cameras: [CameraConfig], label: String, store storeOptions: StoreOptions, configuredStore: String?,
           evidence: String, duration: Double?, officePort: Int? = nil) async throws {
    let logger = Logger(label: "retina")
    do { try GroupWorker.validate(cameras) } catch { throw CLIError("\(label): \(error)") }
    let storeURL = storeOptions.url(configured: configuredStore)
    let store = try storeOptions.open(configured: configuredStore)
    let worker = GroupWorker(cameras: cameras, store: store, evidenceDirectory: evidence, logger: logger)
    guard !worker.cameras.isEmpty else { throw CLIError("\(label): no enabled camera to run") }
    let groups = Set(worker.cameras.map(\.group)).sorted().joined(separator: ", ")
    logger.info("running \(worker.cameras.count) camera(s) of \(label) [group \(groups)] → store \(storeURL)")
    logger.info("see events with: retina events list --store \(storeURL)   (camera health: retina status --store \(storeURL))")
    worker.start()
    var officeTask: Task<Void, Error>?
    if let officePort {
        officeTask = Task {
            try await OfficeServer(store: store, port: officePort).run { port in
                logger.info("security office on http://127.0.0.1:\(port)/ (tokens: retina tokens create --role operator)")
            }
        }
    }

    let progress = Task {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(10))
            if Task.isCancelled { break }
            for h in worker.health {
                logger.info("\(h.camera): \(h.state) decoded \(String(format: "%.1f", h.decodedFps)) fps, analysed \(String(format: "%.1f", h.analysedFps)) fps, dropped \(h.droppedFrames), reconnects/h \(h.reconnectsLastHour)\(h.state == "streaming" ? "" : h.lastError.map { " — \($0)" } ?? "")")
            }
        }
    }
    let reason = await Signals.waitForTermination(limit: duration)
    progress.cancel()
    officeTask?.cancel()
    logger.info("\(reason ?? "time limit reached"): stopping (finishing buffered frames, flushing events)")
    await worker.stop()
    await store.close()
    logger.info("stopped; \(worker.publisher.publishedCount) event(s) published. See them: retina events list --store \(storeURL)")
}
