import Foundation

/// What can be told of a URL before anything connects, so that `config check` reports a typo with
/// its line instead of the worker failing at its first connection.
enum URLChecks {
    /// What is wrong with a store URL, by the rules of `Events.StoreURL.open` (this module does not
    /// link the store; a worker test checks the two agree); nil when the store opens it.
    static func storeProblem(_ url: String) -> String? {
        if url.hasPrefix("sqlite:") {
            let path = url.dropFirst("sqlite:".count)
            return (path.hasPrefix("//") ? path.dropFirst(2) : path).isEmpty ? "expected sqlite:PATH, got '\(url)'" : nil
        }
        if url.hasSuffix(".db") || url.hasSuffix(".sqlite") { return nil }
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") { return postgresProblem(url) }
        return "expected sqlite:PATH, a file path ending in .db or .sqlite, or a postgres:// URL, got '\(url)'"
    }

    /// The query parameters `PostgresEventStore` reads; any other would be ignored without a word.
    static let postgresParameters = ["schema", "sslmode"]
    static let sslModes = ["disable", "prefer", "require"]

    /// `postgres://host[:port]/database[?schema=NAME&sslmode=MODE]` with `user[:password]@` before the host, parsed as the
    /// store parses it (Foundation's URLComponents).
    private static func postgresProblem(_ url: String) -> String? {
        guard let c = URLComponents(string: url), let host = c.host, !host.isEmpty else {
            return "expected postgres://host[:port]/database[?schema=NAME&sslmode=MODE] (user[:password]@ before the host), got '\(url)'"
        }
        if let port = c.port, let problem = portProblem(port) { return problem }
        for item in c.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "schema" where value.isEmpty || !value.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }):
                return "schema must be letters, digits and _, got '\(value)'"
            case "sslmode" where !sslModes.contains(value):
                return "sslmode must be \(sslModes.dropLast().joined(separator: ", ")) or \(sslModes.last!), got '\(value)'"
            case let name where !postgresParameters.contains(name):
                return "unknown parameter '\(name)'; the store reads \(postgresParameters.joined(separator: ", "))"
            default: continue
            }
        }
        return nil
    }

    /// What is wrong with a camera's network URL, split as libav splits it (`av_url_split`): the
    /// authority runs to the first '/', '?' or '#', and its credentials to its last '@'.
    static func cameraProblem(_ url: String) -> String? {
        // Written so that the mask of URL passwords leaves the form itself alone.
        let form = "expected scheme://host[:port]/path (user:password@ before the host), got '\(url)'"
        if url.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.properties.generalCategory == .control }) {
            return "\(form) (a space or control character: percent-encode it)"
        }
        guard let schemeEnd = url.range(of: "://") else { return form }
        let rest = url[schemeEnd.upperBound...]
        let authority = rest[..<(rest.firstIndex(where: { "/?#".contains($0) }) ?? rest.endIndex)]
        let hostPort = authority.lastIndex(of: "@").map { authority[authority.index(after: $0)...] } ?? authority
        switch splitHostPort(hostPort) {
        case .failure(let why): return "\(form) (\(why.reason))"
        case .success(let port): return port.flatMap(portProblem)
        }
    }

    private struct Unparsable: Error { let reason: String }

    /// `host`, `host:port` or `[IPv6]:port`; the port, if one is given.
    private static func splitHostPort(_ s: Substring) -> Result<Int?, Unparsable> {
        var host = s, portText: Substring?
        if s.hasPrefix("[") {
            guard let close = s.firstIndex(of: "]") else { return .failure(Unparsable(reason: "an IPv6 address needs its closing ']'")) }
            host = s[s.index(after: s.startIndex)..<close]
            let after = s[s.index(after: close)...]
            guard after.isEmpty || after.hasPrefix(":") else { return .failure(Unparsable(reason: "only ':port' may follow ']'")) }
            portText = after.isEmpty ? nil : after.dropFirst()
        } else if let colon = s.firstIndex(of: ":") {
            host = s[..<colon]
            portText = s[s.index(after: colon)...]
        }
        guard !host.isEmpty else { return .failure(Unparsable(reason: "no host")) }
        guard let portText else { return .success(nil) }
        guard let port = Int(portText), portText.allSatisfy(\.isASCII) else {
            return .failure(Unparsable(reason: "the port is not a number: '\(portText)'"))
        }
        return .success(port)
    }

    private static func portProblem(_ port: Int) -> String? {
        (1...65535).contains(port) ? nil : "the port must be between 1 and 65535, got \(port)"
    }
}
