import Foundation
import ZIPFoundation

/// A bag as one .zip (ZIPFoundation, in-process): written entry by entry from the bag folder, read
/// back by extracting into a fresh temporary folder with every entry's path checked first (no
/// absolute paths, no `..`, no links), then verified like a folder.
public enum BagZip {
    /// Zips the bag at `bag` to `destination` (a new file); entries are `<folder name>/…`. Media
    /// (already compressed) is stored, text is deflated.
    public static func write(bag: String, to destination: String) throws {
        let base = URL(fileURLWithPath: bag)
        let top = base.lastPathComponent
        guard !FileManager.default.fileExists(atPath: destination) else { throw EvidenceFileError.io(destination, "already exists") }
        let archive = try Archive(url: URL(fileURLWithPath: destination), accessMode: .create)
        guard let walker = FileManager.default.enumerator(atPath: bag) else { throw EvidenceFileError.io(bag, "cannot list") }
        var files: [String] = []
        for case let relative as String in walker {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: bag + "/" + relative, isDirectory: &isDir), !isDir.boolValue { files.append(relative) }
        }
        for relative in files.sorted() {
            let text = ["txt", "json", "jsonl", "xml", "csv", "pem"].contains((relative as NSString).pathExtension.lowercased())
            try archive.addEntry(with: top + "/" + relative, fileURL: base.appendingPathComponent(relative),
                                 compressionMethod: text ? .deflate : .none)
        }
    }

    /// Extracts `zip` under `directory` (which must exist) and returns the bag's root folder in
    /// it, or the problems that stop it being read as a bag.
    public static func extract(_ zip: String, into directory: String) -> (root: String?, failures: [VerificationFailure]) {
        var failures: [VerificationFailure] = []
        let archive: Archive
        do { archive = try Archive(url: URL(fileURLWithPath: zip), accessMode: .read) } catch {
            return (nil, [VerificationFailure(kind: "format", file: zip, message: "\(zip) is not a readable zip archive: \(error)")])
        }
        for entry in archive {
            let parts = entry.path.split(separator: "/", omittingEmptySubsequences: true)
            guard !entry.path.hasPrefix("/"), !parts.contains(".."), !parts.isEmpty else {
                failures.append(VerificationFailure(kind: "unsafe", file: entry.path, message: "zip entry '\(entry.path)' would extract outside the bag: refused"))
                continue
            }
            switch entry.type {
            case .symlink:
                failures.append(VerificationFailure(kind: "unsafe", file: entry.path, message: "zip entry '\(entry.path)' is a symbolic link: a bag holds regular files only"))
            case .directory:
                continue
            case .file:
                do { _ = try archive.extract(entry, to: URL(fileURLWithPath: directory + "/" + parts.joined(separator: "/"))) } catch {
                    failures.append(VerificationFailure(kind: "format", file: entry.path, message: "zip entry '\(entry.path)' cannot be extracted: \(error)"))
                }
            }
        }
        if FileManager.default.fileExists(atPath: directory + "/" + BagFiles.declaration) { return (directory, failures) }
        let tops = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        if tops.count == 1, FileManager.default.fileExists(atPath: directory + "/" + tops[0] + "/" + BagFiles.declaration) {
            return (directory + "/" + tops[0], failures)
        }
        failures.append(VerificationFailure(kind: "format", file: zip, message: "\(zip) holds no bag: expected \(BagFiles.declaration) at the top or in one top folder"))
        return (nil, failures)
    }
}

extension BagVerifier {
    /// Verifies a bag folder or a .zip of one (extracted to a temporary folder that is removed afterwards).
    public func verify(path: String) -> VerificationReport {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            var r = VerificationReport(bag: path)
            r.failures.append(VerificationFailure(kind: "missing", file: path, message: "\(path) does not exist"))
            return r
        }
        if isDir.boolValue { return verify(directory: path) }
        let temp = NSTemporaryDirectory() + "retina-verify-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: temp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: temp) }
        let (root, failures) = BagZip.extract(path, into: temp)
        guard let root else {
            var r = VerificationReport(bag: path)
            r.failures = failures
            return r
        }
        var report = verify(directory: root)
        report.bag = path
        report.failures = failures + report.failures
        return report
    }
}
