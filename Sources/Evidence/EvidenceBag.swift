import Events
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The names of a bag's tag files. The signature is detached: it signs the tag manifest, which
/// lists every other tag file, whose manifests list every payload file.
public enum BagFiles {
    public static let declaration = "bagit.txt"
    public static let info = "bag-info.txt"
    public static let manifestSHA256 = "manifest-sha256.txt"
    public static let manifestMD5 = "manifest-md5.txt"
    public static let tagManifest = "tagmanifest-sha256.txt"
    /// Ed25519 signature (64 raw bytes) over `tagmanifest-sha256.txt`, as `openssl pkeyutl -verify -rawin` checks it.
    public static let signature = "tagmanifest-sha256.txt.sig"
    /// The signer's public key (SubjectPublicKeyInfo PEM).
    public static let publicKey = "signing-key.pem"
    public static let custodyLog = "data/custody.jsonl"
}

/// Writes a BagIt (RFC 8493) bag: payload under `data/`, `manifest-sha256.txt` (and
/// `manifest-md5.txt` for GA/T 1400 consumers), `bagit.txt`, `bag-info.txt`, the signer's public
/// key, `tagmanifest-sha256.txt` and its detached signature. Every payload file is new (never
/// overwritten, never through a link) and hashed as it is written; paths are built from sanitised
/// components only, so nothing lands outside the bag's folder.
///
/// Not thread-safe: one export drives it serially (from its I/O queue).
public final class BagWriter: @unchecked Sendable {
    public let root: String
    public private(set) var payload: [(path: String, digest: FileDigest)] = []
    /// Folders made so far (one per camera, a few fixed ones): no stat per file.
    private var directories = Set<String>()

    /// `root` must not exist, or be an empty folder.
    public init(root: String) throws {
        let state = Files.directoryState(root)
        if state.exists {
            guard state.isDirectory else { throw ExportError.outNotEmpty(root, "it is a file") }
            guard state.isEmpty else { throw ExportError.outNotEmpty(root, "it is not empty") }
        } else {
            do { try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true) } catch {
                throw EvidenceFileError.io(root, "cannot create: \(error.localizedDescription)")
            }
        }
        self.root = (root as NSString).standardizingPath
        try FileManager.default.createDirectory(atPath: self.root + "/data", withIntermediateDirectories: false)
    }

    /// The absolute path of `relative` (components joined by `/`), creating its folders; refuses
    /// any component that is empty, `.` or `..`.
    func prepare(_ relative: String) throws -> String {
        let parts = relative.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.first == "data", parts.count >= 2,
              parts.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." && !$0.contains("\0") }) else {
            throw EvidenceFileError.unsafePath(relative)
        }
        let path = root + "/" + relative
        let dir = (path as NSString).deletingLastPathComponent
        if !directories.contains(dir) {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            directories.insert(dir)
        }
        return path
    }

    /// Writes generated payload (event JSON, XML, lists) at `relative` (`data/…`).
    @discardableResult
    public func write(_ data: Data, to relative: String) throws -> FileDigest {
        let stream = try openStream(relative)
        try stream.write(data)
        return try stream.close()
    }

    /// Copies an already opened evidence file to `relative`, hashing it on the way.
    func copy(fd: Int32, sourcePath: String, to relative: String) throws -> FileDigest {
        let path = try prepare(relative)
        let digest = try Files.copy(fd: fd, sourcePath: sourcePath, to: path)
        payload.append((relative, digest))
        return digest
    }

    /// A payload file written in pieces (the custody log, the GA/T 1400 lists).
    func openStream(_ relative: String) throws -> BagFileStream {
        let path = try prepare(relative)
        return BagFileStream(fd: try Files.create(path), path: path) { [weak self] digest in self?.payload.append((relative, digest)) }
    }

    /// Writes the manifests, `bagit.txt`, `bag-info.txt` (with the Payload-Oxum), the public key,
    /// the tag manifest and its signature. `info` is written in order, after the fields made here.
    public func seal(info: [(String, String)], key: SiteKey) throws -> SitePublicKey {
        let sorted = payload.sorted { $0.path < $1.path }
        let sha = sorted.map { "\($0.digest.sha256)  \(BagPath.encode($0.path))\n" }.joined()
        let md5 = sorted.map { "\($0.digest.md5)  \(BagPath.encode($0.path))\n" }.joined()
        let octets = sorted.reduce(0) { $0 + $1.digest.size }
        let publicKey = key.publicKey
        var fields: [(String, String)] = [
            ("Bagging-Date", RFC3339.day(Date())),
            ("Payload-Oxum", "\(octets).\(sorted.count)"),
            ("Signing-Key-Fingerprint", publicKey.fingerprint),
        ]
        fields += info
        let infoText = fields.map { "\($0.0): \(BagInfo.clean($0.1))\n" }.joined()
        let tags: [(String, Data)] = [
            (BagFiles.declaration, Data("BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n".utf8)),
            (BagFiles.info, Data(infoText.utf8)),
            (BagFiles.manifestSHA256, Data(sha.utf8)),
            (BagFiles.manifestMD5, Data(md5.utf8)),
            (BagFiles.publicKey, Data(publicKey.pem.utf8)),
        ]
        var tagManifest = ""
        for (name, data) in tags {
            try writeTag(name, data)
            var d = StreamDigest()
            d.update(data)
            tagManifest += "\(d.finalize().sha256)  \(name)\n"
        }
        let tagData = Data(tagManifest.utf8)
        try writeTag(BagFiles.tagManifest, tagData)
        try writeTag(BagFiles.signature, try key.sign(tagData))
        return publicKey
    }

    private func writeTag(_ name: String, _ data: Data) throws {
        let path = root + "/" + name
        let fd = try Files.create(path)
        defer { close(fd) }
        try data.withUnsafeBytes { try Files.writeAll(fd, $0, path: path) }
    }
}

/// A payload file being written: hashed as the bytes go out.
final class BagFileStream {
    private var fd: Int32
    let path: String
    private var digest = StreamDigest()
    private let done: (FileDigest) -> Void

    init(fd: Int32, path: String, done: @escaping (FileDigest) -> Void) {
        self.fd = fd
        self.path = path
        self.done = done
    }

    func write(_ data: Data) throws {
        try data.withUnsafeBytes { bytes in
            digest.update(bytes)
            try Files.writeAll(fd, bytes, path: path)
        }
    }

    func write(_ text: String) throws { try write(Data(text.utf8)) }

    @discardableResult
    func close() throws -> FileDigest {
        guard fd >= 0 else { return digest.finalize() }
        let result = posixClose(fd)
        fd = -1
        guard result == 0 else { throw EvidenceFileError.io(path, "close failed") }
        let d = digest.finalize()
        done(d)
        return d
    }

    deinit { if fd >= 0 { _ = posixClose(fd) } }
}

/// Manifest paths: RFC 8493 §2.1.3 percent-encodes CR, LF and `%` in file names.
enum BagPath {
    static func encode(_ path: String) -> String {
        path.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\n", with: "%0A").replacingOccurrences(of: "\r", with: "%0D")
    }

    static func decode(_ path: String) -> String {
        path.replacingOccurrences(of: "%0A", with: "\n").replacingOccurrences(of: "%0a", with: "\n")
            .replacingOccurrences(of: "%0D", with: "\r").replacingOccurrences(of: "%0d", with: "\r")
            .replacingOccurrences(of: "%25", with: "%")
    }
}

/// `bag-info.txt` fields: one line each, `Label: value`.
enum BagInfo {
    static func clean(_ value: String) -> String {
        String(value.map { $0 == "\n" || $0 == "\r" ? " " : $0 })
    }

    static func parse(_ text: String) -> [(String, String)] {
        text.split(separator: "\n").compactMap { (line: Substring) -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            let label = String(line[line.startIndex..<colon]).trimmingCharacters(in: .whitespaces)
            let value = String(line[colon...].dropFirst()).trimmingCharacters(in: .whitespaces)
            return (label, value)
        }
    }
}
