import ArgumentParser
import Foundation
import Inference
import Media
import ModelStore
import Perception
import Worker

struct Detect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Find people and vehicles in a picture or a video frame with the learned detector (YOLOX-Nano).",
        discussion: """
        Needs ONNX Runtime's C library: scripts/install-deps.sh installs it, or set RETINA_ONNXRUNTIME.
        Needs Models/yolox-nano/yolox_nano.onnx, found like the crowd models (RETINA_MODELS moves it).
        Boxes are printed in 0…1 of the whole picture: x0 y0 x1 y1.

        Examples:
          retina detect Streams/pets-walk.mp4 --frame 100 --draw pets.jpg
          retina detect plaza.jpg --tiles 2x2 --json
          retina detect street.png --threads 2 --repeat 50    # timing
          retina detect fall.mp4 --frame 90 --pose --draw pose.jpg  # and the pose
        """
    )

    @Argument(help: ArgumentHelp("A picture (JPEG, PNG) or a video file.", valueName: "file"))
    var file: String

    @Option(name: .long, help: ArgumentHelp("The video frame to look at (0: the first).", valueName: "n"))
    var frame: Int = 0

    @Option(name: .long, help: ArgumentHelp("auto, 1 (the whole picture) or CxR overlapping tiles as well (e.g. 2x2).", valueName: "plan"))
    var tiles: TileSetting = .whole

    @Option(name: .long, help: ArgumentHelp("ONNX Runtime threads for one inference.", valueName: "n"))
    var threads: Int = 1

    @Option(name: .long, help: ArgumentHelp("Lowest score (objectness × class) reported.", valueName: "score"))
    var score: Float = 0.3

    @Option(name: .long, help: ArgumentHelp("Boxes of one class overlapping more than this (IoU) are one object.", valueName: "iou"))
    var iou: Double = 0.45

    @Option(name: .long, help: ArgumentHelp("Write the picture with the boxes drawn as a JPEG here.", valueName: "file"))
    var draw: String?

    @Option(name: .long, help: ArgumentHelp("Detect this many times, for timing (the first run warms up and is not counted).", valueName: "n"))
    var `repeat`: Int = 1

    @Flag(name: .long, help: "Print one JSON object: people, detections, inferenceMs.")
    var json = false

    @Flag(name: .long, help: "Also find the largest person's pose (BlazePose, Models/pose), as the fall detector does, and draw its skeleton.")
    var pose = false

    @OptionGroup var logOptions: LogOptions

    func validate() throws {
        guard frame >= 0 else { throw ValidationError("--frame must be 0 or more") }
        guard (1...64).contains(threads) else { throw ValidationError("--threads must be 1 to 64") }
        guard (1...10_000).contains(`repeat`) else { throw ValidationError("--repeat must be 1 to 10000") }
        guard (0...1).contains(score), (0...1).contains(iou) else { throw ValidationError("--score and --iou must be between 0 and 1") }
    }

    func run() async throws {
        logOptions.bootstrap()
        let (file, frame, threads) = (file, frame, threads)
        let picture = try await runOnThread { () throws(MediaError) in try PictureFile.read(file, frame: frame) }
        let settings = ObjectDetector.Settings(scoreThreshold: score, nmsIoU: iou, tiles: tiles)
        // Loading and inference block: loading on a thread of its own, inference on the executor's.
        let detector = try await runOnThread { () throws in try ObjectDetector.yoloxNano(threads: threads, settings: settings) }
        let executor = InferenceExecutor(threads: 1)
        var runs: [DetectionResult] = []
        do {
            for _ in 0..<`repeat` { runs.append(try await detector.detect(picture, on: executor)) }
        } catch { throw CLIError(error) }
        let result = runs[runs.count - 1]
        // The first run pays for ONNX Runtime's lazy set-up; with repeats, only the later ones are timed.
        let timed = Array(runs.dropFirst(runs.count > 1 ? 1 : 0).flatMap(\.inferenceSeconds))

        var found: Pose?
        if pose {
            let estimator = try await runOnThread { () throws in try PoseEstimator.shipped(threads: threads) }
            // The follower is made and used on the one thread (it keeps who it follows).
            found = try await runOnThread { () throws in try PoseFollower(detector: detector, estimator: estimator).follow(picture) }
        }
        print(json ? try DetectText.json(result, timed: timed)
                   : DetectText.render(result, timed: timed, file: file, width: picture.width, height: picture.height))
        if pose, !json { print(DetectText.render(found)) }
        if let draw {
            let drawnPose = found
            try await runOnThread { () throws(CLIError) in try DetectText.draw(result.detections, pose: drawnPose, on: picture, to: draw) }
            if !json { print("drawn:      \(draw)") }
        }
    }
}

extension TileSetting: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}

enum DetectText {
    static func render(_ r: DetectionResult, timed: [Double], file: String, width: Int, height: Int) -> String {
        let ms = timed.map { $0 * 1000 }
        var lines = [
            "picture:    \(file) (\(width)x\(height)), \(r.regions.count) region(s)",
            "people:     \(r.count(of: COCOClass.person))",
            String(format: "inference:  %.1f ms per 416 input (mean of %d, min %.1f, max %.1f)",
                   ms.reduce(0, +) / Double(max(1, ms.count)), ms.count, ms.min() ?? 0, ms.max() ?? 0),
        ]
        for d in r.detections {
            let name = d.className.padding(toLength: 12, withPad: " ", startingAt: 0)
            lines.append("  " + name + String(format: "%.2f  %.3f %.3f %.3f %.3f", d.score, d.box.x0, d.box.y0, d.box.x1, d.box.y1))
        }
        return lines.joined(separator: "\n")
    }

    static func json(_ r: DetectionResult, timed: [Double]) throws -> String {
        struct Item: Encodable { let `class`: String; let score: Double; let box: [Double] }
        struct Out: Encodable { let people: Int; let detections: [Item]; let inferenceMs: [Double] }
        let round = { (v: Double) in (v * 1000).rounded() / 1000 }
        let out = Out(people: r.count(of: COCOClass.person),
                      detections: r.detections.map { Item(class: $0.className, score: round(Double($0.score)),
                                                          box: [$0.box.x0, $0.box.y0, $0.box.x1, $0.box.y1].map(round)) },
                      inferenceMs: timed.map { (($0 * 1e4).rounded()) / 10 })
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return String(decoding: try e.encode(out), as: UTF8.self)
    }

    static func render(_ pose: Pose?) -> String {
        guard let pose else { return "pose:       nobody found (no person, or a pose score under 0.5)" }
        return String(format: "pose:       score %.2f, body %.0f° from upright, hips at (%.0f, %.0f), scale %.0f px",
                      pose.score, pose.lean, pose.next.centerX, pose.next.centerY, pose.scale)
    }

    /// The whole picture at full size with the boxes outlined (and the pose's skeleton), as a JPEG at `path`.
    static func draw(_ detections: [Detection], pose: Pose? = nil, on picture: DecodedPicture, to path: String) throws(CLIError) {
        guard var bgr = picture.pixels(.bgr, width: picture.width, height: picture.height) else { throw CLIError("cannot read the picture's pixels") }
        DetectionDrawing.draw(detections, on: &bgr, width: picture.width, height: picture.height)
        if let pose { PoseDrawing.draw(pose, on: &bgr, width: picture.width, height: picture.height) }
        guard let jpeg = PackedPicture.jpeg(bgr, layout: .bgr, width: picture.width, height: picture.height) else {
            throw CLIError("cannot encode \(path) as JPEG")
        }
        do { try jpeg.write(to: URL(fileURLWithPath: path)) } catch { throw CLIError("cannot write \(path): \(error.localizedDescription)") }
    }
}
