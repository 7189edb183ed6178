import Foundation
import RetinaConfig
import Testing

/// Issue 15: values `retina config check` used to pass that fail (or misbehave) only once the
/// worker runs. Each is refused with its file, line, key and what was expected.
@Suite struct ConfigRefusalTests {
    func issues(_ yaml: String, baseDirectory: String = "") -> [String] {
        do {
            _ = try ConfigLoader.parse(yaml, file: "c.yaml", baseDirectory: baseDirectory)
            return []
        } catch {
            return error.issues.map(\.description)
        }
    }

    static let camera = "cameras:\n  - {id: a, url: a.mp4}\n"

    @Test(arguments: [
        ("store: mysql://x\n" + camera, "c.yaml:1:", "store: expected sqlite:PATH, a file path ending in .db or .sqlite, or a postgres:// URL, got 'mysql://x'"),
        ("store: postgres://retina:pw@db/retina?sslmode=bogus\n" + camera, "c.yaml:1:", "store: sslmode must be disable, prefer or require, got 'bogus'"),
        ("store: postgres://db/retina?schema=a-b\n" + camera, "c.yaml:1:", "store: schema must be letters, digits and _, got 'a-b'"),
        ("store: postgres://db/retina?sslrootcert=ca.pem\n" + camera, "c.yaml:1:", "store: unknown parameter 'sslrootcert'; the store reads schema, sslmode"),
        ("store: postgres://db:99999/retina\n" + camera, "c.yaml:1:", "store: the port must be between 1 and 65535, got 99999"),
        ("store: postgres:///retina\n" + camera, "c.yaml:1:", "store: expected postgres://host[:port]/database[?schema=NAME&sslmode=MODE] (user[:password]@ before the host), got 'postgres:///retina'"),
        ("store: 'sqlite:'\n" + camera, "c.yaml:1:", "store: expected sqlite:PATH"),
        ("cameras:\n  - {id: a, url: 'rtsp://admin:pw@[bad'}\n", "c.yaml:2:",
         "cameras[0].url: expected scheme://host[:port]/path (user:password@ before the host), got 'rtsp://admin:***@[bad' (an IPv6 address needs its closing ']')"),
        ("cameras:\n  - {id: a, url: 'rtsp://10.0.0.5:99999/live'}\n", "c.yaml:2:", "cameras[0].url: the port must be between 1 and 65535, got 99999"),
        ("cameras:\n  - {id: a, url: 'http://10.0.0.5:0/live'}\n", "c.yaml:2:", "cameras[0].url: the port must be between 1 and 65535, got 0"),
        ("cameras:\n  - {id: a, url: 'rtsp://:554/live'}\n", "c.yaml:2:", "cameras[0].url: expected scheme://host[:port]/path (user:password@ before the host), got 'rtsp://:554/live' (no host)"),
        ("cameras:\n  - {id: a, url: 'rtsp://cam 5/live'}\n", "c.yaml:2:", "(a space or control character: percent-encode it)"),
        ("cameras:\n  - {id: a, url: a.mp4, zones: [{id: z, polygon: [[0, 0], [10, 10], [20, 20]]}]}\n", "c.yaml:2:",
         "cameras[0].zones[0].polygon: encloses no area"),
        ("cameras:\n  - {id: a, url: a.mp4, zones: [{id: z, polygon: [[0, 0], [0, 0], [10, 0], [10, 0]]}]}\n", "c.yaml:2:",
         "cameras[0].zones[0].polygon: needs at least 3 distinct points, got 2"),
        ("defaults: {offlineAfter: 0s}\n" + camera, "c.yaml:1:", "defaults.offlineAfter: must be more than 0 s"),
        ("cameras:\n  - {id: a, url: a.mp4, offlineAfter: 0}\n", "c.yaml:2:", "cameras[0].offlineAfter: must be more than 0 s"),
        ("cameras:\n  - {id: a, url: a.mp4, backoff: [0s, 0s]}\n", "c.yaml:2:", "cameras[0].backoff: the last delay repeats and must be more than 0 s"),
    ])
    func isRefusedWithItsLocation(yaml: String, location: String, expected: String) {
        let found = issues(yaml)
        #expect(found.contains { $0.hasPrefix(location) && $0.contains(expected) }, "got: \(found)")
    }

    @Test(arguments: [
        "sqlite:/var/lib/retina/events.db", "sqlite:events.db", "sqlite:///var/lib/retina/events.db", "/var/lib/retina/events.sqlite",
        "postgres://db/retina", "postgresql://retina:pw@db.example:5433/retina?schema=site_7&sslmode=require",
    ])
    func storesTheEventStoreOpensAreAccepted(store: String) {
        #expect(issues("store: '\(store)'\n" + Self.camera) == [])
    }

    @Test(arguments: [
        "rtsp://admin:p@ss@10.0.0.5:554/Streaming/Channels/101", "rtsps://[fe80::1%25eth0]:322/live", "http://cam.local/video.mjpg",
        "rtsp://10.0.0.5", "https://user@cam.example/stream?channel=1#x",
    ])
    func cameraURLsLibavOpensAreAccepted(url: String) {
        #expect(issues("cameras:\n  - {id: a, url: '\(url)'}\n") == [])
    }

    @Test func aZoneWithAreaIsAccepted() {
        #expect(issues("cameras:\n  - {id: a, url: a.mp4, zones: [{id: z, polygon: [[0, 0], [2, 0], [0, 2], [0, 0]]}]}\n") == [])
    }

    @Test func theCrowdModelMustExistBesideTheConfiguration() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("retina-model-\(UUID())").path
        try FileManager.default.createDirectory(atPath: dir + "/models", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data("{}".utf8).write(to: URL(fileURLWithPath: dir + "/models/gate.json"))

        #expect(issues("defaults: {crowd: {model: models/gate.json}}\n" + Self.camera, baseDirectory: dir) == [])
        let missing = issues("cameras:\n  - {id: a, url: a.mp4, crowd: {model: models/lobby.json}}\n", baseDirectory: dir)
        #expect(missing.contains { $0.hasPrefix("c.yaml:2:") && $0.contains("cameras[0].crowd.model: no such file: \(dir)/models/lobby.json") },
                "got: \(missing)")
        let folder = issues("cameras:\n  - {id: a, url: a.mp4, crowd: {model: models}}\n", baseDirectory: dir)
        #expect(folder.contains { $0.contains("cameras[0].crowd.model: is a folder, expected a model file") }, "got: \(folder)")
    }
}
