/// Where a camera's ingest loop is: reported by the media layer, stored as the camera's health,
/// shown by the office and `retina status`.
public enum CameraState: String, Sendable, Codable, CaseIterable {
    /// Opening the stream (or reopening it after an outage).
    case connecting
    /// Frames are arriving and being decoded.
    case streaming
    /// The stream stopped delivering data within the stall deadline; a reconnect follows.
    case stalled
    /// Waiting before the next connection attempt after a transient failure.
    case backoff
    /// The last attempt failed in a way a retry will not fix (credentials, path, codec); retried
    /// slowly, and the state stays `failed` through those retries until one streams.
    case failed
    /// The ingest loop was stopped.
    case stopped
}
