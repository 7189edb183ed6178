import Foundation
import RetinaConfig
import Testing
import Vocabulary

@Suite struct ConfigLoaderTests {
    let valid = """
    store: sqlite:/var/lib/retina/events.db
    defaults:
      analysis: {fps: 4, width: 320}
      stallTimeout: 3s
      backoff: [250ms, 1s, 1m]
    groups:
      - {id: compound-7, name: Compound 7}
      - {id: mall}
    cameras:
      - id: gate-1
        name: North gate
        url: rtsp://admin:secret@10.0.0.5/Streaming/Channels/101
        group: compound-7
        deviceId: "31011500001320000001"
        location: {lat: 31.23, lon: 121.47, address: 7 North Road}
        transport: udp
        zones:
          - id: plaza
            polygon: [[0, 0], [1280, 0], [1280, 720], [0, 720]]
            areaM2: 150
          - {id: roof, kind: forbidden, polygon: [[0, 0], [100, 0], [100, 100]]}
        perspective:
          - {footY: 105, heightPx: 35}
          - {footY: 365, heightPx: 90}
      - id: atrium
        url: videos/atrium.mp4
        group: mall
        analysis: {fps: 10}
        motion: {cooldown: 1m, pixelThreshold: 25}
    """

    @Test func readsAValidFileWithDefaultsApplied() throws {
        let c = try ConfigLoader.parse(valid, file: "cameras.yaml", baseDirectory: "/etc/retina")
        #expect(c.store == "sqlite:/var/lib/retina/events.db")
        #expect(c.groups.map(\.id) == ["compound-7", "mall"])
        #expect(c.cameras.count == 2)
        let gate = c.cameras[0]
        #expect(gate.stream.transport == .udp)
        #expect(gate.stream.analysisFps == 4 && gate.stream.analysisWidth == 320)
        #expect(gate.stream.stallTimeout == 3)
        #expect(gate.stream.backoff == [0.25, 1, 60])
        #expect(gate.zones.map(\.id) == ["plaza", "roof"] && gate.zones[1].kind == .forbidden)
        #expect(gate.zones[0].areaM2 == 150)
        #expect(gate.perspective.count == 2)
        #expect(gate.location?.lat == 31.23)
        let atrium = c.cameras[1]
        #expect(atrium.url == "/etc/retina/videos/atrium.mp4")  // relative to the config file
        #expect(atrium.stream.analysisFps == 10 && atrium.stream.analysisWidth == 320)
        #expect(atrium.motion.cooldown == 60 && atrium.motion.pixelThreshold == 25)
        #expect(c.cameras(inGroup: "mall").map(\.id) == ["atrium"])
    }

    func issues(_ yaml: String) -> [ConfigIssue] {
        do {
            _ = try ConfigLoader.parse(yaml, file: "cameras.yaml")
            return []
        } catch {
            return error.issues
        }
    }

    @Test func everyProblemIsReportedWithItsLineAndKey() {
        let found = issues("""
        cameras:
          - id: gate-1
            urll: rtsp://10.0.0.5/live
            group: compound-7
          - id: gate-1
            url: ftp://10.0.0.6/live
            deviceId: "1234"
            analysis: {fps: fast}
        groups:
          - id: compound-8
        """)
        let text = found.map(\.description)
        #expect(text.contains { $0.hasPrefix("cameras.yaml:3:") && $0.contains("cameras[0].urll: unknown key (did you mean 'url'?)") })
        #expect(text.contains { $0.contains("cameras[0].url: is required") })
        #expect(text.contains { $0.hasPrefix("cameras.yaml:4:") && $0.contains("group 'compound-7' is not declared under groups (declared: compound-8)") })
        #expect(text.contains { $0.hasPrefix("cameras.yaml:5:") && $0.contains("camera id 'gate-1' is already used by cameras[0]") })
        #expect(text.contains { $0.hasPrefix("cameras.yaml:6:") && $0.contains("unsupported scheme 'ftp://'") })
        #expect(text.contains { $0.hasPrefix("cameras.yaml:7:") && $0.contains("20 digits, got '1234'") })
        #expect(text.contains { $0.hasPrefix("cameras.yaml:8:") && $0.contains("cameras[1].analysis.fps: expected a number, got 'fast'") })
    }

    @Test(arguments: [
        ("cameras: []", "lists no camera"),
        ("store: x", "cameras: is required"),
        ("cameras:\n  - {id: a, url: a.mp4, stallTimeout: soon}", "expected a duration such as 500ms, 10s or 2m, got 'soon'"),
        ("cameras:\n  - {id: a, url: a.mp4, transport: sctp}", "expected tcp or udp, got 'sctp'"),
        ("cameras:\n  - {id: 'a b', url: a.mp4}", "may only contain letters"),
        ("cameras:\n  - {id: a, url: a.mp4, zones: [{id: z, polygon: [[0, 0], [1, 1]]}]}", "at least 3 points"),
        ("cameras:\n  - {id: a, url: a.mp4, perspective: [{footY: 10, heightPx: 20}]}", "at least two rows"),
        ("cameras:\n  - {id: a, url: a.mp4, analysis: {fps: 500}}", "must be between 0.1 and 60, got 500"),
        ("cameras: [\n", "not valid YAML"),
        ("- just\n- a list", "expected a mapping"),
    ])
    func badValuesSayWhatWasExpected(yaml: String, expected: String) {
        let found = issues(yaml)
        #expect(found.contains { $0.description.contains(expected) }, "got: \(found)")
    }

    @Test func decoderThreadsDefaultToOnePerCameraAndAreChecked() throws {
        let c = try ConfigLoader.parse("defaults: {decoderThreads: 0}\ncameras:\n  - {id: a, url: a.mp4}\n  - {id: b, url: b.mp4, decoderThreads: 2}\n",
                                       file: "c.yaml", baseDirectory: "/x")
        #expect(c.cameras.map(\.stream.decoderThreads) == [0, 2])
        #expect(try ConfigLoader.parse("cameras:\n  - {id: a, url: a.mp4}\n", file: "c.yaml").cameras[0].stream.decoderThreads == 1)
        #expect(throws: ConfigError.self) { try ConfigLoader.parse("cameras:\n  - {id: a, url: a.mp4, decoderThreads: -1}\n", file: "c.yaml") }
    }

    @Test func deblockDefaultsToAutoAndIsChecked() throws {
        let c = try ConfigLoader.parse("defaults: {deblock: always}\ncameras:\n  - {id: a, url: a.mp4}\n  - {id: b, url: b.mp4, deblock: Keyframes}\n",
                                       file: "c.yaml")
        #expect(c.cameras.map(\.stream.deblock) == [.always, .keyframes])
        #expect(try ConfigLoader.parse("cameras:\n  - {id: a, url: a.mp4}\n", file: "c.yaml").cameras[0].stream.deblock == .auto)
        let error = #expect(throws: ConfigError.self) { try ConfigLoader.parse("cameras:\n  - {id: a, url: a.mp4, deblock: sometimes}\n", file: "c.yaml") }
        #expect("\(error!)".contains("expected always, auto or keyframes, got 'sometimes'"), "\(error!)")
    }

    @Test func decodeBurstDefaultsTo200msAndIsChecked() throws {
        let c = try ConfigLoader.parse("defaults: {decodeBurst: 0}\ncameras:\n  - {id: a, url: a.mp4}\n  - {id: b, url: b.mp4, decodeBurst: 500ms}\n",
                                       file: "c.yaml", baseDirectory: "/x")
        #expect(c.cameras.map(\.stream.decodeBurst) == [0, 0.5])
        #expect(try ConfigLoader.parse("cameras:\n  - {id: a, url: a.mp4}\n", file: "c.yaml").cameras[0].stream.decodeBurst == 0.2)
        #expect(throws: ConfigError.self) { try ConfigLoader.parse("cameras:\n  - {id: a, url: a.mp4, decodeBurst: 5s}\n", file: "c.yaml") }
    }

    @Test func theEmbeddedDemoIsValid() {
        let demo = DemoConfig.load()
        #expect(demo.cameras.map(\.id) == ["pets-walk", "plaza-synthetic"])
        #expect(demo.cameras.allSatisfy { $0.url.hasPrefix("rtsp://127.0.0.1:8554/") })
    }

    @Test func aMissingFileIsAClearError() {
        #expect(throws: ConfigError.self) { _ = try ConfigLoader.load(path: "/nonexistent/cameras.yaml") }
    }
}

/// The detectors' settings: crowd levels, schedules and models, with located errors.
@Suite struct DetectorConfigTests {
    @Test func readsCrowdAndAnomalySettings() throws {
        let yaml = """
        evidence: /var/lib/retina/evidence
        defaults:
          crowd: {dwell: 20s, cooldown: 3m}
        cameras:
          - id: gate
            url: rtsp://10.0.0.5/s1
            crowd: {model: models/gate.json, updateEvery: 10s}
            anomaly: {runningSpeed: 2, minRunningPersons: 1.5}
            zones:
              - {id: plaza, polygon: [[0, 0], [10, 0], [10, 10]], areaM2: 50, thresholds: {blue: 1, yellow: 2, orange: 3, red: 4}}
              - {id: queue, polygon: [[0, 0], [10, 0], [10, 10]], countThresholds: {blue: 5, yellow: 10, orange: 15, red: 20}, loiterSeconds: 2m}
              - {id: roof, kind: forbidden, schedule: "22:00-06:00", polygon: [[0, 0], [10, 0], [10, 10]]}
        """
        // The model must exist, beside the configuration.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("retina-detectors-\(UUID())").path
        try FileManager.default.createDirectory(atPath: dir + "/models", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data("{}".utf8).write(to: URL(fileURLWithPath: dir + "/models/gate.json"))
        let c = try ConfigLoader.parse(yaml, file: "c.yaml", baseDirectory: dir)
        let cam = try #require(c.cameras.first)
        #expect(c.evidence == "/var/lib/retina/evidence")
        #expect(cam.crowd.dwell == 20 && cam.crowd.cooldown == 180 && cam.crowd.updateEvery == 10)
        #expect(cam.crowd.model == dir + "/models/gate.json")
        #expect(cam.anomaly.runningSpeed == 2 && cam.anomaly.minRunningPersons == 1.5)
        #expect(cam.zones[0].densityThresholds == [1, 2, 3, 4])
        #expect(cam.zones[1].countThresholds == [5, 10, 15, 20] && cam.zones[1].loiterSeconds == 120)
        #expect(cam.zones[2].schedule == "22:00-06:00")
    }

    @Test func badLevelsAndSchedulesAreLocated() {
        let yaml = """
        cameras:
          - id: gate
            url: rtsp://10.0.0.5/s1
            zones:
              - {id: a, polygon: [[0, 0], [10, 0], [10, 10]], thresholds: {blue: 1, yellow: 2, orange: 3, red: 4}}
              - {id: b, polygon: [[0, 0], [10, 0], [10, 10]], countThresholds: {blue: 5, yellow: 4, orange: 15, red: 20}}
              - {id: c, kind: forbidden, schedule: "25:00-06:00", polygon: [[0, 0], [10, 0], [10, 10]]}
        """
        do {
            _ = try ConfigLoader.parse(yaml, file: "c.yaml")
            Issue.record("accepted an invalid file")
        } catch {
            let text = error.description
            #expect(text.contains("c.yaml:5:") && text.contains("need the zone's areaM2"), "\(text)")
            #expect(text.contains("c.yaml:6:") && text.contains("levels must rise"), "\(text)")
            #expect(text.contains("c.yaml:7:") && text.contains("'25:00-06:00' is not a daily window"), "\(text)")
        }
    }
}

/// Event clips: `evidence: {dir, clips}` for every camera, a camera's `clips:` over it.
@Suite struct ClipConfigTests {
    @Test func clipSettingsHaveDefaultsAndCameraOverrides() throws {
        let plain = try ConfigLoader.parse("evidence: ev\ncameras:\n  - {id: a, url: a.mp4}", file: "c.yaml", baseDirectory: "/etc/retina")
        #expect(plain.evidence == "/etc/retina/ev")
        #expect(plain.cameras[0].clips == ClipSettings(enabled: true, pre: 10, post: 10, ring: nil, maxBytes: 64_000_000))
        // Without `ring`, the ring keeps what a clip needs: its pre-event seconds and the slack for the event to open.
        #expect(plain.cameras[0].clips.ringSeconds == 20)
        let longer = try ConfigLoader.parse("evidence: {dir: ev, clips: {pre: 40s}}\ncameras:\n  - {id: a, url: a.mp4}", file: "c.yaml")
        #expect(longer.cameras[0].clips.ringSeconds == 50)

        let yaml = """
        evidence:
          dir: /var/lib/retina/evidence
          clips: {pre: 5s, post: 15s, ring: 20s, maxBytes: 32MB}
        cameras:
          - {id: gate, url: rtsp://10.0.0.5/s1}
          - {id: lobby, url: rtsp://10.0.0.6/s1, clips: {post: 1m, maxBytes: 100MiB}}
          - {id: car-park, url: rtsp://10.0.0.7/s1, clips: {enabled: false}}
        """
        let c = try ConfigLoader.parse(yaml, file: "c.yaml")
        #expect(c.evidence == "/var/lib/retina/evidence")
        #expect(c.clips == ClipSettings(pre: 5, post: 15, ring: 20, maxBytes: 32_000_000))
        #expect(c.cameras[0].clips == c.clips)
        #expect(c.cameras[1].clips == ClipSettings(pre: 5, post: 60, ring: 20, maxBytes: 100 * 1_048_576))
        #expect(c.cameras[1].clips.ringSeconds == 20)
        #expect(c.cameras[2].clips.enabled == false && c.cameras[2].clips.pre == 5)
    }

    @Test func badClipSettingsAreLocated() {
        let yaml = """
        evidence:
          dir: ev
          clips:
            pre: 40s
            post: soon
            ring: 30s
            maxBytes: lots
            length: 10s
        cameras:
          - {id: a, url: a.mp4, clips: {maxBytes: 10KB}}
        """
        do {
            _ = try ConfigLoader.parse(yaml, file: "c.yaml")
            Issue.record("accepted an invalid file")
        } catch {
            let text = error.description
            #expect(text.contains("c.yaml:5:") && text.contains("evidence.clips.post: expected a duration such as 500ms, 10s or 2m, got 'soon'"), "\(text)")
            #expect(text.contains("c.yaml:6:") && text.contains("evidence.clips.ring: the ring (30 s) must hold at least the pre-event seconds (40 s)"), "\(text)")
            #expect(text.contains("c.yaml:7:") && text.contains("evidence.clips.maxBytes: expected a size such as 512KB, 64MB or 1GB, got 'lots'"), "\(text)")
            #expect(text.contains("c.yaml:8:") && text.contains("evidence.clips.length: unknown key"), "\(text)")
            #expect(text.contains("c.yaml:10:") && text.contains("cameras[0].clips.maxBytes: must be between"), "\(text)")
        }
        let notAMapping = """
        evidence: {dir: ev, clips: [10s]}
        cameras:
          - {id: a, url: a.mp4}
        """
        do {
            _ = try ConfigLoader.parse(notAMapping, file: "c.yaml")
            Issue.record("accepted an invalid file")
        } catch {
            #expect(error.description.contains("c.yaml:1:") && error.description.contains("evidence.clips: expected a mapping"), "\(error)")
        }
    }
}
