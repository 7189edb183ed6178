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
        let result = try await runOnThread { () throws -> (PerspectiveFit, [Perception.Detection], [Box], DecodedPicture, Int) in
            // People from the counting threshold (what the camera would learn lookalikes from); the
            // fit takes the sure ones.
            let detector = try ObjectDetector.yoloxNano(settings: .init(classes: [COCOClass.person]))
            var found: [[Perception.Detection]] = [], best: (index: Int, picture: DecodedPicture)?, looked = 0, total = 0
            // What the camera would learn is no person (a sign, a cone) stays out of the fit.
            var lookalikes = StillLookalikes(settings: Self.lookalikeSettings)
            var failure: (any Error)?
            // One pass over the video: every `every`th frame, at most `frames` of them.
            do {
                try PictureFile.forEach(video, every: every, limit: frames) { _, time, picture in
                    guard failure == nil else { return }
                    do {
                        let all = try detector.detect(picture).detections
                        _ = lookalikes.filter(all, at: time, picture: picture)
                        let people = all.filter { $0.score >= Self.fitScore }
                        if people.count >= (best.map { found[$0.index].count } ?? -1) { best = (found.count, picture) }
                        found.append(people)
                        looked += 1
                        total += people.count
                        if showProgress { FileHandle.standardError.write(Data("\rframes: \(looked)/\(frames), people: \(total)".utf8)) }
                    } catch { failure = error }
                }
            } catch { throw CLIError("\(video): \(error)") }
            if let failure { throw CLIError("\(video): \(failure)") }
            if showProgress { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            guard let best else { throw CLIError("\(video): no frame could be read") }
            let still = lookalikes.lookalikes
            let isPerson = { (d: Perception.Detection) in !still.contains { $0.iou(d.box) >= Self.lookalikeSettings.sameIoU } }
            let h = Double(best.picture.height)
            let people = found.flatMap { $0.filter(isPerson) }.map { (top: $0.box.y0 * h, bottom: $0.box.y1 * h) }
            do {
                return (try PerspectiveFit.fit(people: people, pictureHeight: h), found[best.index].filter(isPerson), still, best.picture, looked)
            } catch { throw CLIError("\(video): no perspective from \(looked) frames: \(error)") }
        }
        let (fit, people, lookalikes, picture, looked) = result
        let lo = fit.footRange.lowerBound, hi = fit.footRange.upperBound
        let yaml = """
        # retina calibrate --auto: fitted on \(fit.used) people the detector found in \(looked) frames of \(video)
        # (\(fit.rejected) left out as outliers); a standing person whose feet are at row footY is heightPx tall.
        perspective:
          - {footY: \(Int(lo.rounded())), heightPx: \(Int(fit.perspective.personHeight(atRow: lo).rounded()))}
          - {footY: \(Int(hi.rounded())), heightPx: \(Int(fit.perspective.personHeight(atRow: hi).rounded()))}

        """
        do { try yaml.write(toFile: yamlPath, atomically: true, encoding: .utf8) } catch { throw CLIError("cannot write \(yamlPath): \(error.localizedDescription)") }
        try await runOnThread { () throws(CLIError) in try Self.drawFit(fit, people: people, lookalikes: lookalikes, on: picture, to: pngPath) }
        print(yaml, terminator: "")
        if !lookalikes.isEmpty {
            print("left out of the fit: \(lookalikes.count) place(s) where a still \"person\" was found on most looks (a sign, a cone; red), as the camera leaves them out of its counts")
        }
        print("wrote \(yamlPath) and \(pngPath) (people green; the fitted height of a person standing at each row, blue\(lookalikes.isEmpty ? "" : "; still lookalikes, red"))")
    }

    /// Detections sure enough to fit the perspective on.
    static let fitScore: Float = 0.5

    /// A recording looked at once a second or so for a minute: a place still on most of its looks
    /// for 10 s is a lookalike here (a camera running live takes 30 s, `StillLookalikes.Settings`).
    static let lookalikeSettings: StillLookalikes.Settings = {
        var s = StillLookalikes.Settings()
        s.learnSeconds = 10
        return s
    }()

    /// The frame with the most people: their boxes, the still lookalikes left out, and bars of the
    /// fitted height at five foot rows.
    static func drawFit(_ fit: PerspectiveFit, people: [Perception.Detection], lookalikes: [Box], on picture: DecodedPicture, to path: String) throws(CLIError) {
        let w = picture.width, h = picture.height
        guard var bgr = picture.pixels(.bgr, width: w, height: h) else { throw CLIError("cannot read the picture's pixels") }
        DetectionDrawing.draw(people, on: &bgr, width: w, height: h)
        DetectionDrawing.draw(lookalikes.map { Perception.Detection(classIndex: COCOClass.person, score: 1, box: $0) }, on: &bgr, width: w, height: h,
                              colour: DetectionDrawing.leftOut)
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
