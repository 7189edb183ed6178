import Foundation
import Perception
import Testing

/// MediaPipe's conventions for the pose region, which the landmark model was trained with: the
/// region turned so that the body stands upright in it, its points mapped back to the picture.
@Suite struct PoseGeometryTests {
    @Test func theRegionIsTurnedSoThatTheHeadIsUp() {
        let standing = PoseRegion.aligned(center: (100, 200), top: (100, 100))
        #expect(abs(standing.rotation) < 1e-9)
        #expect(abs(standing.size - 250) < 1e-9)  // twice the hip-to-top distance, × 1.25
        let headLeft = PoseRegion.aligned(center: (100, 200), top: (0, 200))
        #expect(abs(headLeft.rotation + Double.pi / 2) < 1e-9)
        let headRight = PoseRegion.aligned(center: (100, 200), top: (200, 200))
        #expect(abs(headRight.rotation - Double.pi / 2) < 1e-9)
        #expect(abs(abs(PoseRegion.aligned(center: (100, 200), top: (100, 300)).rotation) - Double.pi) < 1e-9)
    }

    @Test func aRegionsTopIsWhereTheHeadIs() {
        // Head to the left: the top middle of the region is left of its centre.
        let r = PoseRegion(centerX: 100, centerY: 100, size: 100, rotation: -Double.pi / 2)
        let top = r.picturePoint(u: 0.5, v: 0)
        #expect(abs(top.x - 50) < 1e-9 && abs(top.y - 100) < 1e-9)
        let upright = PoseRegion(centerX: 100, centerY: 100, size: 100, rotation: 0)
        let corner = upright.picturePoint(u: 0, v: 0)
        #expect(abs(corner.x - 50) < 1e-9 && abs(corner.y - 50) < 1e-9)
    }

    @Test func theCropShowsTheTurnedRegionAndBlackOutside() {
        // A 64×64 picture, black but for a red 8×8 square at its left middle (x 0–7, y 28–35).
        let w = 64, h = 64
        var bgr = [UInt8](repeating: 0, count: w * h * 3)
        for y in 28..<36 { for x in 0..<8 { bgr[(y * w + x) * 3 + 2] = 255 } }
        // Turned head-left, the square is at the top middle of a 16-pixel crop, in the red plane.
        let side = 16
        let crop = PoseEstimator.crop(bgr: bgr, width: w, height: h, region: PoseRegion(centerX: 32, centerY: 32, size: 64, rotation: -Double.pi / 2), side: side)
        #expect(crop[0 * side + 8] > 0.9 && crop[side * side + 0 * side + 8] == 0)  // red, not green
        #expect(crop[15 * side + 8] == 0)                                            // bottom middle: black
        // Not turned, it is at the left middle; a region half outside the picture is black there.
        let upright = PoseEstimator.crop(bgr: bgr, width: w, height: h, region: PoseRegion(centerX: 32, centerY: 32, size: 64, rotation: 0), side: side)
        #expect(upright[8 * side + 0] > 0.9)
        let outside = PoseEstimator.crop(bgr: bgr, width: w, height: h, region: PoseRegion(centerX: 0, centerY: 32, size: 64, rotation: 0), side: side)
        #expect(outside[8 * side + 0] == 0 && outside[8 * side + 8] > 0.9)
    }
}
