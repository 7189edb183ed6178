/// A dense float32 tensor: its shape and its elements in row-major order (NCHW for pictures).
public struct Tensor: Sendable, Equatable {
    public let shape: [Int]
    public let data: [Float]

    /// Refuses a negative dimension or an element count that does not match the shape.
    public init(shape: [Int], data: [Float]) throws(InferenceError) {
        guard shape.allSatisfy({ $0 >= 0 }) else { throw .badInput("tensor shape \(shape) has a negative dimension") }
        let count = shape.reduce(1, *)
        guard count == data.count else {
            throw .badInput("tensor shape \(shape) holds \(count) elements but \(data.count) were given")
        }
        self.shape = shape
        self.data = data
    }

    /// The element at a full index (one coordinate per dimension).
    public subscript(_ index: Int...) -> Float {
        precondition(index.count == shape.count, "index \(index) for shape \(shape)")
        var offset = 0
        for (i, dim) in zip(index, shape) { offset = offset * dim + i }
        return data[offset]
    }
}

/// What a model's input or output must look like: its name and shape, where -1 is a symbolic
/// dimension (any size, e.g. a batch or a picture's height).
public struct TensorSpec: Sendable, Equatable, CustomStringConvertible {
    public let name: String
    public let shape: [Int]

    public init(name: String, shape: [Int]) {
        self.name = name
        self.shape = shape
    }

    public var description: String { "\(name) \(Self.render(shape))" }

    /// Whether a concrete or declared shape fits: same rank, and every fixed dimension equal
    /// (a -1 on either side matches anything).
    public func accepts(_ other: [Int]) -> Bool {
        other.count == shape.count && zip(shape, other).allSatisfy { $0 < 0 || $1 < 0 || $0 == $1 }
    }

    static func render(_ shape: [Int]) -> String {
        "[" + shape.map { $0 < 0 ? "?" : String($0) }.joined(separator: "×") + "]"
    }
}
