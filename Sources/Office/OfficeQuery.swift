import Events
import Foundation
import Hummingbird

/// A request's query parameters, checked: an unknown name, or a value that is not one of the
/// allowed ones, is a 400 naming the parameter, never a filter silently ignored.
struct OfficeQuery {
    let parameters: Parameters

    init(_ request: Request, allowed: Set<String>) throws {
        parameters = request.uri.queryParameters
        for (name, _) in parameters where !allowed.contains(String(name)) {
            throw OfficeError(.badRequest, "\(name): unknown parameter (this endpoint takes \(allowed.sorted().joined(separator: ", ")))")
        }
    }

    func all(_ name: String) -> [String] { parameters.getAll(name) }

    func one(_ name: String) throws -> String? {
        let values = all(name)
        guard values.count <= 1 else { throw OfficeError(.badRequest, "\(name): given \(values.count) times, expected once") }
        return values.first
    }

    /// Every value of `name` as one of the enum's cases.
    func cases<T>(_ name: String, _ parse: (String) -> T?, expected: String) throws -> [T] {
        try all(name).map { value in
            guard let parsed = parse(value) else { throw OfficeError(.badRequest, "\(name): '\(value)' is not one of \(expected)") }
            return parsed
        }
    }

    /// A whole number in `range`; `fallback` when absent.
    func integer(_ name: String, in range: ClosedRange<Int>, fallback: Int) throws -> Int {
        guard let text = try one(name) else { return fallback }
        guard let n = Int(text), range.contains(n) else {
            throw OfficeError(.badRequest, "\(name): expected a whole number from \(range.lowerBound) to \(range.upperBound), got '\(text)'")
        }
        return n
    }

    /// A finite number of seconds in `range`; `fallback` when absent.
    func seconds(_ name: String, in range: ClosedRange<Double>, fallback: Double) throws -> Double {
        guard let text = try one(name) else { return fallback }
        return try Self.seconds(Double(text), name: name, in: range, shown: text)
    }

    static func seconds(_ value: Double?, name: String, in range: ClosedRange<Double>, shown: String) throws -> Double {
        guard let value, value.isFinite, range.contains(value) else {
            throw OfficeError(.badRequest, "\(name): expected seconds from \(Int(range.lowerBound)) to \(Int(range.upperBound)), got '\(shown)'")
        }
        return value
    }

    func time(_ name: String) throws -> Date? {
        guard let text = try one(name) else { return nil }
        guard let date = RFC3339.parse(text) else { throw OfficeError(.badRequest, "\(name): expected an RFC 3339 time such as 2026-12-04T08:30:00+08:00, got '\(text)'") }
        return date
    }

    /// A free-text identifier (camera, group): printable, at most 200 characters.
    func identifier(_ name: String) throws -> String? {
        guard let text = try one(name) else { return nil }
        if let why = ProducerEvents.identifierProblem(text) { throw OfficeError(.badRequest, "\(name): \(why)") }
        return text
    }
}
