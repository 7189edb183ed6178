import ArgumentParser
import Evaluation
import Falls
import Foundation
import Logging
import Media
import Perception
import RetinaConfig
import ModelStore
import Vision
import Vocabulary

struct Eval: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score the detectors on a labelled video or still-picture dataset.",
        discussion: """
        A video dataset is a folder with video.mp4, scene.yaml and optional labels
        (../shared/data/README.md): calibration.csv is the only file fitted on;
        counts.csv and anomalies.csv are only scored. Frames in both
        calibration.csv and counts.csv are left out of the score.

        A still dataset is a folder with images/ and counts.csv (image,count), as
        ../shared/data/shanghaitech/part_B_train: each picture is counted by the
        learned models (--counter), nothing is fitted.

        A clip dataset is a folder with clips/ (scored, in name order),
        anomalies.csv (clip,start_frame,end_frame,kind) and optional normal/
        (normal clips, learned from first, never scored), as UCSD Ped2 is
        laid out by Benchmarks/datasets/build.sh: the learned detector runs on
        every frame, its detections are tracked, and the behaviours decided
        on the tracks are scored (frame AUC, events within 1 s, false events).

        A fall dataset is a folder of clips with labels.csv (clip,label,
        fall_type,fall_start_s,…: label fall or adl), as
        ../shared/data/falls-gmdcsa24: the person is followed by pose at
        --rate frames a second and each clip's first fall alarm is scored
        (detected at or after the onset, missed, false alarms, delays);
        --leave-one-subject-out chooses the decision's settings for each
        subject on the others' clips.

        Examples:
          retina eval .build/datasets/pets2009-s2l1
          retina eval --json .build/datasets/pets-running
          retina eval --generic --per-frame DATASET     # no per-camera fit
          retina eval ../shared/data/shanghaitech/part_A_test
          retina eval --counter detector --tiles 2x2 STILLS
          retina eval --images fold-0.txt --density-model density-0.onnx STILLS
          retina eval .build/datasets/ucsd-ped2
          retina eval --leave-one-subject-out ../shared/data/falls-gmdcsa24
          retina eval --landings Benchmarks/datasets/falls-gmdcsa24/landed.csv ../shared/data/falls-gmdcsa24
        """
    )

    @Argument(help: ArgumentHelp("Dataset folder.", valueName: "dataset"))
    var dataset: String

    @Flag(name: .long, help: "Print one JSON object: crowd {mae, rmse, mape, frames}, anomaly {auc, detected, missed, falseAlarms, events}, falls {clips, detected, missed, falseAlarms, delaysSeconds, perClip}, fps.")
    var json = false

    @Option(name: .long, help: ArgumentHelp("Crowd model to start from (default: Models/crowd-generic.json).", valueName: "file"))
    var model: String?

    @Flag(name: .long, help: "Use the model as it is: do not fit on the dataset's calibration.csv.")
    var generic = false

    @Flag(name: .long, help: "Include every scored frame's truth and estimate.")
    var perFrame = false

    @Option(name: .long, help: ArgumentHelp("Analysis width in pixels.", valueName: "px"))
    var width = 384

    @Option(name: .long, help: ArgumentHelp("H.264 deblocking while decoding: always, or keyframes (what a camera sees while its machine is over capacity and `deblock: auto` sheds the filter).", valueName: "policy"))
    var deblock: DeblockPolicy = .always

    @Option(name: .long, help: ArgumentHelp("Write per-frame features and anomaly scores as CSV (fall datasets: each looked-at frame's posture; clip datasets: each scored frame's score and label).", valueName: "file"))
    var featuresOut: String?

    @Option(name: .long, help: ArgumentHelp("Count people with the learned detector, the density model, or both fused (default: fused on stills, the classical model on videos). On a video it looks at a frame a second as a camera does, and fused leaves out the still lookalikes (signs, cones) it learns from them.", valueName: "counter"))
    var counter: PeopleCountSource?

    @Option(name: .long, help: ArgumentHelp("A crowd-density model other than Models/crowd-density (not checksummed).", valueName: "file"))
    var densityModel: String?

    @Option(name: .long, help: ArgumentHelp("Videos, with --counter density or fused: the video is a camera's substream and its main stream is this size (e.g. 1280x720): the density model sees each picture at the main stream's scale (at most 1024 px), as a worker feeds a camera with `detect:`.", valueName: "WxH"))
    var mainSize: PixelSize?

    @Flag(name: .long, inversion: .prefixedNo, help: ArgumentHelp("Videos, with --counter fused: run the density model as a camera does (every 2 s while the scene is dense, every 30 s once the camera has learned to scale the detector's own density, which counts the frames in between). --no-pass-density runs the density model on every frame counted (the reference)."))
    var passDensity = true

    @Flag(name: .long, inversion: .prefixedNo, help: ArgumentHelp("Clip datasets: measure the tracks' speed with the optical flow of every frame, as a camera's flow detector does. --no-track-flow measures it by their boxes alone (the reference)."))
    var trackFlow = true

    @Flag(name: .long, inversion: .prefixedNo, help: ArgumentHelp("Clip datasets: each pass also looks closer where the picture moves and nobody is followed (one more inference on a crop, as a camera with perception.lookCloser does; needs the tracks' flow). --no-look-closer: the whole picture alone."))
    var lookCloser = true

    @Option(name: .long, help: ArgumentHelp("Clip datasets: people passes a second, as a camera's perception.rate (default: one on every frame). Between passes the flow carries the tracks.", valueName: "rate"))
    var passes: Double?

    @Flag(name: .long, inversion: .prefixedNo, help: ArgumentHelp("Clip datasets with --passes: a pass that saw a vehicle or runners not yet decided is followed by passes five a second for a second (longer while they stay undecided), as a camera with perception.followUp and CPU to spare does."))
    var followUp = true

    @Option(name: .long, help: ArgumentHelp("Still datasets: score only the pictures named in this file, one a line (a held-out fold).", valueName: "file"))
    var images: String?

    @Option(name: .long, help: ArgumentHelp("The learned detector's tiles: auto, 1 or CxR (counting, and the tracks of a clip dataset).", valueName: "plan"))
    var tiles: TileSetting = .whole

    @Option(name: .long, help: ArgumentHelp("ONNX Runtime threads per inference.", valueName: "n"))
    var threads = 1

    @Option(name: .long, help: ArgumentHelp("Fall datasets: frames a second looked at.", valueName: "fps"))
    var rate = 5.0

    @Flag(name: .long, help: "Fall datasets: choose the fall decision's settings for each subject on the other subjects' clips.")
    var leaveOneSubjectOut = false

    @Option(name: .long, help: ArgumentHelp("Fall datasets: the decision's settings over its defaults, e.g. lean=45,drop=0.2,confirm=0.2.", valueName: "list"))
    var fallSettings: String?

    @Option(name: .long, help: ArgumentHelp("Fall datasets: a CSV of clip,landed_s (when each fall's body comes to rest, e.g. Benchmarks/datasets/falls-gmdcsa24/landed.csv): each alarm is also timed from it.", valueName: "file"))
    var landings: String?

    func validate() throws {
        guard (1...64).contains(threads) else { throw ValidationError("--threads must be 1 to 64") }
        guard rate > 0, rate <= 60 else { throw ValidationError("--rate must be more than 0 and at most 60 frames a second") }
        if let passes, !PerceptionSettings.rates.contains(passes) {
            throw ValidationError("--passes must be \(PerceptionSettings.rates.lowerBound) to \(PerceptionSettings.rates.upperBound) a second, not \(passes)")
        }
        // Evaluation decodes flat out, never late: `auto` would silently be `always`.
        if deblock == .auto { throw ValidationError("--deblock auto sheds the filter only while a camera decoding in real time runs late, which a file decoded flat out never does: use always or keyframes") }
    }

    func run() async throws {
        // A file's "connected" line per video is noise here (a clip dataset opens dozens).
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .warning
            return handler
        }
        if mainSize != nil, counter == nil || counter == .detector || ClipDataset.isClipDataset(dataset) || StillDataset.isStill(dataset) || FallDataset.isFallDataset(dataset) {
            throw ValidationError("--main-size is for counting a video (a camera's substream) with --counter density or fused")
        }
        if FallDataset.isFallDataset(dataset) {
            if images != nil || counter != nil { throw ValidationError("--images and --counter are for counting; \(dataset) is a fall dataset") }
            if tiles != .whole { throw ValidationError("--tiles is for counting and clip datasets; \(dataset) is a fall dataset (the person is followed by pose)") }
            let settings: FallWatch.Settings
            do { settings = try FallWatch.Settings(parsing: fallSettings ?? "") } catch { throw ValidationError("--fall-settings: \(error)") }
            if fallSettings != nil, leaveOneSubjectOut { throw ValidationError("--fall-settings and --leave-one-subject-out: the second chooses the settings") }
            return try print(try await FallEval(directory: dataset, threads: threads, rate: rate, settings: settings,
                                                leaveOneSubjectOut: leaveOneSubjectOut, featuresOut: featuresOut, landings: landings).run())
        }
        if !passDensity, counter != .fused || ClipDataset.isClipDataset(dataset) || StillDataset.isStill(dataset) {
            throw ValidationError("--no-pass-density is for counting a video with --counter fused (the density model's cadence on a camera)")
        }
        if !trackFlow, !ClipDataset.isClipDataset(dataset) {
            throw ValidationError("--no-track-flow is for clip datasets (behaviours on tracks); \(dataset) is not one")
        }
        if !lookCloser, !ClipDataset.isClipDataset(dataset) {
            throw ValidationError("--no-look-closer is for clip datasets (behaviours on tracks); \(dataset) is not one")
        }
        if passes != nil || !followUp, !ClipDataset.isClipDataset(dataset) {
            throw ValidationError("--passes and --no-follow-up are for clip datasets (behaviours on tracks); \(dataset) is not one")
        }
        if !followUp, passes == nil { throw ValidationError("--no-follow-up needs --passes: a pass on every frame has nothing to follow up") }
        if landings != nil { throw ValidationError("--landings is for fall datasets (labels.csv with label and fall_start_s); \(dataset) is not one") }
        if fallSettings != nil { throw ValidationError("--fall-settings is for fall datasets (labels.csv with label and fall_start_s); \(dataset) is not one") }
        if leaveOneSubjectOut { throw ValidationError("--leave-one-subject-out is for fall datasets (labels.csv with label and fall_start_s); \(dataset) is not one") }
        if ClipDataset.isClipDataset(dataset) {
            if images != nil || counter != nil { throw ValidationError("--images and --counter are for counting; \(dataset) is a clip dataset (behaviours)") }
            return try print(try await ClipEval(directory: dataset, threads: threads, tiles: tiles, scoresOut: featuresOut, trackFlow: trackFlow,
                                                   lookCloser: lookCloser && trackFlow, passes: passes, followUp: followUp).run())
        }
        if StillDataset.isStill(dataset) {
            let learned = LearnedCounter(source: counter ?? .fused, densityModel: densityModel, tiles: tiles, threads: threads)
            return try print(try await StillEval(directory: dataset, only: images, counter: learned, perFrame: perFrame).run())
        }
        if images != nil { throw ValidationError("--images names pictures of a still dataset; \(dataset) is a video dataset") }
        var learned: (name: String, count: Evaluator.VideoCounter)?
        if let counter {
            learned = try await LearnedCounter(source: counter, densityModel: densityModel, tiles: tiles, threads: threads,
                                               mainSide: mainSize?.longerSide, passDensity: passDensity && counter == .fused).loadForVideo()
            FFmpegLog.set(.quiet)
        }
        let counterUsed = learned
        let report = try await runOnThread { () throws in
            let data = try Dataset.load(dataset)
            let prior: CrowdModel
            let priorName: String
            if let model {
                prior = try ModelFiles.load(model)
                priorName = model
            } else {
                (prior, priorName) = try ModelFiles.loadGeneric()
            }
            var options = Evaluator.Options()
            options.analysisWidth = width
            options.prior = prior
            options.priorName = priorName
            options.useCalibration = !generic
            options.featuresOut = featuresOut
            options.perFrame = perFrame
            options.deblock = deblock
            options.learnedCounter = counterUsed?.count
            options.learnedCounterName = counterUsed?.name ?? ""
            // The counter looks at the video once a second as a camera's detection passes do.
            if counterUsed != nil { options.learnedPassSeconds = 1 }
            let showProgress = isatty(2) != 0
            options.progress = { done, _ in
                if showProgress { FileHandle.standardError.write(Data("\rframes: \(done)".utf8)) }
            }
            let report = try Evaluator(dataset: data, options: options).evaluate()
            if showProgress { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            return report
        }
        try print(report)
    }

    private func print(_ report: EvaluationReport) throws {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            Swift.print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            Swift.print(EvalText.render(report))
        }
    }
}

/// Runs blocking work (libav calls) on a thread of its own, not on Swift's cooperative pool.
func offPool<T: Sendable, E: Error>(_ work: @escaping @Sendable () throws(E) -> T) async -> Result<T, E> {
    await withCheckedContinuation { c in
        Thread { c.resume(returning: Result { () throws(E) in try work() }) }.start()
    }
}

/// `offPool`, with failures as command-line errors.
func runOnThread<T: Sendable, E: Error>(_ work: @escaping @Sendable () throws(E) -> T) async throws -> T {
    switch await offPool(work) {
    case .success(let value): return value
    case .failure(let error): throw CLIError(error)
    }
}

enum EvalText {
    static func render(_ r: EvaluationReport) -> String {
        var lines = ["dataset:   \(r.dataset) (analysis \(r.analysisSize))"]
        if let c = r.crowd {
            lines.append(String(format: "counting:  MAE %.2f, RMSE %.2f, MAPE %.1f%% over %d frames (model: %@)",
                                c.mae, c.rmse, c.mape, c.frames, c.model))
            if c.warmupFrames > 0 { lines.append("           \(c.warmupFrames) labelled frame(s) fell in the warm-up and were not scored") }
            for f in c.perFrame ?? [] {
                let name = f.image ?? String(format: "frame %5d", f.frame)
                lines.append(String(format: "  %@  truth %5.1f  estimate %6.2f", name, f.truth, f.estimate))
            }
        }
        if let a = r.anomaly {
            let auc = a.auc.map { String(format: "%.4f", $0) } ?? "n/a (no abnormal frame)"
            lines.append("anomaly:   AUC \(auc), detected \(a.detected), missed \(a.missed), false alarms \(a.falseAlarms)")
            for e in a.events { lines.append("  event \(e.kind): frames \(e.startFrame)–\(e.endFrame)") }
            if !a.latencySeconds.isEmpty {
                lines.append("  detection latency: " + a.latencySeconds.map { String(format: "%.2f s", $0) }.joined(separator: ", "))
            }
        }
        lines.append(String(format: "speed:     %.1f frames/s end to end, detectors %.2f ms/frame", r.fps, r.detectorMsPerFrame))
        if let ms = r.learnedMsPerInference { lines.append(String(format: "learned:   %.1f ms of inference per counted frame", ms)) }
        if let ms = r.trackingMsPerFrame { lines.append(String(format: "tracking:  %.3f ms per frame in the tracker and behaviours (within the above)", ms)) }
        if let ms = r.flowMsPerFrame { lines.append(String(format: "flow:      %.3f ms per frame in the flow detector measuring the tracks' speed (within the above; a camera runs it anyway)", ms)) }
        if let looks = r.closerLookFrames, let frames = r.trackedFrames {
            lines.append("closer:    looked closer on \(looks) of \(frames) frames (one more inference each, within the above)")
        }
        if let passes = r.peoplePasses, let frames = r.trackedFrames {
            lines.append("passes:    people passes on \(passes) of \(frames) frames" + (r.followUpPasses.map { ", \($0) of them follow-ups" } ?? ""))
        }
        if let f = r.falls {
            lines.append("falls:     \(f.detected) of \(f.detected + f.missed) detected, \(f.falseAlarms) false alarm(s) over \(f.clips) clips (\(f.protocolName))")
            let fixed = Set(f.perClip.map(\.settings)).count == 1
            if fixed, let s = f.perClip.first?.settings { lines.append("  decision: \(s)") }
            if !f.delaysSeconds.isEmpty {
                lines.append("  delay after the onset: " + f.delaysSeconds.map { String(format: "%.1f s", $0) }.joined(separator: ", "))
            }
            let afterLanding = f.perClip.compactMap(\.afterLandingSeconds)
            if !afterLanding.isEmpty {
                lines.append("  delay after landing: " + afterLanding.map { String(format: "%.1f s", $0) }.joined(separator: ", "))
            }
            for c in f.perClip {
                var alarm = c.alarmSeconds.map { String(format: "alarm at %.1f s (%@", $0, c.cause ?? "") } ?? "no alarm"
                if let at = c.alarmSeconds { alarm += c.downSeconds.map { String(format: ", down at %.1f s, %.1f s after)", $0, at - $0) } ?? ")" }
                let onset = (c.fallStartSeconds.map { String(format: ", onset %.1f s", $0) } ?? "")
                    + (c.landedSeconds.map { String(format: ", landed %.1f s", $0) } ?? "")
                lines.append("  \(c.clip) [\(c.label)\(onset)]: \(c.outcome), \(alarm)" + (fixed ? "" : "; \(c.settings)"))
            }
            lines.append(String(format: "  %d frames looked at (%.0f a second), %.1f ms each", f.framesAnalysed, f.rate, f.msPerFrame))
        }
        return lines.joined(separator: "\n")
    }
}

extension DeblockPolicy: ExpressibleByArgument {}

extension PeopleCountSource: ExpressibleByArgument {}
