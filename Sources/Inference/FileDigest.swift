import Crypto
import Foundation

/// SHA-256 of a file, lower-case hex: a model is checked against the digest it was tested with.
enum FileDigest {
    static func sha256(_ path: String) throws(InferenceError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .model(path: path, problem: "cannot be read (missing or not readable)")
        }
        return SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }
}
