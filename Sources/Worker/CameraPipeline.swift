import Events
import Foundation
import Inference
import Logging
import Media
import Perception
import RetinaConfig
import Synchronization
import Vision
import Vocabulary

/// One camera end to end: ingest thread → bounded frame buffer → detectors → episode policy →
/// events. Also tracks the camera's health and outages.
public final class CameraPipeline: Sendable {
    public let camera: CameraConfig
    public let buffer: FrameChannel<CameraFrame>
    private let ingest: CameraIngest
    /// With `detect:`, the main stream: read into the packet ring only (clips, snapshots), never decoded.
    private let main: CameraIngest?
    private let mainOutage: Mutex<OutageReporter>?
    /// The main stream's packets when snapshots are decoded from them (`snapshot: main`).
    private let mainPictures: PacketRing?
    private let publisher: EventPublisher
    private let logger: Logger
    private let outage: Mutex<OutageReporter>
    private let analysed = Mutex<(count: Int, windowStart: Date, windowCount: Int, fps: Double)>((0, Date(), 0, 0))
    private let analysis = Mutex<Task<Void, Never>?>(nil)
    private let detectorNanos = Atomic<Int>(0)
    private let inferences = Atomic<Int>(0)
    private let skips = Atomic<Int>(0)
    private let inferenceNanos = Atomic<Int>(0)
    private let waitNanos = Atomic<Int>(0)
    private let densityPasses = Atomic<Int>(0)
    private let lookalikesLeftOut = Atomic<Int>(0)
    private let passDensities = Atomic<Int>(0)
    private let closerLooks = Atomic<Int>(0)
    private let followUps = Atomic<Int>(0)
    private let sparePasses = Atomic<Int>(0)
    /// The learned `PassDensityScale` factor, as Float bits (0: not learned).
    private let passScaleBits = Atomic<UInt32>(0)
    private let densityInput = Mutex<(width: Int, height: Int)?>(nil)
    private let lineCounts = Mutex<[String: (into: Int, out: Int)]>([:])
    /// The process's learned people detector, when this camera uses it (`perception.people`).
    private let people: (@Sendable () -> PeopleModel?)?
    /// Whether the machine has CPU to spare for a pass's closer look (the process's).
    private let load: NodeLoad

    private let evidence: EvidenceWriter?
    /// Event clips cut from the ingest's packet ring (nil: no evidence folder, or clips off).
    public let clips: ClipRecorder?

    /// Seconds between two samples of a zone's crowd (the office's chart).
    static let zoneSampleEvery: Double = 10

    /// - Parameters:
    ///   - people: the learned people detector (loaded at the first call, off the cooperative
    ///     pool); default: the process's one, when `perception.people` is on.
    ///   - startDelay: seconds the camera waits before its first connection (its place among the
    ///     worker's cameras: `StreamDefaults.startSpacing`).
    ///   - load: whether the machine has CPU to spare for a pass's closer look (`perception.lookCloser`).
    public init(camera: CameraConfig, publisher: EventPublisher, evidence: EvidenceWriter? = nil,
                logger: Logger = Logger(label: "retina.camera"), people: (@Sendable () -> PeopleModel?)? = nil,
                startDelay: Double = 0, load: NodeLoad = .process) {
        self.camera = camera
        self.load = load
        let shared = logger
        // A home camera always needs the detector and the lane: its pose passes run there.
        self.people = camera.perception.people || camera.kind == .home ? (people ?? { PeopleModel.shared(logger: shared) }) : nil
        self.publisher = publisher
        self.evidence = evidence
        var logger = logger
        logger[metadataKey: "camera"] = "\(camera.id)"
        self.logger = logger
        let buffer = FrameChannel<CameraFrame>(capacity: camera.stream.frameBuffer)
        self.buffer = buffer
        outage = Mutex(OutageReporter(offlineAfter: camera.stream.offlineAfter))
        // With two streams the substream is the one decoded and analysed.
        var spec = IngestSpec(
            cameraId: camera.id, url: StreamURL(camera.detect ?? camera.url),
            options: OpenOptions(transport: camera.stream.transport, openTimeout: camera.stream.openTimeout,
                                 stallTimeout: camera.stream.stallTimeout, decoderThreads: camera.stream.decoderThreads),
            analysisFps: camera.stream.analysisFps, analysisWidth: camera.stream.analysisWidth,
            analysisHeight: camera.stream.analysisHeight, settleSeconds: camera.stream.settle,
            backoff: BackoffPolicy(delays: camera.stream.backoff, jitter: StreamDefaults.backoffJitter), pace: camera.stream.pace,
            decodeBurst: camera.stream.decodeBurst, deblock: camera.stream.deblock
        )
        // A home camera's picture stays as its fall detector was measured on, whatever the other
        // cameras of the machine cost: it sheds the filter only while its own decoding runs late.
        if camera.kind == .home { spec.load = nil }
        spec.startDelay = startDelay
        var ring: PacketRing?
        let dual = camera.detect != nil
        let mainPictures = dual && evidence != nil && camera.snapshot == .main
        // A clip is the camera's own packets, not re-encoded: a masked zone cannot be taken out of
        // it, so a camera with masked zones keeps none; a home camera keeps one only with its clear picture.
        if let evidence, camera.clips.enabled, camera.masks.isEmpty, camera.home?.keepClear ?? true {
            let privacy: EvidencePrivacy? = camera.kind == .home ? .clear : nil
            let settings = camera.clips
            let packets = PacketRing(limits: PacketRing.Limits(seconds: settings.ringSeconds, maxBytes: settings.maxBytes))
            ring = packets
            clips = ClipRecorder(camera: camera.id, directory: evidence.directory, ring: packets,
                                 settings: ClipRecorder.Settings(pre: settings.pre, post: settings.post,
                                                                 patience: camera.stream.stallTimeout + 5, maxBytes: settings.maxBytes),
                                 logger: logger,
                                 onClip: { id, completion in publisher.complete(completion.marked(privacy), of: id) })
        } else {
            clips = nil
            // Snapshots from the main stream need its last GOP or two even without clips.
            if mainPictures { ring = PacketRing(limits: PacketRing.Limits(seconds: 10, maxBytes: camera.clips.maxBytes)) }
        }
        self.mainPictures = mainPictures ? ring : nil
        // The pipeline is not yet fully initialised here, so the callbacks reach it through a box.
        let box = WeakBox()
        ingest = CameraIngest(spec: spec, logger: logger, ring: dual ? nil : ring,
                              onState: { state, error in box.pipeline?.ingestChanged(state, error) },
                              onFrame: { frame in buffer.push(frame) })
        if dual {
            var mainSpec = spec
            mainSpec.url = StreamURL(camera.url)
            mainSpec.decode = false
            var mainLogger = logger
            mainLogger[metadataKey: "stream"] = "main"
            main = CameraIngest(spec: mainSpec, logger: mainLogger, ring: ring,
                                onState: { state, error in box.pipeline?.mainChanged(state, error) }, onFrame: { _ in })
            mainOutage = Mutex(OutageReporter(offlineAfter: camera.stream.offlineAfter))
        } else {
            main = nil
            mainOutage = nil
        }
        box.pipeline = self
    }

    public func start() {
        let executor = AnalysisExecutor(label: "retina.analysis.\(camera.id)")
        let task = Task.detached(executorPreference: executor) { [self] in await analyse() }
        analysis.withLock { $0 = task }
        ingest.start()
        main?.start()
    }

    /// Graceful stop: the ingest thread ends, analysis finishes the frames already buffered.
    public func stop() async {
        await Task.detached { [ingest, main] in
            ingest.stop()
            main?.stop()
        }.value
        buffer.finish()
        let task = analysis.withLock { $0 }
        await task?.value
        // Clips in progress are written with what arrived; their completions reach the publisher before it flushes.
        await clips?.finish()
    }

    /// Periodic duty: reports an outage that has lasted long enough.
    public func tick(now: Date = Date()) {
        if let report = outage.withLock({ $0.tick(at: now) }) { publish(report, at: now) }
        if let report = mainOutage?.withLock({ $0.tick(at: now) }) { publish(report, at: now, stream: "main") }
    }

    public var health: CameraHealthRecord {
        let h = ingest.health.snapshot
        let a = analysed.withLock { $0 }
        let stale = Date().timeIntervalSince(a.windowStart) > 4
        return CameraHealthRecord(
            camera: camera.id, group: camera.group, state: h.state, since: h.since, lastError: h.lastError,
            decodedFps: h.decodedFps, analysedFps: (h.state == .streaming && !stale) ? a.fps : 0,
            droppedFrames: buffer.dropped, reconnectsLastHour: h.reconnectsLastHour, stallsLastHour: h.stallsLastHour,
            reportedAt: Date(),
            learned: people == nil ? nil : CameraHealthRecord.LearnedPasses(passes: inferencesRun, densityPasses: densityPassesRun,
                                                                             skipped: inferencesSkipped, msPerPass: (inferenceMillisPerPass * 10).rounded() / 10,
                                                                             waitMs: (inferenceWaitMillisPerPass * 10).rounded() / 10,
                                                                             densityScale: passDensityScale.map { ($0 * 100).rounded() / 100 }),
            mainStream: main.map { main in
                let m = main.health.snapshot
                return CameraHealthRecord.StreamHealth(state: m.state, since: m.since, lastError: m.lastError,
                                                       framesPerSecond: m.decodedFps, reconnectsLastHour: m.reconnectsLastHour)
            }
        )
    }

    public var ingestHealth: IngestHealth { ingest.health.snapshot }
    /// With two streams, the main stream's (its frames read into the ring, not decoded).
    public var mainStreamHealth: IngestHealth? { main?.health.snapshot }
    public var framesAnalysed: Int { analysed.withLock { $0.count } }
    /// Mean detector time per analysed frame, in milliseconds.
    public var detectorMillisPerFrame: Double {
        let n = framesAnalysed
        return n == 0 ? 0 : Double(detectorNanos.load(ordering: .relaxed)) / Double(n) / 1e6
    }

    /// Reconnects and stalls since the pipeline started (monotonic, unlike the health's hourly counts).
    public var reconnectsTotal: Int { ingest.health.snapshot.reconnectsTotal }
    public var stallsTotal: Int { ingest.health.snapshot.stallsTotal }
    /// Detector time spent so far, in seconds (over `framesAnalysed` frames).
    public var detectorSeconds: Double { Double(detectorNanos.load(ordering: .relaxed)) / 1e9 }

    /// Learned detection passes run on this camera's frames (each: the tile plan's inferences, decoding, NMS).
    public var inferencesRun: Int { inferences.load(ordering: .relaxed) }
    /// People who crossed each zone's counting line (`line:`), in and out, since the camera started.
    public var lineCrossings: [String: (into: Int, out: Int)] { lineCounts.withLock { $0 } }

    /// The size the density model was last fed this camera's picture at (nil before its first pass).
    public var densityInputSize: (width: Int, height: Int)? { densityInput.withLock { $0 } }

    /// Crowd-density passes run on this camera's frames (while a zone was dense).
    public var densityPassesRun: Int { densityPasses.load(ordering: .relaxed) }
    /// People passes that also looked closer where the picture moved and nobody was followed (`perception.lookCloser`).
    public var closerLooksRun: Int { closerLooks.load(ordering: .relaxed) }
    /// Extra people passes that followed up on a vehicle or runners a pass left undecided (`perception.followUp`).
    public var followUpsRun: Int { followUps.load(ordering: .relaxed) }
    /// Extra people passes on a moving picture while the node had CPU to spare (`perception.spareRate`).
    public var sparePassesRun: Int { sparePasses.load(ordering: .relaxed) }
    /// People passes whose own density, scaled, counted the zones (between the density model's passes).
    public var passDensitiesUsed: Int { passDensities.load(ordering: .relaxed) }
    /// What this camera multiplies its people passes' own density by (`PassDensityScale`); nil until learned.
    public var passDensityScale: Double? {
        let f = Float(bitPattern: passScaleBits.load(ordering: .relaxed))
        return f > 0 ? Double(f) : nil
    }
    /// Places this camera has learned its detector takes for a person and leaves out of its counts
    /// (`StillLookalikes`: a sign, a cone), as of its latest pass.
    public var lookalikePlaces: Int { lookalikesLeftOut.load(ordering: .relaxed) }
    /// Passes (detection or density) that were due but skipped because every inference thread of the process was busy.
    public var inferencesSkipped: Int { skips.load(ordering: .relaxed) }
    /// Time spent in passes so far, detection and density, in seconds.
    public var inferenceSeconds: Double { Double(inferenceNanos.load(ordering: .relaxed)) / 1e9 }
    /// Time passes waited for a free inference thread so far, in seconds (node-wide queueing).
    public var inferenceWaitSeconds: Double { Double(waitNanos.load(ordering: .relaxed)) / 1e9 }
    /// Mean wait of a pass for a free inference thread, in milliseconds.
    public var inferenceWaitMillisPerPass: Double {
        let n = inferencesRun + densityPassesRun
        return n == 0 ? 0 : inferenceWaitSeconds * 1000 / Double(n)
    }

    /// Mean time of a pass (detection or density), in milliseconds.
    public var inferenceMillisPerPass: Double {
        let n = inferencesRun + densityPassesRun
        return n == 0 ? 0 : inferenceSeconds * 1000 / Double(n)
    }

    /// The main stream's own outages: `camera.offline` with `"stream": "main"` (the camera is still
    /// analysed, but its clips and snapshots are gone while it is down).
    fileprivate func mainChanged(_ state: CameraState, _ error: MediaError?) {
        if let error, state != .streaming { logger.debug("main stream \(state.rawValue): \(error)") }
        if let report = mainOutage?.withLock({ $0.update(state, reason: error?.description, at: Date()) }) {
            publish(report, at: Date(), stream: "main")
        }
    }

    fileprivate func ingestChanged(_ state: CameraState, _ error: MediaError?) {
        if let error, state != .streaming { logger.debug("\(state.rawValue): \(error)") }
        if let report = outage.withLock({ $0.update(state, reason: error?.description, at: Date()) }) {
            publish(report, at: Date())
        }
    }

    private func analyse() async {
        if camera.kind == .home, let home = camera.home { return await analyseHome(home) }
        // Loading the model blocks: here, on this camera's analysis queue, never the cooperative pool.
        let model = people?()
        var learned: (detector: ObjectDetector, model: PeopleModel)?
        if let model {
            do { learned = (try model.detector(tiles: camera.perception.tiles), model) } catch {
                logger.error("people detection off: \(error)")
            }
        }
        let detectors: CameraDetectors
        do {
            detectors = try DetectorFactory.detectors(for: camera, learnedCounts: learned != nil)
        } catch {
            // `retina run` checks this before starting; here only a file removed since then.
            logger.error("detectors not started: \(error)")
            detectors = CameraDetectors(scene: SceneModel(perspective: nil), everyFrame: [], learnedCrowd: nil)
        }
        let watchZones = DetectorFactory.zones(of: camera).filter { $0.kind == .watch }
        var schedule = PerceptionSchedule(camera.perception)
        var zonePeople: ZonePeople?
        // Signs and cones the detector takes for people, learned from this camera's passes, are
        // left out of its counts and of the boxes its events carry (not out of tracks: a person
        // standing still is someone there).
        var lookalikes = StillLookalikes()
        var densitySources = DensitySources(every: camera.perception.densityEvery, checkEvery: camera.perception.densityCheckEvery,
                                            usePass: camera.perception.passDensity, phase: DensitySources.phase(of: camera.id))
        // With people detection on, intrusion and loitering are decided on person tracks (a tree in the
        // wind is no intruder, a person standing still is); the flow detector's own are left out.
        var trackEvents = learned != nil && camera.anomaly.enabled ? TrackEvents(camera: camera, zones: DetectorFactory.zones(of: camera)) : nil
        var policy = EpisodePolicy(camera: camera)
        // Its flow carries the tracks between people passes.
        let motionDetector = detectors.everyFrame.lazy.compactMap { $0 as? MotionAnomalyDetector }.first
        // The crowd chart's series: each zone's reading every `zoneSampleEvery` s of wall time.
        let crowdDetector = detectors.learnedCrowd ?? detectors.everyFrame.lazy.compactMap { $0 as? CrowdDensityDetector }.first
        var lastSample: Date?
        // People in and out a minute at each zone's counting line, as of the latest people pass.
        var flow: [String: (into: Double, out: Double)] = [:]
        var lastLive: Date?
        let liveMasks = DetectorFactory.zones(camera.masks)
        for await frame in buffer.items {
            let input = AnalysisFrame(image: GrayImage(width: frame.width, height: frame.height, pixels: frame.pixels),
                                      time: frame.time, streamTime: frame.streamTime, segment: frame.segment,
                                      sourceWidth: frame.sourceWidth, sourceHeight: frame.sourceHeight)
            let started = DispatchTime.now().uptimeNanoseconds
            var detections: [Vision.Detection] = []
            for detector in detectors.everyFrame { detections += detector.analyse(input) }
            if trackEvents != nil {
                detections.removeAll { $0.subtype == .intrusion || $0.subtype == .loitering }
                if let flow = motionDetector?.lastFlow { trackEvents!.carry(flow, segment: frame.segment) }
                // The flow detector's running or counter-flow where the people it is about are
                // followed and none of them runs or walks against the flow (`TrackEvents.overrules`).
                detections.removeAll { trackEvents!.overrules($0, at: frame.streamTime, width: frame.sourceWidth, height: frame.sourceHeight) }
            }
            detectorNanos.add(Int(DispatchTime.now().uptimeNanoseconds - started), ordering: .relaxed)
            var objects: [DetectedObject]?
            if let learned, let picture = frame.picture {
                if schedule.gate == .motion { detectors.scene.update(input) }
                // A frame's analysis waits at most one analysis interval for its passes, people and
                // density together: the density pass gets what the people pass left of it.
                let waitStarted = DispatchTime.now().uptimeNanoseconds
                let wantDensity = camera.perception.density && detectors.learnedCrowd != nil && learned.model.density != nil
                    && densitySources.wantsPassDensity(segment: frame.segment, time: frame.streamTime, dense: zonePeople?.anyDense ?? false)
                // A follow-up on something a pass left undecided, or a spare pass on a moving picture,
                // is extra: spare CPU only, 0 late; a spare pass within the node's budget for them,
                // and only where a thread is free now.
                let (due, overdue, kind) = schedule.ask(segment: frame.segment, time: frame.streamTime,
                                                        changedFraction: detectors.scene.changedFraction,
                                                        allows: { $0 == .spare ? load.maySpare : load.hasHeadroom })
                // Looking closer is one more inference, for spare CPU only (`NodeLoad.hasHeadroom`).
                let focus = due && camera.perception.lookCloser && load.hasHeadroom
                    ? motionDetector?.lastFlow.flatMap { trackEvents?.focus($0, segment: frame.segment) } : nil
                let ran = due ? await pass(learned.detector, on: learned.model, picture, density: wantDensity, focus: focus,
                                           overdue: overdue, spare: kind == .spare) : nil
                if let result = ran {
                    if result.closerLook != nil { closerLooks.add(1, ordering: .relaxed) }
                    if kind == .followUp { followUps.add(1, ordering: .relaxed) }
                    if kind == .spare { sparePasses.add(1, ordering: .relaxed) }
                    let found = result.detections
                    schedule.ran(segment: frame.segment, time: frame.streamTime)
                    // Wall time: stream time starts again after a reconnect. The places are in 0…1 of
                    // the picture, so a stream that comes back at another size keeps them.
                    let people = camera.perception.lookalikes ? lookalikes.filter(found, at: frame.time.timeIntervalSinceReferenceDate, picture: picture) : found
                    lookalikesLeftOut.store(camera.perception.lookalikes ? lookalikes.lookalikes.count : 0, ordering: .relaxed)
                    objects = ZonePeople.objects(people)
                    if trackEvents != nil {
                        detections += trackEvents!.pass(result.forTracking, segment: frame.segment, time: frame.streamTime, date: frame.time,
                                                        width: picture.width, height: picture.height)
                        if camera.perception.followUp, trackEvents!.undecided {
                            schedule.followUp(segment: frame.segment, after: frame.streamTime)
                        }
                        let totals = trackEvents!.crossings
                        if !totals.isEmpty { lineCounts.withLock { $0 = totals.mapValues { ($0.into, $0.out) } } }
                        // crowd.flow: the zone samples carry the rates, and the net inflow leads the forecast.
                        flow = trackEvents!.flowPerMinute(at: frame.streamTime)
                        if !flow.isEmpty { detectors.learnedCrowd?.observeInflow(flow.mapValues { $0.into - $0.out }, at: frame.streamTime) }
                    }
                    if let crowd = detectors.learnedCrowd {
                        if zonePeople?.width != picture.width || zonePeople?.height != picture.height {
                            zonePeople = ZonePeople(zones: watchZones, width: picture.width, height: picture.height,
                                                    thresholds: camera.perception.regimeThresholds)
                        }
                        // The density model runs every `densityEvery` s while a zone is dense and every
                        // `densityCheckEvery` s otherwise (a crowd the detector cannot see into); between
                        // its passes a dense zone is counted from the people pass's own density, once the
                        // camera has learned its scale (`DensitySources`).
                        let perception = camera.perception
                        let passMap = perception.density ? result.density : nil
                        let anyDense = zonePeople!.anyDense
                        var madeNow = false
                        if perception.density, let estimator = learned.model.density {
                            // A substream is fed at its main stream's scale (`perception.densityScale`) once
                            // the main stream has said its size; the log says the input whenever it changes.
                            let sceneSide = perception.densityScale == .main ? main?.health.snapshot.stream.map { max($0.width, $0.height) } : nil
                            let input = estimator.inputSize(width: picture.width, height: picture.height, sceneSide: sceneSide)
                            densitySources.looking(at: (picture.width, picture.height), modelInput: input)
                            let due = densitySources.due(segment: frame.segment, time: frame.streamTime, dense: anyDense, passMap: passMap)
                            if due.isDue {
                                let waited = Double(DispatchTime.now().uptimeNanoseconds - waitStarted) / 1e9
                                if densityInput.withLock({ last in defer { last = input }; return last.map { $0 != input } ?? true }) {
                                    logger.info("crowd density: the \(picture.width)×\(picture.height) picture fed at \(input.width)×\(input.height)\(sceneSide == nil ? "" : ", the main stream's scale")")
                                }
                                // What the people pass left of the frame's interval; a pass a whole interval
                                // late may wait half an interval more, or on a full lane (where some pass
                                // always waits) it would never queue and so never be served.
                                let left = max(0, analysisInterval - waited)
                                if let map = await densityPass(estimator, on: learned.model, picture, sceneSide: sceneSide, overdue: due.overdue,
                                                               waitingAtMost: due.overdue >= 1 ? max(left, analysisInterval / 2) : left) {
                                    madeNow = true
                                    if densitySources.made(map, passMap: passMap, segment: frame.segment, time: frame.streamTime) {
                                        logger.info("crowd density between the model's passes: the people pass's own × \(String(format: "%.2f", densitySources.scale.factor ?? 0)), learned from \(densitySources.scale.frames) frames both counted; the model now runs every \(Int(perception.densityCheckEvery)) s")
                                    }
                                }
                            }
                        }
                        let map = densitySources.map(segment: frame.segment, time: frame.streamTime, dense: anyDense, passMap: passMap, madeNow: madeNow)
                        if anyDense, !madeNow, densitySources.countsWithPass(passMap) { passDensities.add(1, ordering: .relaxed) }
                        let factor = densitySources.scale.isCalibrated ? densitySources.scale.factor ?? 0 : 0
                        passScaleBits.store(Float(factor).bitPattern, ordering: .relaxed)
                        let dense = zonePeople!.observe(people, density: map)
                        let counts = zonePeople!.counts(people, density: dense ? map : nil)
                        detections += crowd.analyse(input, counts: counts.mapValues(\.count)).map { d in
                            var d = d
                            d.labels[CrowdCountSource.payloadKey] = (counts[d.zone]?.source ?? .detector).rawValue
                            return d
                        }
                    }
                }
            }
            countAnalysed()
            // The office's live wall (a home camera's analysis is elsewhere and keeps no such picture).
            if let evidence, let picture = frame.picture, lastLive.map({ frame.time.timeIntervalSince($0) >= LivePicture.every }) ?? true {
                lastLive = frame.time
                evidence.live(camera: camera.id, picture: picture, masks: liveMasks)
            }
            if let crowdDetector, lastSample.map({ frame.time.timeIntervalSince($0) >= Self.zoneSampleEvery }) ?? true {
                let readings = crowdDetector.readings
                if !readings.isEmpty {
                    lastSample = frame.time
                    publisher.record(readings.map { ZoneSample($0, camera: camera, at: frame.time, flow: flow[$0.zone]) })
                }
            }
            // Crowd levels manage their own episodes (announce, update, clear); the rest open one
            // event per episode through the policy. Events of a frame that had a pass carry its boxes.
            for d in detections where d.episode != nil {
                var d = d
                if d.type == .crowdDensity, d.labels[CrowdCountSource.payloadKey] == nil {
                    d.labels[CrowdCountSource.payloadKey] = CrowdCountSource.estimate.rawValue
                }
                let event = EventFactory.outlined(EventFactory.with(objects, EventFactory.episodeEvent(d, camera: camera, at: frame.time)),
                                                  camera: camera, width: frame.sourceWidth, height: frame.sourceHeight)
                if d.isUpdate { publisher.publish(event) } else { await publishOpening(event, frame: frame) }
            }
            for opened in policy.observe(detections.filter { $0.episode == nil }, at: frame.time, camera: camera.id) {
                await publishOpening(EventFactory.outlined(EventFactory.with(objects, EventFactory.detection(opened, camera: camera)),
                                                           camera: camera, width: frame.sourceWidth, height: frame.sourceHeight), frame: frame)
            }
        }
    }

    /// A home camera: the resident followed by pose while in view, falls and inactivity decided on
    /// the postures (`HomeCamera`), events with private pictures only (`HomeEvents`).
    private func analyseHome(_ home: HomeSettings) async {
        // Loading blocks: here, on this camera's analysis queue.
        let model = people?()
        var watcher: HomeCamera?
        if let model, let estimator = model.poseEstimator(logger: logger) {
            do {
                watcher = HomeCamera(camera: camera, home: home, follower: PoseFollower(detector: try model.homeDetector(), estimator: estimator))
            } catch {
                logger.error("fall detection off for this home camera: \(error)")
            }
        } else {
            logger.error("fall detection off for this home camera: the people detector or the pose model is not loaded (see above)")
        }
        for await frame in buffer.items {
            guard let watcher, let model else { countAnalysed(); continue }
            let input = AnalysisFrame(image: GrayImage(width: frame.width, height: frame.height, pixels: frame.pixels),
                                      time: frame.time, streamTime: frame.streamTime, segment: frame.segment,
                                      sourceWidth: frame.sourceWidth, sourceHeight: frame.sourceHeight)
            let started = DispatchTime.now().uptimeNanoseconds
            let moving = watcher.moved(input)
            detectorNanos.add(Int(DispatchTime.now().uptimeNanoseconds - started), ordering: .relaxed)
            var looked: PoseLook?
            if let picture = frame.picture, case let ask = watcher.ask(input, moving: moving), ask.isDue {
                let box = HomeBox(watcher)
                looked = await onLane(model, "pose", counted: inferences, urgent: true, overdue: ask.overdue) { () throws(InferenceError) in
                    PoseLook(pose: try box.camera.follow(picture))
                }
            }
            let findings = watcher.observe(input, looked: looked != nil, pose: looked?.pose, moving: moving)
            countAnalysed()
            for finding in findings {
                let pose: Pose?
                if case .still = finding { pose = nil } else { pose = looked?.pose ?? watcher.lastPose }
                var event = HomeEvents.event(finding, camera: camera, home: home, pose: pose, zone: pose.flatMap(watcher.restZone),
                                             frame: input, width: frame.sourceWidth, height: frame.sourceHeight)
                if let evidence, let picture = frame.picture {
                    event.evidence = await HomeEvents.pictures(for: event, finding: finding, pose: pose, picture: picture,
                                                               camera: camera, home: home, writer: evidence)
                }
                // The stream position finds the moment in a recording (and lets Benchmarks/home.sh
                // time the alarm against the clip's labelled landing).
                logger.warning("\(event.type) (\(event.payload["detectorEvent"]?.stringValue ?? "")) of \(home.subject) at \(String(format: "%.2f", input.streamTime)) s of the stream",
                               metadata: ["event": "\(event.id)"])
                let clip: Bool
                if case .fall = finding { clip = clips != nil } else { clip = false }
                if clip { event.pendingEvidence.append(PendingEvidence(kind: EvidenceKind.clip.rawValue, eventId: event.id)) }
                publisher.publish(event)
                if clip { recordClip(event.id, frame: frame) }
            }
        }
    }

    /// One learned detection pass on the shared inference threads, or nil when they are all busy
    /// (counted as skipped: the camera goes on with its frames) or the pass failed. `spare`: a
    /// spare pass, run only where the lane is unused at once (`InferenceLane.ifUnused`), and not missed.
    private func pass(_ detector: ObjectDetector, on model: PeopleModel, _ picture: DecodedPicture, density: Bool, focus: Box?,
                      overdue: Double, spare: Bool = false) async -> DetectionResult? {
        await onLane(model, "people detection", counted: inferences, overdue: overdue, spare: spare) { () throws(InferenceError) in
            try detector.detect(picture, density: density, focus: focus)
        }
    }

    /// One crowd-density pass, the same way.
    private func densityPass(_ estimator: CrowdDensityEstimator, on model: PeopleModel, _ picture: DecodedPicture, sceneSide: Int?,
                             overdue: Double, waitingAtMost seconds: Double) async -> DensityMap? {
        await onLane(model, "crowd density", counted: densityPasses, overdue: overdue, waitingAtMost: seconds) { () throws(InferenceError) in
            try estimator.estimate(picture, sceneSide: sceneSide).map
        }
    }

    /// Seconds between analysed frames: the longest a frame's analysis waits for its passes.
    private var analysisInterval: Double { 1 / max(camera.stream.analysisFps, 0.1) }

    /// A pass on the lane, waiting for a slot at most `waitingAtMost` seconds (default: until the
    /// next analysis frame). A `spare` pass runs only where the lane is unused, and is not counted as
    /// skipped when it does not run (nothing owed it).
    private func onLane<T: Sendable>(_ model: PeopleModel, _ what: String, counted: borrowing Atomic<Int>, urgent: Bool = false, overdue: Double = 0,
                                     waitingAtMost: Double? = nil, spare: Bool = false,
                                     _ work: @escaping @Sendable () throws(InferenceError) -> T) async -> T? {
        let started = DispatchTime.now().uptimeNanoseconds
        do {
            // Wait for a slot at most until the next analysis frame (see InferenceLane).
            // The pass notes when it began: the time before is the wait for a slot, after it the pass.
            let timed = { @Sendable () throws(InferenceError) -> (T, UInt64) in
                let began = DispatchTime.now().uptimeNanoseconds
                return (try work(), began)
            }
            let ran = spare ? try await model.lane.ifUnused(timed)
                : try await model.lane.run(waitingAtMost: waitingAtMost ?? analysisInterval, urgent: urgent, overdue: overdue, timed)
            guard let (result, began) = ran else {
                if !spare { skips.add(1, ordering: .relaxed) }
                return nil
            }
            waitNanos.add(Int(began - min(began, started)), ordering: .relaxed)
            let took = DispatchTime.now().uptimeNanoseconds - began
            inferenceNanos.add(Int(took), ordering: .relaxed)
            // What a spare pass took comes out of the node's budget for them.
            if spare { load.spentSpare(seconds: Double(took) / 1e9) }
            counted.add(1, ordering: .relaxed)
            return result
        } catch {
            logger.warning("\(what) pass failed: \(error)")
            return nil
        }
    }

    /// A new event carries a JPEG of the full-resolution picture of the frame it was seen in, and its clip
    /// pending: the recorder completes it once the post-event seconds have arrived. The clip starts
    /// after the event is queued, so its completion is always written after the event.
    private func publishOpening(_ event: Event, frame: CameraFrame) async {
        var event = await withSnapshot(event, frame: frame)
        if clips != nil { event.pendingEvidence.append(PendingEvidence(kind: EvidenceKind.clip.rawValue, eventId: event.id)) }
        if mainPictures != nil { event.pendingEvidence.append(PendingEvidence(kind: EvidenceKind.snapshot.rawValue, eventId: event.id)) }
        publisher.publish(event)
        // The stream position finds the moment in a recording (Benchmarks time events against labels with it).
        logger.info("\(event.type)\(event.subtype.map { " \($0)" } ?? "") at \(String(format: "%.2f", frame.streamTime)) s of the stream",
                    metadata: ["event": "\(event.id)"])
        recordClip(event.id, frame: frame)
        mainSnapshot(event.id, frame: frame)
    }

    /// A camera with two streams: the event goes out at once with the analysed frame's snapshot, and
    /// the main stream's full-resolution picture of the same moment follows, decoded from its packets
    /// off the analysis path (from the key frame before it: up to a GOP of frames) and completing the
    /// event's pending snapshot. Masks are in the analysed picture's pixels, scaled to the main stream's.
    private func mainSnapshot(_ id: UUID, frame: CameraFrame) {
        guard let ring = mainPictures, let evidence else { return }
        let (camera, publisher, logger) = (camera, publisher, logger)
        let (time, size) = (frame.time, (frame.sourceWidth, frame.sourceHeight))
        Task.detached {
            let ref = await evidence.snapshot(for: id, camera: camera.id, at: time, masks: DetectorFactory.zones(camera.masks), maskSource: size,
                                              name: "-main", later: true) {
                ring.streamTime(at: time).flatMap { ring.picture(at: $0) }
            }
            if ref == nil { logger.warning("no main-stream snapshot for event \(id.uuidString.lowercased())") }
            publisher.complete(ref.map { .recorded($0) }
                               ?? .missing(kind: EvidenceKind.snapshot.rawValue, reason: "the main stream held no picture of the event (down, or not yet a key frame)"),
                               of: id)
        }
    }

    /// The event's clip: from the analysed stream's own ring, or the main stream's, placed by wall time.
    private func recordClip(_ id: UUID, frame: CameraFrame) {
        if main != nil { clips?.record(eventId: id, at: frame.time) }
        else { clips?.record(eventId: id, segment: frame.segment, streamTime: frame.streamTime, at: frame.time) }
    }

    private func withSnapshot(_ event: Event, frame: CameraFrame) async -> Event {
        guard let evidence else { return event }
        var event = event
        if let picture = frame.picture,
           let ref = await evidence.snapshot(for: event.id, camera: camera.id, of: picture, at: frame.time, masks: DetectorFactory.zones(camera.masks)) {
            event.evidence.append(ref)
        } else {
            logger.warning("no snapshot for event \(event.id.uuidString.lowercased()) (\(event.type))")
        }
        return event
    }

    private func countAnalysed() {
        analysed.withLock { a in
            a.count += 1
            a.windowCount += 1
            let elapsed = Date().timeIntervalSince(a.windowStart)
            if elapsed >= 2 {
                a.fps = Double(a.windowCount) / elapsed
                a.windowStart = Date()
                a.windowCount = 0
            }
        }
    }

    private func publish(_ report: OutageReporter.Report, at now: Date, stream: String? = nil) {
        let what = stream.map { "camera's \($0) stream" } ?? "camera"
        switch report {
        case .offline(let since, let reason):
            logger.warning("\(what) offline since \(RFC3339.format(since)): \(reason)")
        case .online(let downFor):
            logger.info("\(what) back online after \(String(format: "%.1f", downFor)) s")
        }
        publisher.publish(EventFactory.outage(report, camera: camera, at: now, stream: stream))
    }
}

/// A pose pass's answer: the person's pose, or nil when nobody was found.
private struct PoseLook: Sendable {
    let pose: Pose?
}

private final class HomeBox: @unchecked Sendable {
    // The camera's analysis task waits for the pass it hands this to: one user at a time.
    let camera: HomeCamera
    init(_ camera: HomeCamera) { self.camera = camera }
}

private final class WeakBox: @unchecked Sendable {
    // Written once during CameraPipeline.init, before the ingest thread starts.
    weak var pipeline: CameraPipeline?
}

extension ZoneSample {
    init(_ r: CrowdDensityDetector.Reading, camera: CameraConfig, at: Date, flow: (into: Double, out: Double)? = nil) {
        let round = { (v: Double) in (v * 100).rounded() / 100 }
        self.init(camera: camera.id, zone: r.zone, group: camera.group, at: at, count: round(r.count), value: round(r.value),
                  unit: r.unit?.rawValue, level: r.level == CrowdLevel.none ? nil : r.level, bands: r.bands, forecast: r.forecast.map(round), horizonSeconds: r.horizon,
                  inPerMinute: flow.map { round($0.into) }, outPerMinute: flow.map { round($0.out) })
    }
}
