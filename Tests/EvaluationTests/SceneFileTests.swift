import Evaluation
import Foundation
import RetinaTestSupport
import Testing
import Vision

/// A dataset's scene.yaml: zones with their kind and loitering limit, refused with the reason.
@Suite struct SceneFileTests {
    static func scene(_ text: String) -> String {
        let dir = Fixtures.temporaryDirectory("retina-scene")
        try? text.write(toFile: dir + "/scene.yaml", atomically: true, encoding: .utf8)
        return dir + "/scene.yaml"
    }

    @Test func forbiddenZonesAndLoiteringLimitsAreRead() throws {
        let (zones, perspective) = try Dataset.loadScene(Self.scene("""
        zones:
          - {id: crossing, kind: forbidden, polygon: [[300,200],[560,200],[560,290]]}
          - {id: road, loiterSeconds: 8, polygon: [[460,140],[700,140],[700,260]]}
        """))
        #expect(zones.map(\.id) == ["crossing", "road"])
        #expect(zones[0].kind == .forbidden && zones[0].loiterSeconds == nil)
        #expect(zones[1].kind == .watch && zones[1].loiterSeconds == 8)
        #expect(perspective == nil)
    }

    @Test func aMistypedKindOrANonPositiveLimitIsRefused() {
        for (text, reason) in [
            ("zones:\n  - {id: a, kind: forbiden, polygon: [[0,0],[1,0],[1,1]]}\n", "zones[0].kind must be watch or forbidden"),
            ("zones:\n  - {id: a, loiterSeconds: 0, polygon: [[0,0],[1,0],[1,1]]}\n", "zones[0].loiterSeconds must be a number of seconds above 0"),
            ("zones:\n  - {id: a, loiterSeconds: soon, polygon: [[0,0],[1,0],[1,1]]}\n", "zones[0].loiterSeconds must be a number of seconds above 0"),
        ] {
            #expect(throws: (any Error).self) { try Dataset.loadScene(Self.scene(text)) }
            do { _ = try Dataset.loadScene(Self.scene(text)) } catch { #expect("\(error)".contains(reason), "\(error)") }
        }
    }
}
