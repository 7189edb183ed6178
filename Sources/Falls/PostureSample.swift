import Foundation
import Perception

/// What the fall decision reads of one pose: how far the body leans from upright and where its
/// hips are, measured against the body's own size so the camera's distance and resolution do not
/// matter. Nil samples are frames where nobody was found.
public struct PostureSample: Sendable, Equatable {
    /// Stream time, seconds.
    public var time: Double
    /// The body's axis (hip centre → above the head) from upright, degrees: 0 standing, 90 lying.
    public var lean: Double
    /// The hip centre's picture column and row, pixels.
    public var hipX: Double
    public var hipY: Double
    /// The body's scale: the distance from the hip centre to above the head, pixels.
    public var scale: Double

    public init(time: Double, lean: Double, hipX: Double = 0, hipY: Double, scale: Double) {
        self.time = time
        self.lean = lean
        self.hipX = hipX
        self.hipY = hipY
        self.scale = scale
    }

    /// From a pose: its next region is MediaPipe's body axis (hip centre and alignment point).
    public init(_ pose: Pose, at time: Double) {
        self.init(time: time, lean: pose.lean, hipX: pose.next.centerX, hipY: pose.next.centerY, scale: pose.scale)
    }
}
