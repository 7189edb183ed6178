import Foundation
import SceneSynth
import Testing
import Vision

/// Motion anomalies on synthetic scenes whose motion is known: each test fails if the detector
/// misses the anomaly, is late, or raises one on normal motion or a light change.
@Suite struct MotionAnomalyTests {
    static let perspective = Perspective(samples: [.init(footY: 0, heightPx: 20), .init(footY: 216, heightPx: 60)])

    /// Runs the scene at its fps for `seconds`; returns each frame's detections and the detector.
    static func run(_ scene: SyntheticScene, seconds: Double, zones: [Zone] = [], start: Date = Date(timeIntervalSince1970: 0),
                    parameters: MotionAnomalyDetector.Parameters = .init(),
                    image: ((Int, GrayImage) -> GrayImage)? = nil) -> ([[Detection]], MotionAnomalyDetector) {
        let model = SceneModel(perspective: perspective)
        let detector = MotionAnomalyDetector(scene: model, zones: zones, parameters: parameters)
        let frames = Int(seconds * scene.fps)
        var out: [[Detection]] = []
        for i in 0..<frames {
            let t = scene.time(ofFrame: i)
            var picture = scene.render(frame: i)
            if let image { picture = image(i, picture) }
            out.append(detector.analyse(AnalysisFrame(image: picture, time: start.addingTimeInterval(t), streamTime: t, segment: 1,
                                                      sourceWidth: scene.width, sourceHeight: scene.height)))
        }
        return (out, detector)
    }

    /// A walker at row `y` moving at `heights` body heights per second, from `moveFrom` on.
    static func walker(x: Double, y: Double, heights: Double, direction: Double = 1, moveFrom: Double = 0, moveUntil: Double = .infinity, intensity: UInt8 = 40) -> Figure {
        Figure(x: x, y: y, vx: direction * heights * perspective.personHeight(atRow: y), intensity: intensity,
               moveFrom: moveFrom, moveUntil: moveUntil)
    }

    static func kinds(_ frames: [[Detection]]) -> [String] { frames.flatMap { $0.map(\.kind) } }

    @Test func walkingIsNormal() {
        // Four people walking at 0.8 body heights per second for 12 s, near and far.
        let scene = SyntheticScene(figures: [Self.walker(x: 20, y: 200, heights: 0.8), Self.walker(x: 360, y: 150, heights: 0.8, direction: -1),
                                             Self.walker(x: 40, y: 100, heights: 0.9), Self.walker(x: 300, y: 70, heights: 0.7, direction: -1)])
        let (frames, _) = Self.run(scene, seconds: 12)
        #expect(Self.kinds(frames).isEmpty, "events on normal walking: \(Self.kinds(frames))")
    }

    @Test func runningIsDetectedWithinASecond() {
        // Three people stand, then break into a run (3.5 body heights/s) at t = 6 s. Near the camera
        // that is 31–40 px an analysed frame: about what the flow's five-level pyramid follows (four
        // levels followed 2.4; faster still, its vectors do not come back and running is the tracks'
        // to see).
        let figures = [Self.walker(x: 60, y: 200, heights: 3.5, moveFrom: 6), Self.walker(x: 90, y: 170, heights: 3.5, moveFrom: 6),
                       Self.walker(x: 320, y: 130, heights: 3.5, direction: -1, moveFrom: 6)]
        let scene = SyntheticScene(figures: figures)
        let (frames, _) = Self.run(scene, seconds: 9)
        let first = frames.firstIndex { $0.contains { $0.subtype == "running" } }
        #expect(first != nil, "running not detected")
        if let first {
            let latency = scene.time(ofFrame: first) - 6
            #expect(latency >= 0 && latency <= 1, "detected \(latency) s after onset")
        }
        #expect(!frames.prefix(30).contains { !$0.isEmpty }, "an event before anyone ran")
    }

    @Test func itsFlowSaysHowARegionMovedAndNothingWhereNothingDid() throws {
        // A walker at 1.5 body heights a second (90 px/s at row 200) on a 384×216 picture, 5 frames a second.
        let scene = SyntheticScene(figures: [Self.walker(x: 40, y: 200, heights: 1.5)])
        let (_, detector) = Self.run(scene, seconds: 2)
        let flow = try #require(detector.lastFlow)
        #expect(abs(flow.dt - 0.2) < 1e-9 && flow.width == 384 && flow.height == 216)
        // Where the walker was a frame ago (the flow's points are at the earlier frame).
        let at = scene.figures[0].position(at: scene.time(ofFrame: 9))
        let v = try #require(flow.velocity(x0: (at.x - 10) / 384, y0: (at.y - 50) / 216, x1: (at.x + 10) / 384, y1: (at.y - 5) / 216))
        #expect(abs(v.x * 384 - 90) < 15 && abs(v.y * 216) < 10, "\(v.x * 384), \(v.y * 216) px/s")
        // The empty top right of the picture: no measurement, not zero.
        #expect(flow.velocity(x0: 0.7, y0: 0, x1: 1, y1: 0.3) == nil)
    }

    @Test func runningMeansTheSameNearAndFar() {
        // One group running far away (small figures): speeds are in body heights, so it still runs.
        let far = SyntheticScene(figures: [Self.walker(x: 40, y: 60, heights: 3, moveFrom: 4), Self.walker(x: 60, y: 75, heights: 3, moveFrom: 4),
                                           Self.walker(x: 20, y: 70, heights: 3, moveFrom: 4)])
        #expect(Self.kinds(Self.run(far, seconds: 7).0).contains("running"))
        // Near walkers cover more pixels per second than far runners, yet walk.
        let near = SyntheticScene(figures: [Self.walker(x: 20, y: 210, heights: 0.9), Self.walker(x: 60, y: 205, heights: 0.9)])
        #expect(!Self.kinds(Self.run(near, seconds: 7).0).contains("running"))
    }

    @Test func lightChangesAreNotAnomalies() {
        // Walkers under a cloud (slow dimming), an auto-exposure step and an IR-like contrast switch.
        let scene = SyntheticScene(figures: [Self.walker(x: 20, y: 190, heights: 0.8), Self.walker(x: 360, y: 120, heights: 0.8, direction: -1)],
                                   brightness: { t in t < 4 ? -8 * t : (t < 8 ? -32 : 25) })
        let (frames, _) = Self.run(scene, seconds: 14) { i, image in
            guard i >= 50 else { return image }  // from 10 s on: contrast squeezed like an IR switch
            return GrayImage(width: image.width, height: image.height, pixels: image.pixels.map { UInt8(40 + Int($0) * 6 / 10) })
        }
        #expect(Self.kinds(frames).isEmpty, "events on light changes: \(Self.kinds(frames))")
    }

    @Test func cameraShakeIsNotAnAnomaly() {
        // Walkers, and from 4 s to 9 s the whole picture jerks by up to 7 px a frame (a pole in the
        // wind). Stronger shake is not compensated yet: see the issue notes.
        let scene = SyntheticScene(figures: [Self.walker(x: 20, y: 190, heights: 0.8), Self.walker(x: 360, y: 120, heights: 0.8, direction: -1)])
        let offsets = [0, 3, -2, 4, -3, 1, -4, 2]
        let (frames, _) = Self.run(scene, seconds: 12) { i, image in
            guard (20..<45).contains(i) else { return image }
            let dx = offsets[i % offsets.count], dy = offsets[(i + 3) % offsets.count] / 2
            var pixels = [UInt8](repeating: 0, count: image.pixels.count)
            for y in 0..<image.height {
                for x in 0..<image.width {
                    let sx = min(max(x + dx, 0), image.width - 1), sy = min(max(y + dy, 0), image.height - 1)
                    pixels[y * image.width + x] = image.pixels[sy * image.width + sx]
                }
            }
            return GrayImage(width: image.width, height: image.height, pixels: pixels)
        }
        #expect(Self.kinds(frames).isEmpty, "events on camera shake: \(Self.kinds(frames))")
    }

    @Test func aCoveredLensIsTampering() {
        let scene = SyntheticScene(figures: [Self.walker(x: 20, y: 190, heights: 0.8)])
        let (frames, _) = Self.run(scene, seconds: 12) { i, image in
            i >= 30 ? GrayImage(width: image.width, height: image.height, fill: 22) : image
        }
        let tampered = frames.enumerated().filter { $0.element.contains { $0.type == "camera.tampered" } }.map(\.offset)
        #expect(tampered.count == 1, "tamper reports at frames \(tampered)")
        if let f = tampered.first { #expect(f >= 30 + 14 && f <= 30 + 25) }  // after tamperSeconds (3 s) of cover
    }

    @Test func counterFlowAgainstTheLearnedDirection() throws {
        // A steady stream to the right along the same rows (a person every second, 80 s), then one
        // person walks left through it.
        var figures: [Figure] = []
        for k in 0..<80 {
            let row = [120.0, 150.0, 180.0][k % 3]
            figures.append(Self.walker(x: -10, y: row, heights: 0.9, moveFrom: Double(k)))
        }
        figures.append(Self.walker(x: 394, y: 150, heights: 0.9, direction: -1, moveFrom: 80))
        let scene = SyntheticScene(width: 384, height: 216, fps: 5, figures: figures)
        // A short learning time keeps the test quick: each cell of the rows sees ~20 s of motion.
        var parameters = MotionAnomalyDetector.Parameters()
        parameters.minCellMotionSeconds = 10
        let (frames, _) = Self.run(scene, seconds: 92, parameters: parameters)
        let counter = frames.enumerated().filter { $0.element.contains { $0.subtype == "counter_flow" } }.map(\.offset)
        #expect(!counter.isEmpty, "counter-flow not detected")
        #expect(counter.allSatisfy { $0 >= 80 * 5 }, "counter-flow before the person came: \(counter.prefix(5))")
        // The event's box is around the walker (48 px tall at row 150), not the stream's rows.
        let walker = scene.figures[scene.figures.count - 1]
        for f in counter {
            let region = try #require(frames[f].first { $0.subtype == "counter_flow" }?.region)
            let at = walker.position(at: scene.time(ofFrame: f))
            #expect(region.width <= 96 && region.height <= 96 && abs(Double(region.x) + Double(region.width) / 2 - at.x) <= 48,
                    "frame \(f): \(region), the walker at \(at)")
        }
    }

    @Test func suddenDispersal() {
        // Eight people stand together, then run outward in all directions at t = 5 s.
        let cx = 192.0, cy = 150.0
        let figures = (0..<8).map { k -> Figure in
            let a = Double(k) / 8 * 2 * Double.pi
            let h = Self.perspective.personHeight(atRow: cy)
            return Figure(x: cx + 18 * cos(a), y: cy + 12 * sin(a), vx: 2.2 * h * cos(a), vy: 1.2 * h * sin(a), moveFrom: 5)
        }
        let (frames, _) = Self.run(SyntheticScene(figures: figures), seconds: 7)
        let kinds = Self.kinds(frames)
        #expect(kinds.contains("dispersal"), "got \(kinds)")
    }

    @Test func intrusionOnlyWithinTheSchedule() throws {
        let zone = { (schedule: DailySchedule?) in
            Zone(id: "fence", polygon: [Point(x: 250, y: 100), Point(x: 384, y: 100), Point(x: 384, y: 216), Point(x: 250, y: 216)],
                 kind: .forbidden, schedule: schedule)
        }
        let scene = SyntheticScene(figures: [Self.walker(x: 100, y: 180, heights: 0.8)])  // reaches x = 250 after ~4 s
        let utc = TimeZone(identifier: "UTC")!
        let night = try DailySchedule.parse("22:00-06:00", timeZone: utc).get()
        let at = { (hour: Double) in Date(timeIntervalSince1970: hour * 3600) }  // 1970-01-01, UTC
        let inside = Self.kinds(Self.run(scene, seconds: 10, zones: [zone(night)], start: at(23)).0)
        #expect(inside.contains("intrusion"))
        let outside = Self.kinds(Self.run(scene, seconds: 10, zones: [zone(night)], start: at(12)).0)
        #expect(!outside.contains("intrusion"))
        #expect((try? DailySchedule.parse("25:00-06:00").get()) == nil)
    }

    @Test func loiteringAfterTheLimit() {
        let zone = Zone(id: "atm", polygon: [Point(x: 40, y: 120), Point(x: 200, y: 120), Point(x: 200, y: 216), Point(x: 40, y: 216)],
                        loiterSeconds: 8)
        // Walks in at t = 4 s (after the warm-up), then stays: foreground is presence.
        let scene = SyntheticScene(figures: [Self.walker(x: 0, y: 190, heights: 0.8, moveFrom: 4, moveUntil: 6)])
        let (frames, _) = Self.run(scene, seconds: 20, zones: [zone])
        let loiter = frames.enumerated().filter { $0.element.contains { $0.subtype == "loitering" } }.map(\.offset)
        #expect(loiter.count == 1, "loitering reported at \(loiter)")
        if let f = loiter.first { #expect(Double(f) / 5 >= 4 + 8 && Double(f) / 5 <= 4 + 8 + 3, "at \(Double(f) / 5) s") }
    }
}
