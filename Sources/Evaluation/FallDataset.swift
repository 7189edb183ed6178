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
        var clips: [Clip] = []
        for (n, row) in try rows(of: text, in: file, columns: ["clip", "label", "fall_start_s"]) {
            let name = row["clip"]!, label = row["label"]!.lowercased()
            guard label == "fall" || label == "adl" else { throw .dataset(file, "line \(n): label must be fall or adl, not '\(row["label"]!)'") }
            var start: Double?
            if label == "fall" {
                guard let s = Double(row["fall_start_s"]!), s >= 0 else {
                    throw .dataset(file, "line \(n): a fall needs its fall_start_s (seconds ≥ 0), got '\(row["fall_start_s"]!)'")
                }
                start = s
            }
            let path = (directory as NSString).appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: path) else { throw .dataset(file, "line \(n): no clip \(path)") }
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
        var landed: [String: Double] = [:]
        for (n, row) in try Self.rows(of: text, in: file, columns: ["clip", "landed_s"]) {
            guard let clip = clips.first(where: { $0.name == row["clip"] }), clip.isFall, let onset = clip.fallStart else {
                throw .dataset(file, "line \(n): '\(row["clip"]!)' is not a fall clip of \(directory)")
            }
            guard let t = Double(row["landed_s"]!), t >= onset else {
                throw .dataset(file, "line \(n): landed_s must be a time at or after the fall's onset (\(onset) s), not '\(row["landed_s"]!)'")
            }
            landed[clip.name] = t
        }
        return landed
    }

    /// The rows of a CSV `text` (read from `file`) whose header names `columns` (others may be
    /// there), blank and `#` lines skipped: each row's line number and its `columns`' fields.
    static func rows(of text: String, in file: String, columns: [String]) throws(EvaluationError) -> [(line: Int, fields: [String: String])] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        let header = lines.first?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } ?? []
        let indices = columns.compactMap { header.firstIndex(of: $0) }
        guard indices.count == columns.count else {
            throw .dataset(file, "the header must name " + columns.dropLast().joined(separator: ", ") + " and " + columns.last!)
        }
        var rows: [(line: Int, fields: [String: String])] = []
        for (n, line) in lines.enumerated().dropFirst() where !line.isEmpty && !line.hasPrefix("#") {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count > indices.max()! else {
                throw .dataset(file, "line \(n + 1): expected at least \(indices.max()! + 1) fields, got \(fields.count)")
            }
            rows.append((n + 1, Dictionary(uniqueKeysWithValues: zip(columns, indices.map { fields[$0] }))))
        }
        return rows
    }
}
