import Foundation

/// Seconds, written as a number or with a unit: `500ms`, `10s`, `2m`, `1h`, `90d`. The one reader
/// of durations, for the configuration file and the command line alike.
public enum DurationText {
    /// Longest suffix first: `ms` before `s` and `m`.
    static let units: [(suffix: String, seconds: Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400)]

    /// nil when `text` is not a finite number of seconds with or without one of the units.
    public static func seconds(_ text: String) -> Double? {
        let text = text.trimmingCharacters(in: .whitespaces).lowercased()
        var value: Double?
        if let v = Double(text) { value = v }
        else if let unit = units.first(where: { text.hasSuffix($0.suffix) }), let v = Double(text.dropLast(unit.suffix.count)) {
            value = v * unit.seconds
        }
        guard let value, value.isFinite else { return nil }
        return value
    }
}
