import Foundation

/// A labelled set of still pictures, as `../shared/data/shanghaitech/*` holds them: `images/` and
/// `counts.csv` (`image,count`, a header line first). Only scored: nothing is fitted on a still.
public struct StillDataset: Sendable {
    public struct Picture: Sendable, Equatable {
        public var name: String
        public var path: String
        public var count: Double
    }

    public var directory: String
    public var name: String { (directory as NSString).lastPathComponent }
    /// In `counts.csv` order.
    public var pictures: [Picture]

    /// Whether `directory` looks like a still dataset (it has `images/` and no video).
    public static func isStill(_ directory: String) -> Bool {
        var isDir: ObjCBool = false
        let images = (directory as NSString).appendingPathComponent("images")
        return FileManager.default.fileExists(atPath: images, isDirectory: &isDir) && isDir.boolValue
            && !FileManager.default.fileExists(atPath: (directory as NSString).appendingPathComponent("video.mp4"))
    }

    /// - Parameter only: image names to keep (e.g. a held-out fold); nil keeps all. A name not in
    ///   `counts.csv` is an error, so a typo does not silently shrink the score.
    public static func load(_ directory: String, only: Set<String>? = nil) throws(EvaluationError) -> StillDataset {
        let csv = (directory as NSString).appendingPathComponent("counts.csv")
        guard FileManager.default.fileExists(atPath: csv) else {
            throw .dataset(directory, "has no counts.csv (a still dataset is images/ and counts.csv with image,count)")
        }
        var pictures: [Picture] = []
        guard let text = try? String(contentsOfFile: csv, encoding: .utf8) else { throw .dataset(csv, "cannot be read") }
        // The first line is the header (image,count); a picture's name is never a number, so the
        // video CSV reader's "skip a non-numeric first row" rule cannot tell them apart.
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        for line in lines.dropFirst() where !line.isEmpty && !line.hasPrefix("#") {
            let fields = line.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count >= 2 else { throw .dataset(csv, "'\(line)' is not 'image,count'") }
            guard let count = Double(fields[1]), count >= 0, !fields[0].isEmpty, !fields[0].contains("/") else {
                throw .dataset(csv, "'\(fields.joined(separator: ","))' is not 'image,count' with a file name in images/ and a count")
            }
            let path = (directory as NSString).appendingPathComponent("images/\(fields[0])")
            guard FileManager.default.fileExists(atPath: path) else { throw .dataset(csv, "lists \(fields[0]), which is not in images/") }
            pictures.append(Picture(name: fields[0], path: path, count: count))
        }
        if pictures.isEmpty { throw .dataset(csv, "lists no image") }
        if let only {
            let known = Set(pictures.map(\.name))
            if let unknown = only.subtracting(known).sorted().first {
                throw .dataset(csv, "has no image \(unknown) (asked for by the image list)")
            }
            pictures = pictures.filter { only.contains($0.name) }
        }
        return StillDataset(directory: directory, pictures: pictures)
    }
}
