import Foundation
import RetinaTestSupport
import Testing

/// `retina calibrate --auto` on real footage (PETS 2009 in ../shared/data): the perspective from the
/// camera's own detections, with the sign the detector takes for a person left out of the fit.
@Suite struct CalibrateAutoTests {
    static let video = TrackCommandTests.video

    @Test(.disabled(if: !FileManager.default.fileExists(atPath: video), "needs ../shared/data/pets2009-s2l1/video.mp4 (run ../shared/data/get.sh)"))
    func thePerspectiveComesFromThePeopleAndTheSignIsLeftOut() throws {
        let dir = Fixtures.temporaryDirectory("retina-calibrate-auto")
        let run = try Fixtures.run(ProcessLifecycleTests.retina, ["calibrate", "--auto", Self.video, "--out", dir + "/p.yaml"])
        try #require(run.status == 0, "\(run.output)")
        // The sign by the top-left corner (found as a person on nearly every look, never moving).
        #expect(run.output.contains("left out of the fit: 1 place(s)"), "\(run.output)")
        let yaml = try String(contentsOfFile: dir + "/p.yaml", encoding: .utf8)
        let lines = yaml.split(separator: "\n").filter { $0.contains("- {footY") }.map { $0.split(whereSeparator: { !$0.isNumber }).compactMap { Double($0) } }
        try #require(lines.count == 2, "\(yaml)")
        // People by the far path are about 35 px tall, those on the near grass about 115 (drawn and looked at).
        #expect(lines[0][0] < 120 && abs(lines[0][1] - 36) < 8, "\(lines)")
        #expect(lines[1][0] > 380 && abs(lines[1][1] - 118) < 15, "\(lines)")
        let png = try Data(contentsOf: URL(fileURLWithPath: dir + "/p.png"))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
    }
}
