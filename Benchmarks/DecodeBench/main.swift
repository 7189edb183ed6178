// Decode + scale + a no-op detector over a file, as fast as the machine goes: the cost of Retina's
// ingest path, to be compared with `ffmpeg -threads N -i FILE -f null -` (Benchmarks/decode.sh).
//
//   DecodeBench FILE [--threads N] [--analysis-fps F] [--width W]
//
// --analysis-fps 0 (the default) scales and analyses every frame, like-for-like with ffmpeg;
// a lower rate lets the decoder skip non-reference frames, as a camera worker does.
import Foundation
import Logging
import Media
import Synchronization
import Vision
import Vocabulary

final class NoOpDetector: Detector {
    let name = "no-op"
    var checksum = 0
    func analyse(_ frame: AnalysisFrame) -> [Detection] {
        // Touch the frame so nothing is optimised away.
        checksum &+= Int(frame.image.pixels[frame.image.pixels.count / 2])
        return []
    }
}

var args = Array(CommandLine.arguments.dropFirst())
@MainActor func option(_ name: String, _ fallback: Double) -> Double {
    guard let i = args.firstIndex(of: name), i + 1 < args.count, let v = Double(args[i + 1]) else { return fallback }
    args.removeSubrange(i...(i + 1))
    return v
}
let threads = Int(option("--threads", 1))
let analysisFps = option("--analysis-fps", 0)
let width = Int(option("--width", 384))
guard let file = args.first else {
    FileHandle.standardError.write(Data("usage: DecodeBench FILE [--threads N] [--analysis-fps F] [--width W]\n".utf8))
    exit(2)
}
FFmpegLog.set(.errors)
LoggingSystem.bootstrap { label in
    var h = StreamLogHandler.standardError(label: label)
    h.logLevel = .warning
    return h
}

let analysed = Atomic<Int>(0)
let detector = Mutex(NoOpDetector())
let spec = IngestSpec(cameraId: "bench", url: StreamURL(file), options: OpenOptions(decoderThreads: threads),
                      analysisFps: analysisFps, analysisWidth: width, pace: false,
                      skipNonReference: analysisFps > 0 ? nil : false, stopAtEnd: true, decodeBurst: 0, deblock: .always)
let failure = Mutex<String?>(nil)
let ingest = CameraIngest(spec: spec, onState: { state, error in
    if state == .failed, let error { failure.withLock { $0 = error.description } }
}, onFrame: { frame in
    let input = AnalysisFrame(image: GrayImage(width: frame.width, height: frame.height, pixels: frame.pixels), time: frame.time,
                              streamTime: frame.streamTime, segment: frame.segment, sourceWidth: frame.sourceWidth, sourceHeight: frame.sourceHeight)
    _ = detector.withLock { $0.analyse(input) }
    analysed.add(1, ordering: .relaxed)
})
let start = DispatchTime.now().uptimeNanoseconds
ingest.run()
let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
if let message = failure.withLock({ $0 }) {
    FileHandle.standardError.write(Data("DecodeBench: \(message)\n".utf8))
    exit(1)
}
let h = ingest.health.snapshot
print(String(format: "decoded %d frames, analysed %d, in %.3f s: %.1f decoded fps, %.1f analysed fps (threads %d, analysis fps %@)",
             h.framesDecoded, analysed.load(ordering: .relaxed), seconds, Double(h.framesDecoded) / seconds,
             Double(analysed.load(ordering: .relaxed)) / seconds, threads, analysisFps > 0 ? String(analysisFps) : "all"))
