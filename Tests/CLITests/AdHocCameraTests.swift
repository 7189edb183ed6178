import Foundation
import RetinaConfig
import Testing
@testable import retina

/// `retina run --camera ID=URL`: cameras built directly, checked as a file's cameras are.
@Suite struct AdHocCameraTests {
    @Test func camerasAreThoseOfTheSameListInAFile() throws {
        let run = try Run.parse(["--camera", "gate=rtsp://admin:secret@10.0.0.5/stream1", "--camera", "lobby=lobby.mp4"])
        let (configuration, text) = try run.loadConfiguration()
        #expect(text == nil)
        let yaml = """
        cameras:
          - {id: gate, url: "rtsp://admin:secret@10.0.0.5/stream1", group: adhoc}
          - {id: lobby, url: lobby.mp4, group: adhoc}
        """
        let file = try ConfigLoader.parse(yaml, file: "--camera", baseDirectory: FileManager.default.currentDirectoryPath)
        #expect(configuration == file)
        #expect(configuration.cameras.map(\.url) == ["rtsp://admin:secret@10.0.0.5/stream1",
                                                     FileManager.default.currentDirectoryPath + "/lobby.mp4"])
    }

    @Test(arguments: [
        ("gate=ftp://admin:secret@cam/1", "--camera: gate url: unsupported scheme 'ftp://' — use rtsp://, http(s):// or a file path"),
        ("bad id=x.mp4", "--camera: #1 id: 'bad id' may only contain letters, digits, '-', '_' and '.'"),
        ("gate", "--camera expects ID=URL, got 'gate'"),
        ("=x.mp4", "--camera expects ID=URL, got '=x.mp4'"),
    ])
    func aBadCameraIsRefusedAsInAFile(_ spec: String, _ message: String) throws {
        let run = try Run.parse(["--camera", spec])
        let error = try #require(throws: CLIError.self) { try run.loadConfiguration() }
        #expect(error.description == message)
        #expect(!error.description.contains("secret"))
    }

    @Test func anIdGivenTwiceIsRefused() throws {
        let run = try Run.parse(["--camera", "a=x.mp4", "--camera", "a=y.mp4"])
        let error = try #require(throws: CLIError.self) { try run.loadConfiguration() }
        #expect(error.description == "--camera: #2 id: camera id 'a' is already used by #1")
    }
}
