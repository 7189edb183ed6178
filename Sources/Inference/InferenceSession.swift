import COnnxRuntime
import Foundation

/// One model loaded into ONNX Runtime, checked at load against what its caller expects. `run` is
/// synchronous and blocks for the whole inference: call it from an `InferenceExecutor`'s threads,
/// never from Swift's cooperative pool. ORT allows concurrent `Run` calls on one session.
public final class InferenceSession: @unchecked Sendable {
    public let path: String
    /// The inputs and outputs as the model declares them (-1: a symbolic dimension).
    public let inputs: [TensorSpec]
    public let outputs: [TensorSpec]
    public let threads: Int
    public let memory: Memory

    /// Where a run's intermediate tensors live.
    public enum Memory: Sendable {
        /// ONNX Runtime's arena: kept between runs and grown to the largest input seen. For a model
        /// run many times a second, whose buffers would otherwise be mapped and zeroed every run.
        case arena
        /// Allocated for each run and freed after it. For a large input run now and then (the density
        /// model at 1024×576 every 30 s), whose arena would hold tens of MiB between runs.
        case perRun
    }
    // Never modified after init.
    private let runtime: OnnxRuntime
    private let session: OrtObject
    private let inputMemory: OrtObject

    /// Loads the model at `path` for inference on `threads` intra-op threads. The model must declare
    /// exactly `expectedInputs` and `expectedOutputs` (same names and order, float32, every fixed
    /// dimension equal; -1 on either side matches any size). With `sha256`, the file's digest must be
    /// that one: a different file is refused before ONNX Runtime reads it.
    public init(path: String, inputs expectedInputs: [TensorSpec], outputs expectedOutputs: [TensorSpec],
                threads: Int = 1, sha256: String? = nil, memory: Memory = .arena) throws(InferenceError) {
        guard threads >= 1 else { throw .badInput("threads must be 1 or more, not \(threads)") }
        guard FileManager.default.fileExists(atPath: path) else { throw .model(path: path, problem: "not found") }
        if let sha256 {
            let actual = try FileDigest.sha256(path)
            guard actual == sha256.lowercased() else {
                throw .model(path: path, problem: "sha256 is \(actual), expected \(sha256): not the model Retina was tested with")
            }
        }
        let runtime = try OnnxRuntime.shared()
        let api = runtime.api
        let options = try runtime.create("creating session options", release: api.pointee.ReleaseSessionOptions) {
            api.pointee.CreateSessionOptions!($0)
        }
        try runtime.check(api.pointee.SetIntraOpNumThreads!(options.pointer, Int32(threads)), "setting the thread count")
        try runtime.check(api.pointee.SetInterOpNumThreads!(options.pointer, 1), "setting the thread count")
        if memory == .perRun {
            try runtime.check(api.pointee.DisableCpuMemArena!(options.pointer), "turning the memory arena off")
        }
        let session: OrtObject
        do {
            session = try runtime.create("loading \(path)", release: api.pointee.ReleaseSession) {
                api.pointee.CreateSession!(runtime.env, path, options.pointer, $0)
            }
        } catch {
            if case .runtime(_, let message) = error { throw .model(path: path, problem: "ONNX Runtime cannot load it: \(message)") }
            throw error
        }
        withExtendedLifetime(options) {}
        let declaredInputs = try runtime.declared(session.pointer, inputs: true)
        let declaredOutputs = try runtime.declared(session.pointer, inputs: false)
        try Self.match(declaredInputs, expectedInputs, side: "inputs", path: path)
        try Self.match(declaredOutputs, expectedOutputs, side: "outputs", path: path)

        self.inputMemory = try runtime.create("describing CPU memory", release: api.pointee.ReleaseMemoryInfo) {
            api.pointee.CreateCpuMemoryInfo!(OrtArenaAllocator, OrtMemTypeDefault, $0)
        }
        self.path = path
        self.threads = threads
        self.memory = memory
        self.runtime = runtime
        self.session = session
        self.inputs = declaredInputs.map { TensorSpec(name: $0.name, shape: $0.shape) }
        self.outputs = declaredOutputs.map { TensorSpec(name: $0.name, shape: $0.shape) }
    }

    private static func match(_ declared: [DeclaredTensor], _ expected: [TensorSpec], side: String, path: String) throws(InferenceError) {
        let fits = declared.count == expected.count && zip(declared, expected).allSatisfy {
            $0.name == $1.name && $0.elementType == ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT && $1.accepts($0.shape)
        }
        guard fits else {
            throw .model(path: path, problem: "its \(side) are \(declared.map(\.rendered).joined(separator: ", ")); "
                + "expected \(expected.map { "\($0) float32" }.joined(separator: ", ")) — not the model this code was written for")
        }
    }

    /// Runs the model on `tensors` (one per input, in the model's order) and returns its outputs in order.
    public func run(_ tensors: [Tensor]) throws(InferenceError) -> [Tensor] {
        guard tensors.count == inputs.count else {
            throw .badInput("\(path) takes \(inputs.count) input(s), \(tensors.count) given")
        }
        for (tensor, spec) in zip(tensors, inputs) where !spec.accepts(tensor.shape) {
            throw .badInput("\(path): input \(spec) cannot take a tensor of shape \(TensorSpec.render(tensor.shape))")
        }
        // ORT reads each input in place, from the tensor's own storage, which stays put until Run
        // returns: no copy (a density pass's input is 7 MB).
        let outcome = pinned(tensors[...]) { addresses in
            Result { () throws(InferenceError) -> [Tensor] in try run(tensors, at: addresses) }
        }
        return try outcome.get()
    }

    private func run(_ tensors: [Tensor], at addresses: [UnsafeRawPointer]) throws(InferenceError) -> [Tensor] {
        let api = runtime.api
        var values: [OrtObject] = []
        for (tensor, address) in zip(tensors, addresses) {
            let dims = tensor.shape.map { Int64($0) }
            values.append(try runtime.create("wrapping an input tensor", release: api.pointee.ReleaseValue) {
                // Mutable in ORT's signature only: an input is never written.
                api.pointee.CreateTensorWithDataAsOrtValue!(inputMemory.pointer, UnsafeMutableRawPointer(mutating: address),
                                                            tensor.data.count * MemoryLayout<Float>.size,
                                                            dims, dims.count, ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT, $0)
            })
        }
        var produced = [OpaquePointer?](repeating: nil, count: outputs.count)
        let status = withCStrings(inputs.map(\.name)) { inputNames in
            withCStrings(outputs.map(\.name)) { outputNames in
                withExtendedLifetime(values) {
                    let handles: [OpaquePointer?] = values.map(\.pointer)
                    return api.pointee.Run!(session.pointer, nil, inputNames, handles, handles.count, outputNames, outputNames.count, &produced)
                }
            }
        }
        // Owned first, so each output is released even when Run failed part way.
        let owned = produced.compactMap { $0.map { OrtObject($0, release: api.pointee.ReleaseValue!) } }
        try runtime.check(status, "running \(path)")
        guard owned.count == outputs.count else { throw .runtime(during: "running \(path)", message: "missing outputs") }
        var result: [Tensor] = []
        for (value, spec) in zip(owned, outputs) { result.append(try read(value, spec.name)) }
        return result
    }

    private func read(_ value: OrtObject, _ name: String) throws(InferenceError) -> Tensor {
        let api = runtime.api
        let info = try runtime.create("reading output \(name)'s shape", release: api.pointee.ReleaseTensorTypeAndShapeInfo) {
            api.pointee.GetTensorTypeAndShape!(value.pointer, $0)
        }
        let (type, shape) = try runtime.typeAndShape(info.pointer, "output \(name)")
        guard type == ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT else {
            throw .runtime(during: "running \(path)", message: "output \(name) is not float32")
        }
        var raw: UnsafeMutableRawPointer?
        try runtime.check(api.pointee.GetTensorMutableData!(value.pointer, &raw), "reading output \(name)")
        let count = shape.reduce(1, *)
        guard let raw else { throw .runtime(during: "running \(path)", message: "output \(name) has no data") }
        let data = Array(UnsafeBufferPointer(start: raw.assumingMemoryBound(to: Float.self), count: count))
        return try Tensor(shape: shape, data: data)
    }
}

/// `body` with the address of each tensor's elements, fixed while it runs (an empty tensor's: a
/// valid address of nothing, as ORT wants one).
private func pinned<R>(_ tensors: ArraySlice<Tensor>, _ addresses: [UnsafeRawPointer] = [],
                       _ body: ([UnsafeRawPointer]) -> R) -> R {
    guard let first = tensors.first else { return body(addresses) }
    return first.data.withUnsafeBufferPointer { elements in
        pinned(tensors.dropFirst(), addresses + [elements.baseAddress.map(UnsafeRawPointer.init) ?? emptyInput], body)
    }
}

nonisolated(unsafe) private let emptyInput = UnsafeRawPointer(UnsafeMutablePointer<Float>.allocate(capacity: 1))

/// `strings` as an array of C strings, valid inside `body` only.
private func withCStrings<R>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    let copies = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    return body(copies.map { UnsafePointer($0) })
}
