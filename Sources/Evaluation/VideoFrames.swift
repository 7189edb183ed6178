import Foundation
import Media
import Synchronization
import Vision
import Vocabulary

/// Every frame of a video file, in decoder output order, as analysis frames: the same decode and
/// scale path as a live camera (`CameraIngest`), without pacing, frame skipping or decode bursts.
public enum VideoFrames {
    /// Calls `body` with each frame's index and analysis frame on the calling thread (libav blocks:
    /// call this from a thread of its own, never from Swift's cooperative pool).
    public static func forEach(_ file: String, width: Int, threads: Int = 1, deblock: DeblockPolicy = .always,
                        _ body: (Int, AnalysisFrame, DecodedPicture?) -> Void) throws(EvaluationError) {
        let spec = IngestSpec(cameraId: "eval", url: StreamURL(file), options: OpenOptions(decoderThreads: threads),
                              analysisFps: 0, analysisWidth: width, settleSeconds: 0, pace: false,
                              skipNonReference: false, stopAtEnd: true, decodeBurst: 0, deblock: deblock)
        try withoutActuallyEscaping(body) { (body) throws(EvaluationError) in
            try run(spec, UncheckedBox(body))
        }
    }

    private static func run(_ spec: IngestSpec, _ callback: UncheckedBox<(Int, AnalysisFrame, DecodedPicture?) -> Void>) throws(EvaluationError) {
        let failure = Mutex<String?>(nil)
        // run() calls back on this thread, synchronously, so the non-Sendable body is safe to use.
        let ingest = CameraIngest(spec: spec, onState: { state, error in
            if state == .failed, let error { failure.withLock { $0 = error.description } }
        }, onFrame: { frame in
            let image = GrayImage(width: frame.width, height: frame.height, pixels: frame.pixels)
            callback.value(frame.index, AnalysisFrame(image: image, time: frame.time, streamTime: frame.streamTime,
                                                      segment: frame.segment, sourceWidth: frame.sourceWidth,
                                                      sourceHeight: frame.sourceHeight), frame.picture)
        })
        ingest.run()
        if let message = failure.withLock({ $0 }) { throw .video(message) }
    }
}

private final class UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
