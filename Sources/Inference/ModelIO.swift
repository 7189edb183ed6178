import COnnxRuntime

/// What a loaded session declares about one input or output.
struct DeclaredTensor {
    let name: String
    let elementType: ONNXTensorElementDataType
    let shape: [Int]

    var rendered: String {
        let type = elementType == ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT ? "float32" : "element type \(elementType.rawValue)"
        return "\(name) \(TensorSpec.render(shape)) \(type)"
    }
}

extension OnnxRuntime {
    /// The inputs (or outputs) a session declares, in order.
    func declared(_ session: OpaquePointer, inputs: Bool) throws(InferenceError) -> [DeclaredTensor] {
        let side = inputs ? "input" : "output"
        var count = 0
        try check(inputs ? api.pointee.SessionGetInputCount!(session, &count) : api.pointee.SessionGetOutputCount!(session, &count),
                  "counting the model's \(side)s")
        var allocator: OpaquePointer?
        try check(api.pointee.GetAllocatorWithDefaultOptions!(&allocator), "getting the default allocator")
        var result: [DeclaredTensor] = []
        for index in 0..<count {
            var cName: UnsafeMutablePointer<CChar>?
            try check(inputs ? api.pointee.SessionGetInputName!(session, index, allocator, &cName)
                             : api.pointee.SessionGetOutputName!(session, index, allocator, &cName), "reading \(side) \(index)'s name")
            let name = cName.map { String(cString: $0) } ?? ""
            // The name was allocated by ORT's allocator for us: free it there.
            try check(api.pointee.AllocatorFree!(allocator, cName), "freeing \(side) \(index)'s name")
            let typeInfo = try create("reading \(side) \(name)'s type", release: api.pointee.ReleaseTypeInfo) {
                inputs ? api.pointee.SessionGetInputTypeInfo!(session, index, $0) : api.pointee.SessionGetOutputTypeInfo!(session, index, $0)
            }
            // Borrowed from typeInfo (valid while it lives); nil for a non-tensor (a map, a sequence).
            var tensorInfo: OpaquePointer?
            try check(api.pointee.CastTypeInfoToTensorInfo!(typeInfo.pointer, &tensorInfo), "reading \(side) \(name)'s tensor type")
            guard let tensorInfo else {
                result.append(DeclaredTensor(name: name, elementType: ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED, shape: []))
                continue
            }
            let (type, shape) = try typeAndShape(tensorInfo, "\(side) \(name)")
            withExtendedLifetime(typeInfo) {}
            result.append(DeclaredTensor(name: name, elementType: type, shape: shape))
        }
        return result
    }

    /// Element type and dimensions (-1 for a symbolic one) of a tensor type-and-shape info.
    func typeAndShape(_ info: OpaquePointer, _ what: String) throws(InferenceError) -> (ONNXTensorElementDataType, [Int]) {
        var type = ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED
        try check(api.pointee.GetTensorElementType!(info, &type), "reading \(what)'s element type")
        var rank = 0
        try check(api.pointee.GetDimensionsCount!(info, &rank), "reading \(what)'s rank")
        var dims = [Int64](repeating: 0, count: rank)
        try check(api.pointee.GetDimensions!(info, &dims, rank), "reading \(what)'s shape")
        return (type, dims.map { Int($0) })
    }
}
