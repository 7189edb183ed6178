import Foundation

/// A fall benchmark: clips of falls and of daily activities with `labels.csv` (the layout of
/// `../shared/data/falls-gmdcsa24/`):
///
///     clip,label,fall_type,fall_start_s,...     Subject_1/Fall/13.mp4,fall,BW,0.4,...
///
/// `clip` is the path below the folder, `label` fall|adl, `fall_start_s` the fall's onset (seconds
/// into the clip, falls only). The subject is the clip path's first folder: a leave-one-subject-out
/// score never tunes on the person it scores.
public struct FallDataset: Sendable {
    public struct Clip: Sendable, Equatable {
        public var name: String
        public var path: String
        public var subject: String
        public var isFall: Bool
        public var fallStart: Double?
    }

    public var directory: String
    public var clips: [Clip]
    public var subjects: [String] { Array(Set(clips.map(\.subject))).sorted() }

    /// Whether `directory` holds a fall benchmark (a labels.csv whose header has label and fall_start_s).
    public static func isFallDataset(_ directory: String) -> Bool {
        guard let text = try? String(contentsOfFile: (directory as NSString).appendingPathComponent("labels.csv"), encoding: .utf8),
              let header = text.split(separator: "\n").first else { return false }
        let columns = header.split(separator: ",").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        return columns.contains("label") && columns.contains("fall_start_s") && columns.first == "clip"
    }

    public static func load(_ directory: String) throws(EvaluationError) -> FallDataset {
        let file = (directory as NSString).appendingPathComponent("labels.csv")
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw .dataset(file, "cannot be read (a fall dataset has labels.csv: clip,label,fall_type,fall_start_s,…)")
        }
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        guard let header = lines.first?.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }),
              let clipColumn = header.firstIndex(of: "clip"), let labelColumn = header.firstIndex(of: "label"),
              let startColumn = header.firstIndex(of: "fall_start_s") else {
            throw .dataset(file, "the header must name clip, label and fall_start_s")
        }
        var clips: [Clip] = []
        for (n, line) in lines.enumerated().dropFirst() where !line.isEmpty && !line.hasPrefix("#") {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count > max(clipColumn, labelColumn, startColumn) else {
                throw .dataset(file, "line \(n + 1): expected at least \(max(clipColumn, labelColumn, startColumn) + 1) fields, got \(fields.count)")
            }
            let name = fields[clipColumn], label = fields[labelColumn].lowercased()
            guard label == "fall" || label == "adl" else { throw .dataset(file, "line \(n + 1): label must be fall or adl, not '\(fields[labelColumn])'") }
            var start: Double?
            if label == "fall" {
                guard let s = Double(fields[startColumn]), s >= 0 else {
                    throw .dataset(file, "line \(n + 1): a fall needs its fall_start_s (seconds ≥ 0), got '\(fields[startColumn])'")
                }
                start = s
            }
            let path = (directory as NSString).appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: path) else { throw .dataset(file, "line \(n + 1): no clip \(path)") }
            let subject = name.split(separator: "/").count > 1 ? String(name.split(separator: "/")[0]) : "all"
            clips.append(Clip(name: name, path: path, subject: subject, isFall: label == "fall", fallStart: start))
        }
        guard !clips.isEmpty else { throw .dataset(file, "lists no clip") }
        return FallDataset(directory: directory, clips: clips)
    }

    /// When each fall lands, from a CSV of `clip,landed_s` (seconds on the clip's clock when the body
    /// comes to rest on the floor; the dataset's own labels give only the onset): every clip named
    /// must be one of this dataset's falls, at or after its onset.
    public func landings(from file: String) throws(EvaluationError) -> [String: Double] {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { throw .dataset(file, "cannot be read") }
        let lines = text.split(whereSeparator: \.isNewline).map(String.init)
        guard let header = lines.first?.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }),
              let clipColumn = header.firstIndex(of: "clip"), let landedColumn = header.firstIndex(of: "landed_s") else {
            throw .dataset(file, "the header must name clip and landed_s")
        }
        var landed: [String: Double] = [:]
        for (n, line) in lines.enumerated().dropFirst() where !line.isEmpty && !line.hasPrefix("#") {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count > max(clipColumn, landedColumn) else { throw .dataset(file, "line \(n + 1): expected clip and landed_s") }
            guard let clip = clips.first(where: { $0.name == fields[clipColumn] }), clip.isFall, let onset = clip.fallStart else {
                throw .dataset(file, "line \(n + 1): '\(fields[clipColumn])' is not a fall clip of \(directory)")
            }
            guard let t = Double(fields[landedColumn]), t >= onset else {
                throw .dataset(file, "line \(n + 1): landed_s must be a time at or after the fall's onset (\(onset) s), not '\(fields[landedColumn])'")
            }
            landed[clip.name] = t
        }
        return landed
    }
}
