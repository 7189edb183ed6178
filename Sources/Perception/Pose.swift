import Foundation

/// One of BlazePose's 33 body landmarks, in picture pixels.
public struct PoseLandmark: Sendable, Equatable {
    public var x, y: Double
    /// How likely the point is in view and not hidden (0…1).
    public var visibility: Double

    public init(x: Double, y: Double, visibility: Double) {
        self.x = x
        self.y = y
        self.visibility = visibility
    }
}

/// A person's pose: BlazePose's 33 landmarks (`Pose.Part` names the ones Retina reads), the model's
/// confidence that a person is there, and the region it was found in.
public struct Pose: Sendable {
    public enum Part: Int, CaseIterable, Sendable {
        case nose = 0
        case leftShoulder = 11, rightShoulder = 12
        case leftHip = 23, rightHip = 24
        case leftKnee = 25, rightKnee = 26
        case leftAnkle = 27, rightAnkle = 28
    }

    public static let landmarkCount = 33
    public var landmarks: [PoseLandmark]
    public var score: Double
    /// Where the model looked (the next frame looks where this pose says: `next`).
    public var region: PoseRegion
    /// Where to look on the next frame: from the model's hip-centre and alignment points.
    public var next: PoseRegion

    public init(landmarks: [PoseLandmark], score: Double, region: PoseRegion, next: PoseRegion) {
        self.landmarks = landmarks
        self.score = score
        self.region = region
        self.next = next
    }

    public subscript(_ part: Part) -> PoseLandmark { landmarks[part.rawValue] }

    /// The body's axis (hip centre → above the head) from upright, degrees: 0 standing, 90 lying.
    public var lean: Double { abs(PoseRegion.normalised(next.rotation)) * 180 / Double.pi }

    /// The body's scale: the distance from the hip centre to above the head, pixels.
    public var scale: Double { next.size / (2 * PoseRegion.alignedScale) }

    /// The midpoint of two landmarks.
    public func mid(_ a: Part, _ b: Part) -> (x: Double, y: Double) {
        ((self[a].x + self[b].x) / 2, (self[a].y + self[b].y) / 2)
    }
}

/// A square of the picture, turned by `rotation` (radians, clockwise on the screen) so that the
/// person in it stands upright: what the landmark model is shown. MediaPipe's convention: a
/// rotation of 0 for a standing person, −π/2 for a person lying with the head to the left.
public struct PoseRegion: Sendable, Equatable {
    public var centerX, centerY: Double
    public var size: Double
    public var rotation: Double

    public init(centerX: Double, centerY: Double, size: Double, rotation: Double) {
        self.centerX = centerX
        self.centerY = centerY
        self.size = size
        self.rotation = rotation
    }

    /// Around a detected person's box (picture pixels), not turned: the detector's boxes are of
    /// people whatever their posture, and the first landmark pass turns the region.
    public static func around(_ box: Box, scale: Double = 1.25) -> PoseRegion {
        PoseRegion(centerX: (box.x0 + box.x1) / 2, centerY: (box.y0 + box.y1) / 2,
                   size: max(box.width, box.height) * scale, rotation: 0)
    }

    /// How much wider than twice the alignment points' distance an aligned region is (MediaPipe's).
    public static let alignedScale = 1.25

    /// MediaPipe's region from two alignment points (picture pixels): centred on `center`, twice
    /// their distance wide times `alignedScale`, turned so that `center` → `top` points up.
    public static func aligned(center: (x: Double, y: Double), top: (x: Double, y: Double)) -> PoseRegion {
        let dx = top.x - center.x, dy = top.y - center.y
        return PoseRegion(centerX: center.x, centerY: center.y, size: 2 * (dx * dx + dy * dy).squareRoot() * alignedScale,
                          rotation: normalised(Double.pi / 2 - atan2(-dy, dx)))
    }

    /// The angle in −π…π.
    public static func normalised(_ angle: Double) -> Double {
        angle - 2 * Double.pi * ((angle + Double.pi) / (2 * Double.pi)).rounded(.down)
    }

    /// The picture point of a point of the region given in 0…1 of its side (0.5, 0.5: the centre).
    public func picturePoint(u: Double, v: Double) -> (x: Double, y: Double) {
        let a = (u - 0.5) * size, b = (v - 0.5) * size
        let c = cos(rotation), s = sin(rotation)
        return (centerX + a * c - b * s, centerY + a * s + b * c)
    }
}
