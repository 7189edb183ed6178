import Events
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The server's evidence folder: the one place snapshots and clips are read from, for the office's
/// pictures and for police exports. An event's evidence `uri` is a path the server stored itself,
/// relative to this folder (`snapshots/gate-1/2026-12-04/<id>.jpg`); it is resolved one component
/// at a time, never through a symbolic link, never out of the folder. Older stores wrote absolute
/// `file://` URIs: those are honoured only when they name a file inside this folder. Anything else
/// (a producer's `file:///etc/passwd`, a site key) is refused, whatever the caller asks for.
public struct EvidenceRoot: Sendable {
    /// Absolute, with symbolic links of the folder itself resolved (the administrator chose it).
    public let path: String

    public init(path: String) {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        self.path = (try? FileManager.default.destinationOfSymbolicLink(atPath: absolute)).map {
            URL(fileURLWithPath: $0, relativeTo: URL(fileURLWithPath: absolute).deletingLastPathComponent()).standardizedFileURL.path
        } ?? absolute
    }

    /// Runs blocking file work (reads, writes, hashing, exports) on the evidence folder's own
    /// queue, off Swift's cooperative pool.
    public static func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { c in Files.queue.async { c.resume(with: Result { try work() }) } }
    }

    /// The stored, relative form of a file the server wrote at `relative` under its evidence folder.
    public static func uri(relative: String) -> String { relative }

    /// The components of `uri` below this folder; throws when it is not one of the server's own paths.
    public func components(of uri: String) throws(EvidenceFileError) -> [String] {
        var relative: Substring
        if uri.hasPrefix("file:") {
            // Legacy absolute form: only inside this folder.
            guard let url = URL(string: uri), url.isFileURL else { throw .outsideRoot(uri) }
            let absolute = url.standardizedFileURL.path
            guard absolute.hasPrefix(path + "/") else { throw .outsideRoot(uri) }
            relative = absolute.dropFirst(path.count + 1)
        } else {
            guard !uri.hasPrefix("/"), !uri.contains(":") else { throw .outsideRoot(uri) }
            relative = Substring(uri)
        }
        let parts = relative.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard !parts.isEmpty, parts.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." && !$0.contains("\0") }) else {
            throw .outsideRoot(uri)
        }
        return parts
    }

    /// Opens the evidence file `uri` names for reading: each folder on the way and the file itself
    /// with O_NOFOLLOW, the file only if it is a regular one.
    public func open(uri: String) throws(EvidenceFileError) -> (fd: Int32, path: String) {
        let parts = try components(of: uri)
        let display = path + "/" + parts.joined(separator: "/")
        var dir = posixOpen(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dir >= 0 else { throw .missing(path) }
        for part in parts.dropLast() {
            let next = openat(dir, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            let e = errno
            _ = posixClose(dir)
            guard next >= 0 else {
                throw e == ENOENT ? .missing(display) : .notRegular(display, what: "reached through a symbolic link or a non-folder")
            }
            dir = next
        }
        let fd = openat(dir, parts.last!, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        let e = errno
        _ = posixClose(dir)
        guard fd >= 0 else {
            if e == ENOENT { throw .missing(display) }
            if e == ELOOP { throw .notRegular(display, what: "a symbolic link") }
            throw .io(display, String(cString: strerror(e)))
        }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            _ = posixClose(fd)
            throw .notRegular(display, what: "not a regular file")
        }
        return (fd, display)
    }

    /// The whole file, at most `limit` bytes, checked against the SHA-256 recorded at capture.
    public func read(_ ref: EvidenceRef, limit: Int) throws(EvidenceFileError) -> Data {
        let data = try readUnhashed(uri: ref.uri, limit: limit)
        guard let recorded = ref.sha256?.lowercased() else { throw .unhashed(path + "/" + ref.uri) }
        guard Checksum.sha256Hex(data) == recorded else { throw .hashMismatch(path + "/" + ref.uri) }
        return data
    }

    /// A file that is not evidence (a camera's live picture, `LivePicture`): at most `limit` bytes,
    /// read by the same rules (inside the folder, no links, a regular file) but with no hash to check.
    public func readUnhashed(uri: String, limit: Int) throws(EvidenceFileError) -> Data {
        let (fd, display) = try open(uri: uri)
        defer { _ = posixClose(fd) }
        var data = Data()
        do {
            try Files.readChunks(fd, path: display) { slice in
                guard data.count + slice.count <= limit else { throw EvidenceFileError.io(display, "larger than \(limit) bytes") }
                data.append(contentsOf: slice)
            }
        } catch let error as EvidenceFileError { throw error } catch { throw .io(display, "\(error)") }
        return data
    }

    /// Stores `data` (already checked by the caller) as a new file at `relative` and returns its
    /// reference with the size and SHA-256 recorded now, at capture.
    public func store(_ data: Data, relative: String, kind: EvidenceKind, mime: String) throws(EvidenceFileError) -> EvidenceRef {
        let parts = try components(of: relative)
        let folder = path + "/" + parts.dropLast().joined(separator: "/")
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw .io(folder, "cannot create: \(error.localizedDescription)")
        }
        let file = folder + "/" + parts.last!
        do {
            let fd = try Files.create(file)
            defer { _ = posixClose(fd) }
            try data.withUnsafeBytes { try Files.writeAll(fd, $0, path: file) }
            guard fsync(fd) == 0 else { throw EvidenceFileError.io(file, "fsync failed") }
        } catch let error as EvidenceFileError { throw error } catch { throw .io(file, "\(error)") }
        return EvidenceRef(kind: kind, uri: Self.uri(relative: relative), mime: mime, size: data.count,
                           sha256: Checksum.sha256Hex(data))
    }
}

/// Media types told by their first bytes, never by a name or a header a client sent.
public enum MediaSniff {
    public static func mime(of head: Data) -> String? {
        let b = [UInt8](head.prefix(12))
        if b.count >= 3, b[0] == 0xFF, b[1] == 0xD8, b[2] == 0xFF { return "image/jpeg" }
        if b.count >= 8, b[0..<8] == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] { return "image/png" }
        if b.count >= 12, b[4..<8] == [0x66, 0x74, 0x79, 0x70] { return "video/mp4" }  // "ftyp"
        return nil
    }

    /// The file extension for a sniffed media type.
    public static func fileExtension(_ mime: String) -> String {
        switch mime {
        case "image/jpeg": "jpg"
        case "image/png": "png"
        case "video/mp4": "mp4"
        default: "bin"
        }
    }
}
