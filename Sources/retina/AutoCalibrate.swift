import ArgumentParser
import Evaluation
import Foundation
import Inference
import Media
import ModelStore
import Perception
import Vision
import Worker

/// `retina calibrate --auto`: a camera's perspective from its own detections, no labels. Looks at
/// frames spread over the source, fits person height against foot row (`PerspectiveFit`), writes
/// the `perspective:` lines for the camera's scene and a PNG with the people and the fitted heights
/// drawn, for an engineer to check by eye.
struct AutoCalibrate {
    var source: String
    var frames: Int
    var every: Int
    var out: String?
    var draw: String?

    func run() async throws {
        FFmpegLog.set(.quiet)
        // A dataset folder stands for its video.
        let video = StillDataset.isStill(source) ? nil : FileManager.default.fileExists(atPath: (source as NSString).appendingPathComponent("video.mp4"))
            ? (source as NSString).appendingPathComponent("video.mp4") : source
        guard let video else { throw ValidationError("\(source) is a folder of still pictures: --auto needs a camera's video or stream") }
        let folder = video == source ? "." : source
        let yamlPath = out ?? (folder as NSString).appendingPathComponent("perspective.yaml")
        let pngPath = draw ?? ((yamlPath as NSString).deletingPathExtension + ".png")
        let (frames, every) = (frames, every)
        let showProgress = isatty(2) != 0
        let result = try await runOnThread { () throws -> (PerspectiveFit, [Perception.Detection], DecodedPicture, Int) in
            let detector = try ObjectDetector.yoloxNano(settings: .init(scoreThreshold: 0.5, classes: [COCOClass.person]))
            var people: [(top: Double, bottom: Double)] = [], best: ([Perception.Detection], DecodedPicture)?, looked = 0
            var failure: (any Error)?
            // One pass over the video: every `every`th frame, at most `frames` of them.
            do {
                try PictureFile.forEach(video, every: every, limit: frames) { _, picture in
                    guard failure == nil else { return }
                    do {
                        let found = try detector.detect(picture).detections
                        let h = Double(picture.height)
                        people += found.map { (top: $0.box.y0 * h, bottom: $0.box.y1 * h) }
                        if found.count >= (best?.0.count ?? -1) { best = (found, picture) }
                        looked += 1
                        if showProgress { FileHandle.standardError.write(Data("\rframes: \(looked)/\(frames), people: \(people.count)".utf8)) }
                    } catch { failure = error }
                }
            } catch { throw CLIError("\(video): \(error)") }
            if let failure { throw CLIError("\(video): \(failure)") }
            if showProgress { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            guard let best else { throw CLIError("\(video): no frame could be read") }
            do {
                return (try PerspectiveFit.fit(people: people, pictureHeight: Double(best.1.height)), best.0, best.1, looked)
            } catch { throw CLIError("\(video): no perspective from \(looked) frames: \(error)") }
        }
        let (fit, people, picture, looked) = result
        let lo = fit.footRange.lowerBound, hi = fit.footRange.upperBound
        let yaml = """
        # retina calibrate --auto: fitted on \(fit.used) people the detector found in \(looked) frames of \(video)
        # (\(fit.rejected) left out as outliers); a standing person whose feet are at row footY is heightPx tall.
        perspective:
          - {footY: \(Int(lo.rounded())), heightPx: \(Int(fit.perspective.personHeight(atRow: lo).rounded()))}
          - {footY: \(Int(hi.rounded())), heightPx: \(Int(fit.perspective.personHeight(atRow: hi).rounded()))}

        """
        do { try yaml.write(toFile: yamlPath, atomically: true, encoding: .utf8) } catch { throw CLIError("cannot write \(yamlPath): \(error.localizedDescription)") }
        try await runOnThread { () throws(CLIError) in try Self.drawFit(fit, people: people, on: picture, to: pngPath) }
        print(yaml, terminator: "")
        print("wrote \(yamlPath) and \(pngPath) (people green; the fitted height of a person standing at each row, blue)")
    }

    /// The frame with the most people: their boxes, and bars of the fitted height at five foot rows.
    static func drawFit(_ fit: PerspectiveFit, people: [Perception.Detection], on picture: DecodedPicture, to path: String) throws(CLIError) {
        let w = picture.width, h = picture.height
        guard var bgr = picture.pixels(.bgr, width: w, height: h) else { throw CLIError("cannot read the picture's pixels") }
        DetectionDrawing.draw(people, on: &bgr, width: w, height: h)
        let rows = (0..<5).map { fit.footRange.lowerBound + Double($0) / 4 * (fit.footRange.upperBound - fit.footRange.lowerBound) }
        let bars = rows.enumerated().map { i, y in
            let x = Double(w) * (0.1 + 0.2 * Double(i)), height = fit.perspective.personHeight(atRow: y)
            return Perception.Detection(classIndex: -1, score: 1, box: Box(x0: x / Double(w), y0: max(0, y - height) / Double(h), x1: (x + 4) / Double(w), y1: y / Double(h)))
        }
        DetectionDrawing.draw(bars, on: &bgr, width: w, height: h, thickness: 3)
        guard let png = PackedPicture.png(bgr, layout: .bgr, width: w, height: h) else { throw CLIError("cannot encode \(path) as PNG") }
        do { try png.write(to: URL(fileURLWithPath: path)) } catch { throw CLIError("cannot write \(path): \(error.localizedDescription)") }
    }
}
