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
}
