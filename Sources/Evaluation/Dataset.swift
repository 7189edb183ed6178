import Foundation
import Vision
import Yams

/// A labelled video as `../shared/data/README.md` defines it: `video.mp4`, `scene.yaml`, and the
/// optional `calibration.csv` (the only labels a detector may fit on), `counts.csv` and
/// `anomalies.csv` (scoring only).
public struct Dataset: Sendable {
    public struct Count: Sendable, Equatable { public var frame: Int; public var count: Double }
    public struct Anomaly: Sendable, Equatable { public var startFrame: Int; public var endFrame: Int; public var kind: String }

    public var directory: String
    public var name: String { (directory as NSString).lastPathComponent }
    public var video: String
    public var zones: [Zone]
    public var perspective: Perspective?
    public var calibration: [Count]
    /// Scoring frames; frames also in `calibration` are already removed.
    public var counts: [Count]
    /// Nil when the dataset has no `anomalies.csv`; empty when it has one with no interval (all normal).
    public var anomalies: [Anomaly]?

    public static func load(_ directory: String) throws(EvaluationError) -> Dataset {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: directory, isDirectory: &isDir), isDir.boolValue else {
            throw .dataset(directory, "is not a folder (a dataset is a folder with video.mp4 and scene.yaml)")
        }
        let path = { (name: String) in (directory as NSString).appendingPathComponent(name) }
        guard let video = ["video.mp4", "video.mkv", "video.avi"].map(path).first(where: { fm.fileExists(atPath: $0) }) else {
            throw .dataset(directory, "has no video.mp4")
        }
        let (zones, perspective) = try loadScene(path("scene.yaml"))
        let calibration = try loadCounts(path("calibration.csv"))
        let calibrated = Set(calibration.map(\.frame))
        let counts = try loadCounts(path("counts.csv")).filter { !calibrated.contains($0.frame) }
        let anomalies = fm.fileExists(atPath: path("anomalies.csv")) ? try loadAnomalies(path("anomalies.csv")) : nil
        return Dataset(directory: directory, video: video, zones: zones, perspective: perspective,
                       calibration: calibration, counts: counts, anomalies: anomalies)
    }

    /// A scene.yaml's zones (id, polygon, areaM2, kind watch|forbidden, loiterSeconds) and perspective.
    public static func loadScene(_ file: String) throws(EvaluationError) -> ([Zone], Perspective?) {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw .dataset(file, "cannot be read (every dataset needs scene.yaml with its zones)")
        }
        let root: Any?
        do { root = try Yams.load(yaml: text) } catch { throw .dataset(file, "is not valid YAML: \(error)") }
        guard let top = root as? [String: Any] else { throw .dataset(file, "must be a mapping with zones and perspective") }
        var zones: [Zone] = []
        for (i, item) in ((top["zones"] as? [Any]) ?? []).enumerated() {
            guard let z = item as? [String: Any], let id = z["id"] as? String, let poly = z["polygon"] as? [[Any]] else {
                throw .dataset(file, "zones[\(i)] needs an id and a polygon [[x, y], …]")
            }
            let points = poly.compactMap { p -> Point? in
                guard p.count == 2, let x = number(p[0]), let y = number(p[1]) else { return nil }
                return Point(x: x, y: y)
            }
            guard points.count >= 3, points.count == poly.count else { throw .dataset(file, "zones[\(i)].polygon needs at least 3 points [x, y]") }
            let kind = (z["kind"] as? String).flatMap(Zone.Kind.init(rawValue:)) ?? .watch
            if let k = z["kind"], kind.rawValue != (k as? String) { throw .dataset(file, "zones[\(i)].kind must be watch or forbidden") }
            let loiter = z["loiterSeconds"].flatMap(number)
            if z["loiterSeconds"] != nil, (loiter ?? 0) <= 0 { throw .dataset(file, "zones[\(i)].loiterSeconds must be a number of seconds above 0") }
            zones.append(Zone(id: id, polygon: points, areaM2: z["areaM2"].flatMap(number), kind: kind, loiterSeconds: loiter))
        }
        if zones.isEmpty { throw .dataset(file, "lists no zone (the README's format has at least the zone 'all')") }
        var samples: [Perspective.Sample] = []
        for (i, item) in ((top["perspective"] as? [Any]) ?? []).enumerated() {
            guard let s = item as? [String: Any], let y = s["footY"].flatMap(number), let h = s["heightPx"].flatMap(number) else {
                throw .dataset(file, "perspective[\(i)] needs footY and heightPx")
            }
            samples.append(.init(footY: y, heightPx: h))
        }
        return (zones, samples.count >= 2 ? Perspective(samples: samples) : nil)
    }

    private static func number(_ any: Any) -> Double? {
        switch any {
        case let d as Double: d
        case let i as Int: Double(i)
        case let s as String: Double(s)
        default: nil
        }
    }

    static func rows(_ file: String, columns: Int) throws(EvaluationError) -> [[String]] {
        guard FileManager.default.fileExists(atPath: file) else { return [] }
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { throw .dataset(file, "cannot be read") }
        var rows: [[String]] = []
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            if n == 0 || rows.isEmpty && Int(fields[0]) == nil { continue }  // header
            guard fields.count >= columns else {
                throw .dataset(file, "line \(n + 1): expected \(columns) comma-separated fields, got '\(line)'")
            }
            rows.append(fields)
        }
        return rows
    }

    static func loadCounts(_ file: String) throws(EvaluationError) -> [Count] {
        var result: [Count] = []
        for fields in try rows(file, columns: 2) {
            guard let frame = Int(fields[0]), frame >= 0, let count = Double(fields[1]), count >= 0 else {
                throw .dataset(file, "'\(fields.joined(separator: ","))' is not 'frame,count' with a frame number and a count")
            }
            result.append(Count(frame: frame, count: count))
        }
        return result
    }

    static func loadAnomalies(_ file: String) throws(EvaluationError) -> [Anomaly] {
        var result: [Anomaly] = []
        for fields in try rows(file, columns: 3) {
            guard let a = Int(fields[0]), let b = Int(fields[1]), a >= 0, b >= a else {
                throw .dataset(file, "'\(fields.joined(separator: ","))' is not 'start_frame,end_frame,kind' with start ≤ end")
            }
            result.append(Anomaly(startFrame: a, endFrame: b, kind: fields[2]))
        }
        return result
    }
}

public enum EvaluationError: Error, CustomStringConvertible {
    case dataset(String, String)
    case video(String)

    public var description: String {
        switch self {
        case .dataset(let path, let message): "\(path): \(message)"
        case .video(let message): message
        }
    }
}
