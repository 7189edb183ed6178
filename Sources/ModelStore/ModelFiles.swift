import Foundation
import Vision

/// Finds and reads crowd model files: the generic one in the repository's `Models/`, a camera's own
/// written by `retina calibrate`.
public enum ModelFiles {
    public static let genericName = "crowd-generic.json"

    /// The folders `Models/crowd-generic.json` is looked up in, in order: `$RETINA_MODELS`,
    /// `./Models`, `Models/` next to the executable (an installed copy), and the `Models/` of the
    /// checkout the executable was built in (`<checkout>/.build…/<triple>/<config>/retina`).
    public static func searchFolders(environment: [String: String] = ProcessInfo.processInfo.environment,
                                     executable: String = CommandLine.arguments.first ?? "") -> [String] {
        var folders: [String] = []
        if let dir = environment["RETINA_MODELS"] { folders.append(dir) }
        folders.append("Models")
        let exe = URL(fileURLWithPath: executable).resolvingSymlinksInPath()
        folders.append(exe.deletingLastPathComponent().appendingPathComponent("Models").path)
        // The build folder SwiftPM wrote the executable into (`.build`, or a `--scratch-path` such as `.build-root`).
        var dir = exe.deletingLastPathComponent()
        while dir.pathComponents.count > 1 {
            if dir.lastPathComponent.hasPrefix(".build") {
                folders.append(dir.deletingLastPathComponent().appendingPathComponent("Models").path)
                break
            }
            dir = dir.deletingLastPathComponent()
        }
        return folders
    }

    /// `crowd-generic.json` in the first of `searchFolders()` that has it.
    public static func genericPath() -> String? {
        searchFolders().map { ($0 as NSString).appendingPathComponent(genericName) }
            .first { FileManager.default.fileExists(atPath: $0) }
    }

    public static func load(_ path: String) throws(ModelFileError) -> CrowdModel {
        guard let data = FileManager.default.contents(atPath: path) else { throw ModelFileError(path: path, message: "cannot be read") }
        let model: CrowdModel
        do { model = try CrowdModel.decode(data) } catch {
            throw ModelFileError(path: path, message: "is not a crowd model (JSON): \(error)")
        }
        if let problem = model.validate() { throw ModelFileError(path: path, message: problem) }
        return model
    }

    public static func loadGeneric() throws(ModelFileError) -> (CrowdModel, String) {
        guard let path = genericPath() else {
            throw ModelFileError(path: "Models/\(genericName)",
                                 message: "not found: run from the repository, or set RETINA_MODELS to its Models folder")
        }
        return (try load(path), path)
    }
}

/// A model file that is missing or not a valid model: `path: message`.
public struct ModelFileError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let message: String

    public var description: String { "\(path): \(message)" }
}
