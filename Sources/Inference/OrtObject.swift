import COnnxRuntime

/// One ONNX Runtime object and the function that frees it, released exactly once: when the last
/// Swift reference goes.
final class OrtObject: @unchecked Sendable {
    typealias Release = @convention(c) (OpaquePointer?) -> Void

    // Never modified after init.
    let pointer: OpaquePointer
    private let release: Release

    init(_ pointer: OpaquePointer, release: @escaping Release) {
        self.pointer = pointer
        self.release = release
    }

    deinit { release(pointer) }
}

extension OnnxRuntime {
    /// Calls an ORT constructor (`body` fills its out parameter) and owns what it made.
    func create(_ during: String, release: OrtObject.Release?,
                _ body: (UnsafeMutablePointer<OpaquePointer?>) -> OpaquePointer?) throws(InferenceError) -> OrtObject {
        var out: OpaquePointer?
        try check(body(&out), during)
        guard let out, let release else { throw .runtime(during: during, message: "nothing was returned") }
        return OrtObject(out, release: release)
    }
}
