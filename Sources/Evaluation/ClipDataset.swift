import Foundation

/// A labelled anomaly benchmark made of short clips (UCSD Ped2's layout): normal clips to learn the
/// camera's normal from, never scored, and test clips scored in order.
/// ```
/// normal/*.mp4     optional: normal footage, learned from first (in name order)
/// clips/*.mp4      the scored clips, in name order
/// anomalies.csv    clip,start_frame,end_frame,kind: inclusive 0-based intervals per clip (scoring only)
/// ```
public struct ClipDataset: Sendable {
    public struct Clip: Sendable, Equatable {
        public var name: String
        public var path: String
    }

    public var directory: String
    public var name: String { (directory as NSString).lastPathComponent }
    public var normal: [Clip]
    public var clips: [Clip]
    /// Intervals by clip name; a clip not named has none.
    public var anomalies: [String: [Dataset.Anomaly]]

    static let videoExtensions: Set<String> = ["mp4", "mkv", "avi", "mov"]

    /// Whether `directory` is laid out as clips (it has a `clips/` folder).
    public static func isClipDataset(_ directory: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: (directory as NSString).appendingPathComponent("clips"), isDirectory: &isDir) && isDir.boolValue
    }

    public static func load(_ directory: String) throws(EvaluationError) -> ClipDataset {
        let path = { (name: String) in (directory as NSString).appendingPathComponent(name) }
        let clips = try videos(in: path("clips"))
        guard !clips.isEmpty else { throw .dataset(path("clips"), "holds no video (.mp4, .mkv, .avi, .mov) to score") }
        let normal = FileManager.default.fileExists(atPath: path("normal")) ? try videos(in: path("normal")) : []
        let anomalies = try loadAnomalies(path("anomalies.csv"), clips: Set(clips.map(\.name)))
        return ClipDataset(directory: directory, normal: normal, clips: clips, anomalies: anomalies)
    }

    static func videos(in folder: String) throws(EvaluationError) -> [Clip] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { throw .dataset(folder, "cannot be listed") }
        return names.filter { videoExtensions.contains(($0 as NSString).pathExtension.lowercased()) }.sorted()
            .map { Clip(name: ($0 as NSString).deletingPathExtension, path: (folder as NSString).appendingPathComponent($0)) }
    }

    static func loadAnomalies(_ file: String, clips: Set<String>) throws(EvaluationError) -> [String: [Dataset.Anomaly]] {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw .dataset(file, "cannot be read (a clip dataset scores against anomalies.csv: clip,start_frame,end_frame,kind)")
        }
        var result: [String: [Dataset.Anomaly]] = [:]
        for (n, raw) in text.split(separator: "\n").enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") || n == 0 && line.lowercased().hasPrefix("clip,") { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count >= 3, let a = Int(fields[1]), let b = Int(fields[2]), a >= 0, b >= a else {
                throw .dataset(file, "line \(n + 1): expected clip,start_frame,end_frame,kind with start ≤ end, got '\(line)'")
            }
            guard clips.contains(fields[0]) else { throw .dataset(file, "line \(n + 1): no clip '\(fields[0])' in clips/") }
            result[fields[0], default: []].append(Dataset.Anomaly(startFrame: a, endFrame: b, kind: fields.count > 3 ? fields[3] : "anomaly"))
        }
        return result
    }
}
