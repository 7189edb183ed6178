import Yams

/// Reads typed values out of a YAML node tree and records every problem with its line and key path,
/// so one run of `retina config check` shows all of them.
final class NodeReader {
    let file: String
    private(set) var issues: [ConfigIssue] = []

    init(file: String) { self.file = file }

    func fail(_ node: Node?, _ path: String, _ message: String) {
        let mark = node?.mark
        issues.append(ConfigIssue(file: file, line: mark?.line, column: mark?.column, path: path, message: message))
    }

    /// The mapping's entries by key; reports keys not in `allowed` (with a suggestion).
    func mapping(_ node: Node, _ path: String, allowed: [String]) -> [String: Node]? {
        guard case .mapping(let mapping) = node else {
            fail(node, path, "expected a mapping (key: value lines), got \(describe(node))")
            return nil
        }
        var out: [String: Node] = [:]
        for (keyNode, value) in mapping {
            guard let key = keyNode.string else { fail(keyNode, path, "keys must be plain strings"); continue }
            if !allowed.contains(key) {
                let hint = allowed.min { distance($0, key) < distance($1, key) }.flatMap { distance($0, key) <= 2 ? " (did you mean '\($0)'?)" : nil } ?? ""
                fail(keyNode, join(path, key), "unknown key\(hint); allowed here: \(allowed.joined(separator: ", "))")
                continue
            }
            if out[key] != nil { fail(keyNode, join(path, key), "given twice") }
            out[key] = value
        }
        return out
    }

    func sequence(_ node: Node, _ path: String) -> [Node]? {
        guard case .sequence(let seq) = node else {
            fail(node, path, "expected a list, got \(describe(node))")
            return nil
        }
        return Array(seq)
    }

    func string(_ node: Node?, _ path: String, required: Bool = false) -> String? {
        guard let node else {
            if required { fail(nil, path, "is required") }
            return nil
        }
        guard case .scalar(let s) = node else { fail(node, path, "expected text, got \(describe(node))"); return nil }
        if required && s.string.trimmingCharacters(in: .whitespaces).isEmpty { fail(node, path, "must not be empty"); return nil }
        return s.string
    }

    /// One of an enum's names, in any case: `tcp`, `UDP`, `auto`.
    func choice<T: RawRepresentable & CaseIterable>(_ node: Node?, _ path: String, _ type: T.Type) -> T? where T.RawValue == String {
        guard let text = string(node, path) else { return nil }
        if let value = T(rawValue: text.lowercased()) { return value }
        let names = T.allCases.map(\.rawValue)
        fail(node, path, "expected \(names.dropLast().joined(separator: ", ")) or \(names.last ?? ""), got '\(text)'")
        return nil
    }

    func double(_ node: Node?, _ path: String, range: ClosedRange<Double>? = nil) -> Double? {
        guard let node else { return nil }
        guard case .scalar(let s) = node, let v = Double(s.string), v.isFinite else {
            fail(node, path, "expected a number, got \(describe(node))")
            return nil
        }
        if let range, !range.contains(v) { fail(node, path, "must be between \(fmt(range.lowerBound)) and \(fmt(range.upperBound)), got \(s.string)"); return nil }
        return v
    }

    func int(_ node: Node?, _ path: String, range: ClosedRange<Int>? = nil) -> Int? {
        guard let node else { return nil }
        guard case .scalar(let s) = node, let v = Int(s.string) else {
            fail(node, path, "expected a whole number, got \(describe(node))")
            return nil
        }
        if let range, !range.contains(v) { fail(node, path, "must be between \(range.lowerBound) and \(range.upperBound), got \(v)"); return nil }
        return v
    }

    func bool(_ node: Node?, _ path: String) -> Bool? {
        guard let node else { return nil }
        guard case .scalar(let s) = node, let v = Bool(s.string.lowercased()) ?? (["yes", "on"].contains(s.string.lowercased()) ? true : ["no", "off"].contains(s.string.lowercased()) ? false : nil) else {
            fail(node, path, "expected true or false, got \(describe(node))")
            return nil
        }
        return v
    }

    /// Seconds, as a number or with a unit (`DurationText`): `500ms`, `10s`, `2m`, `1h`.
    func duration(_ node: Node?, _ path: String, range: ClosedRange<Double> = 0...86_400) -> Double? {
        guard let node else { return nil }
        guard case .scalar(let s) = node else { fail(node, path, "expected a duration such as 10s, got \(describe(node))"); return nil }
        guard let v = DurationText.seconds(s.string) else { fail(node, path, "expected a duration such as 500ms, 10s or 2m, got '\(s.string)'"); return nil }
        guard range.contains(v) else { fail(node, path, "must be between \(fmt(range.lowerBound)) s and \(fmt(range.upperBound)) s, got \(fmt(v)) s"); return nil }
        return v
    }

    /// A duration where 0 is no setting at all (e.g. every blip reported as an outage).
    func positiveDuration(_ node: Node?, _ path: String, max: Double) -> Double? {
        guard let v = duration(node, path, range: 0...max) else { return nil }
        guard v > 0 else { fail(node, path, "must be more than 0 s (up to \(fmt(max)) s), got 0 s"); return nil }
        return v
    }

    /// Bytes, as a number or with a unit: `500KB`, `64MB`, `1GB` (powers of 1000) or `KiB`, `MiB`, `GiB`.
    func bytes(_ node: Node?, _ path: String, range: ClosedRange<Int>) -> Int? {
        guard let node else { return nil }
        guard case .scalar(let s) = node else { fail(node, path, "expected a size such as 64MB, got \(describe(node))"); return nil }
        let text = s.string.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: " ", with: "")
        let units: [(String, Double)] = [("kib", 1024), ("mib", 1_048_576), ("gib", 1_073_741_824),
                                         ("kb", 1000), ("mb", 1_000_000), ("gb", 1_000_000_000), ("b", 1)]
        var value: Double?
        if let v = Double(text) { value = v }
        else if let (suffix, factor) = units.first(where: { text.hasSuffix($0.0) }), let v = Double(text.dropLast(suffix.count)) { value = v * factor }
        guard let v = value, v.isFinite, v >= 0, v < 1e15 else { fail(node, path, "expected a size such as 512KB, 64MB or 1GB, got '\(s.string)'"); return nil }
        let n = Int(v.rounded())
        guard range.contains(n) else { fail(node, path, "must be between \(range.lowerBound) and \(range.upperBound) bytes, got \(n)"); return nil }
        return n
    }

    func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    private func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let s): return s.string.isEmpty ? "nothing" : "'\(s.string)'"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    private func fmt(_ v: Double) -> String { v == v.rounded() ? String(Int(v)) : String(v) }

    private func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a.lowercased()), b = Array(b.lowercased())
        var row = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var prev = row[0]
            row[0] = i
            for j in stride(from: 1, through: b.count, by: 1) {
                let cur = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] == b[j - 1] ? 0 : 1))
                prev = cur
            }
        }
        return row[b.count]
    }
}
