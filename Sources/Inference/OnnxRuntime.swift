import COnnxRuntime
import Foundation

/// ONNX Runtime's C library, opened once per process with dlopen, and its one `OrtEnv`. Loading
/// lazily keeps `retina` (and every classical detector) working on a machine without it.
public final class OnnxRuntime: @unchecked Sendable {
    /// The version `scripts/install-deps.sh` installs and the tests are pinned against.
    public static let expectedVersion = "1.31.1"

    // Both immutable after init; ORT's API table and environment are safe to use from any thread.
    let api: UnsafePointer<OrtApi>
    let env: OpaquePointer
    /// The library's own version string, e.g. "1.31.1".
    public let version: String
    /// The path it was opened from.
    public let path: String

    /// The runtime, loaded on first use; the same error on every call when it cannot be.
    public static func shared() throws(InferenceError) -> OnnxRuntime { try loaded.get() }

    private static let loaded: Result<OnnxRuntime, InferenceError> = Result { () throws(InferenceError) in
        try OnnxRuntime(candidates: candidatePaths())
    }

    /// `$RETINA_ONNXRUNTIME` alone when set (a wrong path should not be papered over), else the
    /// installed library by soname and by the path install-deps.sh writes.
    static func candidatePaths(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        if let path = environment["RETINA_ONNXRUNTIME"], !path.isEmpty { return [path] }
        return ["libonnxruntime.so.\(expectedVersion)", "libonnxruntime.so", "/usr/local/lib/libonnxruntime.so"]
    }

    init(candidates: [String]) throws(InferenceError) {
        var tried: [String] = []
        for path in candidates {
            var error = [CChar](repeating: 0, count: 512)
            var version: UnsafePointer<CChar>?
            guard let api = retina_ort_load(path, &version, &error, error.count) else {
                tried.append(String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
                continue
            }
            self.api = api
            self.path = path
            self.version = version.map { String(cString: $0) } ?? "unknown"
            var env: OpaquePointer?
            try OnnxRuntime.check(api, api.pointee.CreateEnv!(ORT_LOGGING_LEVEL_WARNING, "retina", &env), "creating its environment")
            guard let env else { throw .runtime(during: "creating its environment", message: "no environment returned") }
            self.env = env
            return
        }
        throw .runtimeMissing(tried: tried)
    }

    deinit { api.pointee.ReleaseEnv!(env) }

    /// Turns an `OrtStatus` into a thrown error, releasing it (ORT hands the caller ownership).
    static func check(_ api: UnsafePointer<OrtApi>, _ status: OpaquePointer?, _ during: String) throws(InferenceError) {
        guard let status else { return }
        let message = api.pointee.GetErrorMessage!(status).map { String(cString: $0) } ?? "unknown error"
        api.pointee.ReleaseStatus!(status)
        throw .runtime(during: during, message: message)
    }

    func check(_ status: OpaquePointer?, _ during: String) throws(InferenceError) {
        try Self.check(api, status, during)
    }
}
