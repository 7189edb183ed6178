import Foundation
import ModelStore
import Testing

/// Where `Models/crowd-generic.json` is looked for, and that the checkout's copy is found.
@Suite struct ModelFilesTests {
    @Test func foldersInOrderEnvironmentWorkingFolderBesideTheExecutableAndItsCheckout() {
        let folders = ModelFiles.searchFolders(environment: ["RETINA_MODELS": "/opt/models"],
                                               executable: "/src/retina/.build-root/x86_64-unknown-linux-gnu/debug/retina")
        #expect(folders == ["/opt/models", "Models", "/src/retina/.build-root/x86_64-unknown-linux-gnu/debug/Models", "/src/retina/Models"])
    }

    @Test func anInstalledExecutableLooksOnlyBesideItself() {
        #expect(ModelFiles.searchFolders(environment: [:], executable: "/usr/local/bin/retina") == ["Models", "/usr/local/bin/Models"])
    }

    @Test func theGenericModelOfThisCheckoutIsFoundAndValid() throws {
        let (model, path) = try ModelFiles.loadGeneric()
        #expect(path.hasSuffix("Models/crowd-generic.json"))
        #expect(model.validate() == nil)
    }

    @Test func aMissingFileNamesItsPath() {
        let error = #expect(throws: ModelFileError.self) { try ModelFiles.load("/nonexistent/model.json") }
        #expect(error?.description == "/nonexistent/model.json: cannot be read")
    }

    @Test func aLearnedModelIsFoundInTheFirstFolderThatHasIt() throws {
        let first = NSTemporaryDirectory() + "models-a-\(UUID().uuidString)", second = NSTemporaryDirectory() + "models-b-\(UUID().uuidString)"
        let model = LearnedModelFile(relativePath: "tiny/tiny.onnx", sha256: String(repeating: "0", count: 64))
        try FileManager.default.createDirectory(atPath: second + "/tiny", withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: second + "/tiny/tiny.onnx", contents: Data([1])))
        #expect(try model.locate(in: [first, second]) == second + "/tiny/tiny.onnx")
        let error = #expect(throws: ModelFileError.self) { try model.locate(in: [first]) }
        #expect(error?.description.hasPrefix("Models/tiny/tiny.onnx: not found in \(first)") == true)
        #expect(error?.description.contains("RETINA_MODELS") == true)
    }

    @Test func theCheckoutHasYOLOXNano() throws {
        let path = try LearnedModelFile.yoloxNano.locate()
        #expect(path.hasSuffix("Models/yolox-nano/yolox_nano.onnx"))
    }
}
