import Redaction

/// One problem in a configuration file, located to the line.
public struct ConfigIssue: Sendable, Equatable, CustomStringConvertible {
    public let file: String
    public let line: Int?
    public let column: Int?
    /// Path of the key, e.g. `cameras[2].url`.
    public let path: String
    public let message: String

    /// Messages quote values, and a YAML key is any text: both are masked here, once for every
    /// printer (`config check`, the SIGHUP log, a reload's answer), so no password is shown.
    public init(file: String, line: Int? = nil, column: Int? = nil, path: String, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.path = URLCredentials.mask(path)
        self.message = URLCredentials.mask(message)
    }

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
