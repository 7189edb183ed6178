/// One problem in a configuration file, located to the line.
public struct ConfigIssue: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var column: Int?
    /// Path of the key, e.g. `cameras[2].url`.
    public var path: String
    public var message: String

    public var description: String {
        var where_ = file
        if let line { where_ += ":\(line)" + (column.map { ":\($0)" } ?? "") }
        return path.isEmpty ? "\(where_): \(message)" : "\(where_): \(path): \(message)"
    }
}

/// A configuration that cannot be used, with every problem found (not just the first).
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public var issues: [ConfigIssue]
    public var description: String { issues.map(\.description).joined(separator: "\n") }
}
