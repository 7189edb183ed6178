import Foundation
import Vision

/// Finds and reads crowd model files: the generic one in the repository's `Models/`, a camera's own
/// written by `retina calibrate`.
public enum ModelFiles {
    public static let genericName = "crowd-generic.json"

    /// `Models/crowd-generic.json`, looked up in `$RETINA_MODELS`, then `./Models`, then next to the
    /// executable's checkout (`.build/<config>/retina` → `Models/`).
    public static func genericPath() -> String? {
        var candidates: [String] = []
        if let dir = ProcessInfo.processInfo.environment["RETINA_MODELS"] { candidates.append(dir) }
        candidates.append("Models")
        let exe = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(dir.appendingPathComponent("Models").path)
            dir = dir.deletingLastPathComponent()
        }
        return candidates.map { ($0 as NSString).appendingPathComponent(genericName) }
            .first { FileManager.default.fileExists(atPath: $0) }
    }

    public static func load(_ path: String) throws(EvaluationError) -> CrowdModel {
        guard let data = FileManager.default.contents(atPath: path) else { throw .model(path, "cannot be read") }
        let model: CrowdModel
        do { model = try CrowdModel.decode(data) } catch { throw .model(path, "is not a crowd model (JSON): \(error)") }
        if let problem = model.validate() { throw .model(path, problem) }
        return model
    }

    public static func loadGeneric() throws(EvaluationError) -> (CrowdModel, String) {
        guard let path = genericPath() else {
            throw .model("Models/\(genericName)", "not found: run from the repository, or set RETINA_MODELS to its Models folder")
        }
        return (try load(path), path)
    }
}
