import Vocabulary

/// A picture a detector can read: its size, and any rectangle of it scaled to a requested size as
/// packed 8-bit BGR (`width × 3` bytes a row). Media's decoded pictures conform (in Worker), so
/// Perception never sees FFmpeg. Calls may be CPU work of milliseconds: make them off the
/// cooperative pool (the detector runs on an `InferenceExecutor`).
public protocol BGRPixelSource: Sendable {
    var width: Int { get }
    var height: Int { get }
    /// `crop` (in the picture's pixels) scaled to `width`×`height`, or nil when it cannot be made.
    func bgrPixels(width: Int, height: Int, crop: PictureRect) -> [UInt8]?
}
