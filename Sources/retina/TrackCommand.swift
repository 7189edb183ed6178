import ArgumentParser
import Evaluation
import Foundation
import Media
import Perception
import Tracking
import Behaviour
import Vision

/// `retina track`: the people tracker of the camera pipeline run over a video file, its tracks
/// written in the MOTChallenge layout, so that a tracking benchmark (Benchmarks/tracking.sh,
/// py-motmetrics) scores exactly what the worker follows.
struct TrackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "track",
        abstract: "Follow the people in a video with the learned detector and the tracker; write the tracks as CSV.",
        discussion: """
        Runs YOLOX-Nano on every --every'th frame and the camera pipeline's tracker
        (ByteTrack-style, buffered IoU) on its detections (with --flow-every, fed
        the optical flow in between, as a camera's flow detector feeds it; with
        --look-closer also on a crop where the flow moves and nobody is followed,
        as a camera with CPU to spare does), and writes one row per
        followed person per looked-at frame (confirmed tracks seen on that frame):
          frame,id,x,y,w,h,score    pixels of the video; frames from 0, decode order
        --detections: every detection the tracker was given, so that another
        tracker can be scored on the same input:
          frame,class,x,y,w,h,score
        --scene reads zones as in a dataset's scene.yaml (kind: forbidden,
        loiterSeconds: N); --events writes the intrusions and loitering in them
        as the worker raises them (id: the track's; seconds: time in the zone):
          frame,kind,zone,id,seconds

        Examples:
          retina track ../shared/data/pets2009-s2l1/video.mp4 --out tracks.csv
          retina track walkway.mp4 --every 4 --out t.csv --detections d.csv
          retina track lobby.mp4 --every 10 --scene lobby.yaml --events ev.csv
          retina track lobby.mp4 --every 10 --flow-every 2 --out t.csv
          retina track lobby.mp4 --every 10 --flow-every 2 --look-closer --out t.csv
        """
    )

    @Argument(help: ArgumentHelp("A video file.", valueName: "video"))
    var video: String

    @Option(name: .long, help: ArgumentHelp("Look at every n'th frame (1: all; a camera at 1 pass a second on 10 fps video: 10).", valueName: "n"))
    var every: Int = 1

    @Option(name: .long, help: ArgumentHelp("Measure the optical flow on every n'th frame, as a camera's flow detector does at its analysis rate (a 10 fps video at the worker's 5 fps: 2): it measures the tracks' speed and finds a track the detector's boxes lost where its pixels went. Default: boxes alone.", valueName: "n"))
    var flowEvery: Int?

    @Flag(name: .long, help: "Each look also looks closer at a crop where the flow moves and no one followed explains it, as a camera does with CPU to spare (perception.lookCloser); its finds go to the tracker only. Needs --flow-every.")
    var lookCloser = false

    @Option(name: .long, help: ArgumentHelp("Stop after the video's first n frames (default: all).", valueName: "n"))
    var frames: Int?

    @Option(name: .long, help: ArgumentHelp("Write the tracks here (- for standard output).", valueName: "file"))
    var out: String = "-"

    @Option(name: .long, help: ArgumentHelp("Also write the detections given to the tracker here.", valueName: "file"))
    var detections: String?

    @Option(name: .long, help: ArgumentHelp("ONNX Runtime threads for one inference.", valueName: "n"))
    var threads: Int = 1

    @Option(name: .long, help: ArgumentHelp("Zones to watch (a dataset's scene.yaml: forbidden ones, loiterSeconds).", valueName: "file"))
    var scene: String?

    @Option(name: .long, help: ArgumentHelp("Write the intrusions and loitering in the --scene's zones here.", valueName: "file"))
    var events: String?

    @OptionGroup var logOptions: LogOptions

    func validate() throws {
        guard (1...1000).contains(every) else { throw ValidationError("--every must be 1 to 1000") }
        if let flowEvery, !(1...every).contains(flowEvery) { throw ValidationError("--flow-every must be 1 to --every (\(every)): the flow is measured at least as often as the detector looks") }
        if lookCloser, flowEvery == nil { throw ValidationError("--look-closer needs --flow-every: the crop is where the flow moves") }
        guard (1...64).contains(threads) else { throw ValidationError("--threads must be 1 to 64") }
        if let frames, frames < 1 { throw ValidationError("--frames must be 1 or more") }
        if (scene == nil) != (events == nil) { throw ValidationError("--scene and --events go together") }
        guard FileManager.default.isReadableFile(atPath: video) else { throw ValidationError("cannot read \(video)") }
    }

    func run() async throws {
        logOptions.bootstrap()
        FFmpegLog.set(.quiet)
        let (video, every, threads, limit, flowEvery, lookCloser) = (video, every, threads, frames ?? Int.max, flowEvery, lookCloser)
        var zones: [Zone] = []
        if let scene {
            do { zones = try Dataset.loadScene(scene).0 } catch { throw CLIError(error) }
        }
        // Loading, decoding and inference block: each on a thread of its own, never the cooperative pool.
        let detector = try await BehaviourClipAnalyser.trackingDetector(threads: threads)
        let shown = isatty(2) != 0
        let (tracks, given, raised) = try await runOnThread { [zones] () throws -> (String, String, String) in
            var tracksCSV = "frame,id,x,y,w,h,score\n", detectionsCSV = "frame,class,x,y,w,h,score\n", eventsCSV = "frame,kind,zone,id,seconds\n"
            // The worker's tracker and zone watch, made for the gap between looked-at frames (known
            // at the second one); the learned behaviours only learn here (no normal period).
            var behaviours: TrackedBehaviours?
            var first: (index: Int, t: Double, found: [Perception.Detection], width: Int, height: Int)?
            func pass(_ index: Int, _ t: Double, _ found: [Perception.Detection], _ width: Int, _ height: Int) {
                let (w, h) = (Double(width), Double(height))
                for d in found where MultiObjectTracker.kind(of: d.classIndex) != .other {
                    detectionsCSV += Self.row(index, d.classIndex, d.box, w, h, d.score)
                }
                let outcome = behaviours!.pass(found, at: t, width: width, height: height, learning: true)
                for track in behaviours!.tracker.tracks where track.kind == .person && track.state == .confirmed && track.lastSeen == t {
                    tracksCSV += Self.row(index, track.id, track.box, w, h, track.score)
                }
                for event in outcome.zones {
                    eventsCSV += "\(index),\(event.kind.rawValue),\(event.zone),\(event.trackId)," + String(format: "%.1f\n", event.seconds)
                }
            }
            var failure: Error?
            var looked = 0
            // The camera's flow detector, on the frames it would analyse; its flow reaches the tracks
            // once they exist (from the second looked-at frame).
            let motion = flowEvery.map { _ in MotionAnomalyDetector(scene: SceneModel(perspective: nil)) }
            try VideoFrames.forEach(video, width: 384) { index, frame, picture in
                guard failure == nil, index < limit else { return }
                if let motion, let flowEvery, index % flowEvery == 0 {
                    _ = motion.analyse(frame)
                    if behaviours != nil, let flow = motion.lastFlow { behaviours!.carry(flow) }
                }
                guard index % every == 0, let picture else { return }
                do {
                    // Where the camera would look closer: the last measured flow, past the tracks it has.
                    let focus = lookCloser ? motion?.lastFlow.flatMap { flow in behaviours.map { $0.focus(flow) } ?? MotionFocus.region(flow, tracks: []) } : nil
                    let found = try detector.detect(picture, focus: focus).forTracking
                    let t = frame.streamTime
                    if behaviours == nil, let f = first {
                        behaviours = TrackedBehaviours(passGap: t - f.t, zones: zones)
                        pass(f.index, f.t, f.found, f.width, f.height)
                    }
                    if behaviours == nil { first = (index, t, found, picture.width, picture.height) }
                    else { pass(index, t, found, picture.width, picture.height) }
                    looked += 1
                    if shown, looked % 10 == 0 { FileHandle.standardError.write(Data("\rframes: \(index + 1)".utf8)) }
                } catch { failure = error }
            }
            if behaviours == nil, let f = first {
                behaviours = TrackedBehaviours(passGap: 0, zones: zones)
                pass(f.index, f.t, f.found, f.width, f.height)
            }
            if shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            if let failure { throw CLIError(failure) }
            return (tracksCSV, detectionsCSV, eventsCSV)
        }
        try write(tracks, to: out)
        if let detections { try write(given, to: detections) }
        if let events { try write(raised, to: events) }
    }

    private static func row(_ frame: Int, _ id: Int, _ box: Box, _ w: Double, _ h: Double, _ score: Float) -> String {
        let x0 = max(0, box.x0) * w, y0 = max(0, box.y0) * h, x1 = min(1, box.x1) * w, y1 = min(1, box.y1) * h
        return String(format: "%d,%d,%.1f,%.1f,%.1f,%.1f,%.3f\n", frame, id, x0, y0, x1 - x0, y1 - y0, score)
    }

    private func write(_ text: String, to path: String) throws {
        if path == "-" { FileHandle.standardOutput.write(Data(text.utf8)); return }
        do { try text.write(toFile: path, atomically: true, encoding: .utf8) } catch {
            throw ValidationError("cannot write \(path): \(error.localizedDescription)")
        }
    }
}
