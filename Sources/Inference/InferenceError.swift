/// Why a model could not be loaded or run. Every case says what to do or names the file.
public enum InferenceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// ONNX Runtime's C library could not be opened (`tried`: each path and dlopen's reason).
    case runtimeMissing(tried: [String])
    /// The model file is unusable: missing, not the expected bytes, or not the expected model.
    case model(path: String, problem: String)
    /// A tensor handed to `run` does not fit the model.
    case badInput(String)
    /// ONNX Runtime itself reported an error (`during`: what was being done).
    case runtime(during: String, message: String)

    public var description: String {
        switch self {
        case .runtimeMissing(let tried):
            return "ONNX Runtime's C library is not installed (tried \(tried.joined(separator: "; "))) — "
                + "run scripts/install-deps.sh (installs ONNX Runtime \(OnnxRuntime.expectedVersion) into /usr/local/lib), "
                + "or set RETINA_ONNXRUNTIME to the path of libonnxruntime.so"
        case .model(let path, let problem):
            return "\(path): \(problem)"
        case .badInput(let message):
            return "bad input: \(message)"
        case .runtime(let during, let message):
            return "ONNX Runtime failed while \(during): \(message)"
        }
    }
}
