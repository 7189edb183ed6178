import Foundation

/// Daily time windows in a camera's local time, e.g. `22:00-06:00` (a window may cross midnight).
public struct DailySchedule: Sendable, Equatable {
    public struct Window: Sendable, Equatable {
        /// Minutes after local midnight; `end` may be smaller than `start` (crosses midnight).
        public var start: Int
        public var end: Int
    }

    public var windows: [Window]
    public var timeZone: TimeZone

    public init(windows: [Window], timeZone: TimeZone = .current) {
        self.windows = windows
        self.timeZone = timeZone
    }

    /// Parses `HH:MM-HH:MM[,HH:MM-HH:MM…]`; nil with a reason in `error` when malformed.
    public static func parse(_ text: String, timeZone: TimeZone = .current) -> Result<DailySchedule, ScheduleError> {
        var windows: [Window] = []
        for part in text.split(separator: ",") {
            let ends = part.split(separator: "-").map { $0.trimmingCharacters(in: .whitespaces) }
            guard ends.count == 2, let a = minutes(ends[0]), let b = minutes(ends[1]), a != b else {
                return .failure(ScheduleError(text: String(part)))
            }
            windows.append(Window(start: a, end: b))
        }
        return windows.isEmpty ? .failure(ScheduleError(text: text)) : .success(DailySchedule(windows: windows, timeZone: timeZone))
    }

    private static func minutes(_ s: String) -> Int? {
        let hm = s.split(separator: ":")
        guard hm.count == 2, let h = Int(hm[0]), let m = Int(hm[1]), (0...24).contains(h), (0..<60).contains(m), h * 60 + m <= 1440 else { return nil }
        return h * 60 + m
    }

    public func contains(_ date: Date) -> Bool {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.hour, .minute], from: date)
        let m = (c.hour ?? 0) * 60 + (c.minute ?? 0)
        return windows.contains { w in w.start < w.end ? (m >= w.start && m < w.end) : (m >= w.start || m < w.end) }
    }
}

public struct ScheduleError: Error, CustomStringConvertible {
    public var text: String
    public var description: String { "'\(text)' is not a daily window like 22:00-06:00" }
}
