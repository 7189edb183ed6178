import Foundation
import Worker

extension GroupWorker {
    /// Waits until each camera has analysed `frames` frames, or its clip has ended (the camera is
    /// waiting out its backoff) and nothing more was analysed for a second; at most `seconds`. On a
    /// busy test machine a camera may drop a frame, and then the count alone is never reached.
    func waitUntilPlayed(frames: Int, atMost seconds: Double = 40) async throws {
        let until = Date().addingTimeInterval(seconds)
        var counts = pipelines.map(\.framesAnalysed), changed = Date()
        while Date() < until {
            let now = pipelines.map(\.framesAnalysed)
            if now != counts { counts = now; changed = Date() }
            let settled = Date().timeIntervalSince(changed) >= 1
            let done = zip(pipelines, now).allSatisfy { pipeline, count in
                let ended = pipeline.ingestHealth.state == .backoff || pipeline.ingestHealth.reconnectsTotal > 0
                return count >= frames || (ended && settled)
            }
            if done { return }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
