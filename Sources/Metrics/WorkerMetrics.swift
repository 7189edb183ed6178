import CoreMetrics
import Foundation
import Prometheus
import Synchronization
import Vocabulary
import Worker

/// Prometheus metrics of one worker process. The pipelines keep their own counts; this reads
/// them every couple of seconds (and on every scrape) into swift-metrics handles backed by a
/// Prometheus registry, so the camera threads do no metrics work at all.
///
/// Per camera (labels `camera`, `group`): `retina_camera_decoded_fps`, `retina_camera_analysed_fps`,
/// `retina_camera_streaming` (1 or 0), `retina_camera_frames_decoded_total`,
/// `retina_camera_frames_analysed_total`, `retina_camera_dropped_frames_total`,
/// `retina_camera_reconnects_total`, `retina_camera_stalls_total`,
/// `retina_camera_detector_seconds_total` (detector time; with frames analysed, a mean per frame
/// over any window) and `retina_camera_detector_seconds_per_frame` (that mean over the last poll);
/// the learned people detector's `retina_camera_inferences_total` (passes run) and
/// `retina_camera_closer_looks_total` (of those, passes that also looked closer where the picture
/// moved and nobody was followed: one more inference each), `retina_camera_follow_up_passes_total`
/// (of those, extra passes on a vehicle or runners a pass left undecided), `retina_camera_spare_passes_total`
/// (of those, extra passes on a moving picture while the node had CPU to spare: `perception.spareRate`),
/// the crowd-density model's `retina_camera_density_passes_total` (passes run while a zone was dense),
/// `retina_camera_pass_densities_total` (people passes whose own density, scaled, counted the zones
/// between the model's passes) and `retina_camera_pass_density_scale` (that scale, 0 until learned),
/// `retina_camera_inferences_skipped_total` (due but skipped: every inference thread busy),
/// `retina_camera_inference_seconds_total` and `retina_camera_inference_ms` (ms per pass of either
/// model over the last poll), `retina_camera_inference_wait_seconds_total` (time passes waited for a
/// free inference thread: the node's queueing delay), `retina_camera_lookalikes` (places the camera
/// learned its detector takes for a person and leaves out of its counts: a sign, a cone); a camera with two streams also `retina_camera_main_frames_total`
/// (its main stream's frames read into the packet ring, not decoded); per zone with a counting line, `retina_zone_people_crossed_total`
/// (labels `zone`, `direction` in|out: crowd flow as telemetry, not queue events).
/// Per process: `retina_worker_cameras`, `retina_events_published_total`,
/// `process_resident_memory_bytes`, `process_open_fds`.
public final class WorkerMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    /// The swift-metrics factory writing into `registry`.
    public let factory: PrometheusMetricsFactory
    private let worker: GroupWorker
    private let state: Mutex<State>
    private let poller = Mutex<Task<Void, Never>?>(nil)

    public init(worker: GroupWorker, registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.worker = worker
        self.registry = registry
        let factory = PrometheusMetricsFactory(registry: registry)
        self.factory = factory
        state = Mutex(State(process: ProcessMetrics(factory: factory)))
    }

    /// Makes this registry the process's swift-metrics backend, so that metrics recorded anywhere
    /// with swift-metrics appear on the same page. Once per process (swift-metrics' rule).
    public func bootstrapMetricsSystem() {
        MetricsSystem.bootstrap(factory)
    }

    /// Polls the worker every `interval` until `stopPolling()`.
    public func startPolling(interval: Duration = .seconds(2)) {
        let task = Task { [self] in
            while !Task.isCancelled {
                update()
                try? await Task.sleep(for: interval)
            }
        }
        poller.withLock { $0?.cancel(); $0 = task }
    }

    public func stopPolling() {
        poller.withLock { $0?.cancel(); $0 = nil }
    }

    /// The metrics now, in the Prometheus text format (0.0.4).
    public func exposition() -> [UInt8] {
        update()
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }

    /// Reads every pipeline and the process once. Cameras removed by a reload lose their series;
    /// a changed camera's new pipeline continues its counters.
    public func update() {
        let pipelines = worker.pipelines
        let published = worker.publisher.publishedCount
        state.withLock { s in
            var seen = Set<String>()
            for p in pipelines {
                let id = p.camera.id
                seen.insert(id)
                if let m = s.cameras[id], m.group != p.camera.group {
                    m.destroy()
                    s.cameras[id] = nil
                }
                if s.cameras[id] == nil { s.cameras[id] = CameraMetrics(camera: id, group: p.camera.group, factory: factory) }
                s.cameras[id]!.read(p)
            }
            for (id, m) in s.cameras where !seen.contains(id) {
                m.destroy()
                s.cameras[id] = nil
            }
            s.process.read(cameras: pipelines.count, published: published)
        }
    }

    private struct State {
        var cameras: [String: CameraMetrics] = [:]
        var process: ProcessMetrics
    }
}

/// One camera's series, and the pipeline totals they were last brought up to.
private struct CameraMetrics {
    let group: String
    private let decodedFps, analysedFps, streaming, detectorPerFrame, inferenceMs, lookalikes, passScale: CoreMetrics.Gauge
    private let decoded, analysed, dropped, reconnects, stalls, undeblocked, inferences, skipped, densityPasses, passDensities, mainFrames, closerLooks, followUps, spares: CoreMetrics.Counter
    private let detectorSeconds, inferenceSeconds, waitSeconds: FloatingPointCounter
    private let factory: PrometheusMetricsFactory
    private let labels: [(String, String)]
    /// Per zone and direction: the counter and the total it was brought up to.
    private var crossed: [String: (counter: CoreMetrics.Counter, total: Int)] = [:]
    /// The pipeline the totals belong to: a reload that changes the camera starts a new one at zero.
    /// Weak, not an ObjectIdentifier: a later pipeline may be allocated where a freed one was.
    private weak var pipeline: CameraPipeline?
    private var last = Totals()

    private struct Totals {
        var decoded = 0, analysed = 0, dropped = 0, reconnects = 0, stalls = 0, undeblocked = 0, inferences = 0, skipped = 0, density = 0
        var passDensities = 0, mainFrames = 0, closerLooks = 0, followUps = 0, spares = 0
        var detectorSeconds = 0.0, inferenceSeconds = 0.0, waitSeconds = 0.0
    }

    init(camera: String, group: String, factory: PrometheusMetricsFactory) {
        self.group = group
        let labels = [("camera", camera), ("group", group)]
        self.factory = factory
        self.labels = labels
        func gauge(_ name: String) -> CoreMetrics.Gauge { CoreMetrics.Gauge(label: name, dimensions: labels, factory: factory) }
        func counter(_ name: String) -> CoreMetrics.Counter { CoreMetrics.Counter(label: name, dimensions: labels, factory: factory) }
        decodedFps = gauge("retina_camera_decoded_fps")
        analysedFps = gauge("retina_camera_analysed_fps")
        streaming = gauge("retina_camera_streaming")
        detectorPerFrame = gauge("retina_camera_detector_seconds_per_frame")
        decoded = counter("retina_camera_frames_decoded_total")
        undeblocked = counter("retina_camera_frames_undeblocked_total")
        analysed = counter("retina_camera_frames_analysed_total")
        dropped = counter("retina_camera_dropped_frames_total")
        reconnects = counter("retina_camera_reconnects_total")
        stalls = counter("retina_camera_stalls_total")
        detectorSeconds = FloatingPointCounter(label: "retina_camera_detector_seconds_total", dimensions: labels, factory: factory)
        inferenceMs = gauge("retina_camera_inference_ms")
        lookalikes = gauge("retina_camera_lookalikes")
        inferences = counter("retina_camera_inferences_total")
        densityPasses = counter("retina_camera_density_passes_total")
        passDensities = counter("retina_camera_pass_densities_total")
        passScale = gauge("retina_camera_pass_density_scale")
        skipped = counter("retina_camera_inferences_skipped_total")
        mainFrames = counter("retina_camera_main_frames_total")
        closerLooks = counter("retina_camera_closer_looks_total")
        followUps = counter("retina_camera_follow_up_passes_total")
        spares = counter("retina_camera_spare_passes_total")
        inferenceSeconds = FloatingPointCounter(label: "retina_camera_inference_seconds_total", dimensions: labels, factory: factory)
        waitSeconds = FloatingPointCounter(label: "retina_camera_inference_wait_seconds_total", dimensions: labels, factory: factory)
    }

    mutating func read(_ p: CameraPipeline) {
        let health = p.health, ingest = p.ingestHealth
        let now = Totals(decoded: ingest.framesDecoded, analysed: p.framesAnalysed, dropped: health.droppedFrames,
                         reconnects: p.reconnectsTotal, stalls: p.stallsTotal, undeblocked: ingest.framesUndeblocked,
                         inferences: p.inferencesRun, skipped: p.inferencesSkipped, density: p.densityPassesRun,
                         passDensities: p.passDensitiesUsed, mainFrames: p.mainStreamHealth?.framesDecoded ?? 0, closerLooks: p.closerLooksRun, followUps: p.followUpsRun, spares: p.sparePassesRun, detectorSeconds: p.detectorSeconds, inferenceSeconds: p.inferenceSeconds,
                         waitSeconds: p.inferenceWaitSeconds)
        if pipeline !== p {
            pipeline = p
            last = Totals()
            crossed = crossed.mapValues { ($0.counter, 0) }
        }
        for (zone, counts) in p.lineCrossings {
            for (direction, total) in [("in", counts.into), ("out", counts.out)] {
                let key = zone + "|" + direction
                let entry = crossed[key] ?? (CoreMetrics.Counter(label: "retina_zone_people_crossed_total",
                                                                 dimensions: labels + [("zone", zone), ("direction", direction)], factory: factory), 0)
                if total > entry.total { entry.counter.increment(by: Int64(total - entry.total)) }
                crossed[key] = (entry.counter, max(total, entry.total))
            }
        }
        decodedFps.record(health.decodedFps)
        lookalikes.record(p.lookalikePlaces)
        analysedFps.record(health.analysedFps)
        streaming.record(health.state == .streaming ? 1 : 0)
        func add(_ counter: CoreMetrics.Counter, _ new: Int, _ old: Int) { if new > old { counter.increment(by: Int64(new - old)) } }
        add(decoded, now.decoded, last.decoded)
        add(analysed, now.analysed, last.analysed)
        add(dropped, now.dropped, last.dropped)
        add(reconnects, now.reconnects, last.reconnects)
        add(stalls, now.stalls, last.stalls)
        add(undeblocked, now.undeblocked, last.undeblocked)
        // The two totals are read a moment apart: a frame counted without its time is caught up next poll.
        let seconds = max(0, now.detectorSeconds - last.detectorSeconds)
        if seconds > 0 { detectorSeconds.increment(by: seconds) }
        if now.analysed > last.analysed { detectorPerFrame.record(seconds / Double(now.analysed - last.analysed)) }
        add(inferences, now.inferences, last.inferences)
        add(skipped, now.skipped, last.skipped)
        add(densityPasses, now.density, last.density)
        add(passDensities, now.passDensities, last.passDensities)
        passScale.record(p.passDensityScale ?? 0)
        add(mainFrames, now.mainFrames, last.mainFrames)
        add(closerLooks, now.closerLooks, last.closerLooks)
        add(followUps, now.followUps, last.followUps)
        add(spares, now.spares, last.spares)
        let passSeconds = max(0, now.inferenceSeconds - last.inferenceSeconds)
        if passSeconds > 0 { inferenceSeconds.increment(by: passSeconds) }
        let waited = max(0, now.waitSeconds - last.waitSeconds)
        if waited > 0 { waitSeconds.increment(by: waited) }
        let passes = now.inferences + now.density - last.inferences - last.density
        if passes > 0 { inferenceMs.record(passSeconds * 1000 / Double(passes)) }
        last = Totals(decoded: max(now.decoded, last.decoded), analysed: max(now.analysed, last.analysed),
                      dropped: max(now.dropped, last.dropped), reconnects: max(now.reconnects, last.reconnects),
                      stalls: max(now.stalls, last.stalls), undeblocked: max(now.undeblocked, last.undeblocked),
                      inferences: max(now.inferences, last.inferences), skipped: max(now.skipped, last.skipped),
                      density: max(now.density, last.density), passDensities: max(now.passDensities, last.passDensities), mainFrames: max(now.mainFrames, last.mainFrames),
                      closerLooks: max(now.closerLooks, last.closerLooks), followUps: max(now.followUps, last.followUps), spares: max(now.spares, last.spares), detectorSeconds: max(now.detectorSeconds, last.detectorSeconds),
                      inferenceSeconds: max(now.inferenceSeconds, last.inferenceSeconds),
                      waitSeconds: max(now.waitSeconds, last.waitSeconds))
    }

    func destroy() {
        for g in [decodedFps, analysedFps, streaming, detectorPerFrame, inferenceMs, lookalikes, passScale] { g.destroy() }
        for c in [decoded, analysed, dropped, reconnects, stalls, undeblocked, inferences, skipped, densityPasses, passDensities, mainFrames, closerLooks, followUps, spares] { c.destroy() }
        for (counter, _) in crossed.values { counter.destroy() }
        detectorSeconds.destroy()
        inferenceSeconds.destroy()
    }
}

/// The worker process as a whole: memory, open files, cameras, events.
private struct ProcessMetrics {
    private let residentBytes, openFds, cameras: CoreMetrics.Gauge
    private let published: CoreMetrics.Counter
    private var lastPublished = 0

    init(factory: PrometheusMetricsFactory) {
        residentBytes = CoreMetrics.Gauge(label: "process_resident_memory_bytes", factory: factory)
        openFds = CoreMetrics.Gauge(label: "process_open_fds", factory: factory)
        cameras = CoreMetrics.Gauge(label: "retina_worker_cameras", factory: factory)
        published = CoreMetrics.Counter(label: "retina_events_published_total", factory: factory)
    }

    mutating func read(cameras count: Int, published total: Int) {
        cameras.record(count)
        if total > lastPublished { published.increment(by: Int64(total - lastPublished)) }
        lastPublished = max(lastPublished, total)
        if let rss = ProcFS.residentBytes() { residentBytes.record(rss) }
        if let fds = ProcFS.openFileDescriptors() { openFds.record(fds) }
    }
}

/// What Linux says about this process (nil elsewhere).
enum ProcFS {
    /// Resident set size: the second field of /proc/self/statm, in pages.
    static func residentBytes() -> Int? {
        guard let statm = contents("/proc/self/statm") else { return nil }
        let fields = statm.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// Entries of /proc/self/fd, less the one this listing holds open.
    static func openFileDescriptors() -> Int? {
        guard let dir = opendir("/proc/self/fd") else { return nil }
        defer { closedir(dir) }
        var count = 0
        while let entry = readdir(dir) {
            let dot = withUnsafeBytes(of: entry.pointee.d_name) { $0.first == UInt8(ascii: ".") }
            if !dot { count += 1 }
        }
        return max(0, count - 1)
    }

    /// A small /proc file (its size reads as 0, so read to the end).
    static func contents(_ path: String) -> String? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 512)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            bytes += chunk[0..<n]
        }
        return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self)
    }
}
