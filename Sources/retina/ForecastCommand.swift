import ArgumentParser
import Evaluation
import Foundation
import RetinaConfig
import Vision

struct Forecast: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score the crowd forecast on a real count series, against persistence.",
        discussion: """
        Runs a zone's crowd forecast (the one behind crowd.forecast warnings) over
        a series of counts, as the worker would see them, and scores it: the error
        of the count expected HORIZON ahead against the count then (mean over
        ±5 s), beside persistence (the count now as the forecast); every arrival
        of the series at a level, and whether a warning came ahead of it (lead
        time); every warning, and whether the level followed (false warnings).

        The series is a CSV with a header: frame,count (give --fps) or
        seconds,count.

        Examples:
          retina forecast mall/labels.csv --fps 2 --horizon 60s --levels 30,35,40,45
          retina forecast zone-gate3.csv --horizon 5m --levels 50,80,120,160 --json
        """
    )

    @Argument(help: ArgumentHelp("CSV of frame,count or seconds,count.", valueName: "series.csv"))
    var series: String

    @Option(help: ArgumentHelp("Frames per second of a frame,count series.", valueName: "fps"))
    var fps: Double?

    @Option(help: ArgumentHelp("How far ahead to forecast (e.g. 60s, 5m).", valueName: "duration"))
    var horizon = "5m"

    @Option(help: ArgumentHelp("People at which the zone enters blue, yellow, orange and red.", valueName: "b,y,o,r"))
    var levels: String

    @Option(help: ArgumentHelp("Seconds of history the trend is fitted on (default: the horizon, 60 s to 10 min).", valueName: "duration"))
    var window: String?

    @Flag(help: "Print the report as JSON.")
    var json = false

    func validate() throws {
        guard let seconds = DurationText.seconds(horizon), seconds >= 1 else {
            throw ValidationError("--horizon: expected a duration such as 60s or 5m, got '\(horizon)'")
        }
        if let window, (DurationText.seconds(window) ?? 0) < 10 { throw ValidationError("--window: expected a duration of 10 s or more, got '\(window)'") }
        let entry = entries
        guard entry.count == 4, zip(entry, entry.dropFirst()).allSatisfy({ $0 < $1 }), entry[0] > 0 else {
            throw ValidationError("--levels: expected four rising counts for blue, yellow, orange and red, e.g. 30,35,40,45, got '\(levels)'")
        }
        if let fps, !(fps > 0 && fps.isFinite) { throw ValidationError("--fps must be more than 0") }
    }

    private var entries: [Double] { levels.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) } }

    func run() throws {
        let horizonSeconds = DurationText.seconds(horizon)!
        let windowSeconds = window.flatMap(DurationText.seconds)
        let entry = entries
        let samples: [(t: Double, count: Double)]
        do { samples = try Self.read(series, fps: fps) } catch let error as ValidationError { throw CLIError(error.message) }
        let evaluation = ForecastEvaluation(horizon: horizonSeconds, thresholds: CrowdThresholds(unit: .count, entry: entry))
        let report = evaluation.evaluate(samples, settings: CrowdForecaster.Settings(horizon: horizonSeconds, window: windowSeconds))
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(["forecast": report]), as: UTF8.self))
            return
        }
        let f = { (v: Double) in String(format: "%.2f", v) }
        print("series: \(report.samples) counts over \(f(report.seconds)) s; horizon \(f(report.horizonSeconds)) s")
        if let forecast = report.forecastMAE, let persistence = report.persistenceMAE {
            print("error at the horizon (MAE, people): forecast \(f(forecast)), persistence \(f(persistence)); trend used in \(Int((report.trendShare * 100).rounded())) % of forecasts")
        } else {
            print("error at the horizon: n/a (no count \(f(report.horizonSeconds)) s after a forecast: the series is too short); trend used in \(Int((report.trendShare * 100).rounded())) % of forecasts")
        }
        print("arrivals at a level: \(report.arrivals.count), warned ahead: \(report.warnedAhead) (persistence: 0, by definition)")
        for a in report.arrivals {
            print("  \(a.level) at \(f(a.time)) s: " + (a.leadSeconds.map { "warned \(f($0)) s ahead" } ?? "not warned ahead"))
        }
        print("warnings: \(report.warnings.count), false: \(report.falseWarnings)")
        for w in report.warnings {
            print("  \(w.level) at \(f(w.time)) s (now \(f(w.now)), expected \(f(w.expected)))" + (w.falseAlarm ? ": false" : ""))
        }
    }

    /// (seconds, count) from a frame,count (with `fps`) or seconds,count CSV.
    static func read(_ path: String, fps: Double?) throws -> [(t: Double, count: Double)] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw ValidationError("\(path): cannot be read") }
        var lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard let header = lines.first?.lowercased().split(separator: ",").map(String.init), header.count >= 2 else {
            throw ValidationError("\(path): empty, expected a header frame,count or seconds,count")
        }
        lines.removeFirst()
        let perSecond: Double
        switch header[0] {
        case "frame":
            guard let fps, fps > 0 else { throw ValidationError("\(path) is numbered by frame: give its frames per second with --fps") }
            perSecond = fps
        case "seconds", "time", "t": perSecond = 1
        default: throw ValidationError("\(path): the first column must be frame or seconds, not '\(header[0])'")
        }
        var out: [(t: Double, count: Double)] = []
        for (n, line) in lines.enumerated() {
            let cells = line.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 2, let x = Double(cells[0]), let c = Double(cells[1]), x.isFinite, c.isFinite, c >= 0 else {
                throw ValidationError("\(path) line \(n + 2): expected two numbers, got '\(line)'")
            }
            let t = x / perSecond
            if let last = out.last, t <= last.t { throw ValidationError("\(path) line \(n + 2): time \(t) s does not come after \(last.t) s") }
            out.append((t, c))
        }
        guard out.count >= 10 else { throw ValidationError("\(path): \(out.count) counts; a forecast needs a longer series") }
        return out
    }
}
