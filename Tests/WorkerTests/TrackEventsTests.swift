import Foundation
import Perception
import RetinaConfig
import Testing
import Tracking
import Vision
@testable import Worker

/// The flow detector's running is left out where the camera follows the people it is about and the
/// flow says none of them runs (pixels at the edge of a sign someone walks behind); where it follows
/// nobody there, or someone there runs, it stands.
@Suite struct TrackEventsTests {
    /// A camera whose one person (box 0.2–0.3 × 0.4–0.7 of a 400×300 picture) was seen on a pass at
    /// 0 s and whose pixels the flow measured at `speed` box heights a second on the frames after.
    static func following(speed: Double) throws -> TrackEvents {
        let camera = try ConfigLoader.parse("cameras:\n  - {id: a, url: a.mp4}\n", file: "c.yaml").cameras[0]
        var events = TrackEvents(camera: camera, zones: [])
        let person = Perception.Detection(classIndex: COCOClass.person, score: 0.9, box: Box(x0: 0.2, y0: 0.4, x1: 0.3, y1: 0.7))
        _ = events.pass([person], segment: 1, time: 0, date: Date(), width: 400, height: 300)
        for k in 1...3 {
            let t = Double(k) / 5
            // Points inside the person's box as it moves right at `speed` heights (0.3 of the picture) a second.
            let x0 = 0.2 + speed * 0.3 * 0.75 * (t - 0.2)
            var vectors: [PyramidalFlow.Vector] = []
            for y in stride(from: 124, to: 208, by: 8) {
                for x in stride(from: Int(x0 * 400) + 4, to: Int((x0 + 0.1) * 400), by: 8) {
                    vectors.append(.init(x: x, y: y, dx: Float(speed * 90 * 0.2), dy: 0))
                }
            }
            events.carry(FlowField(width: 400, height: 300, dt: 0.2, time: t, vectors: vectors), segment: 1)
        }
        return events
    }

    @Test func aRunningBlobOnAWalkerIsLeftOutAndOnARunnerItStands() throws {
        let region = PixelRect(x: 70, y: 120, width: 60, height: 80)
        #expect(try Self.following(speed: 0.8).followsWithoutRunners(region, at: 0.6, width: 400, height: 300))
        // The runner, 162 px further right by now (where the flow carried his box), in a blob from where he was.
        #expect(try !Self.following(speed: 3).followsWithoutRunners(PixelRect(x: 70, y: 120, width: 240, height: 90), at: 0.6, width: 400, height: 300))
        // Where nobody is followed, the flow detector decides alone.
        #expect(try !Self.following(speed: 0.8).followsWithoutRunners(PixelRect(x: 300, y: 20, width: 40, height: 40), at: 0.6, width: 400, height: 300))
        // A measure older than a tenth of a second says nothing about now.
        #expect(try !Self.following(speed: 0.8).followsWithoutRunners(region, at: 2, width: 400, height: 300))
    }
}
