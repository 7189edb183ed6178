import Foundation
import Events
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `close(2)`, callable where a method named `close` hides it.
func posixClose(_ fd: Int32) -> Int32 { close(fd) }

/// `open(2)`, callable where a method named `open` hides it.
func posixOpen(_ path: String, _ flags: Int32) -> Int32 { open(path, flags) }

/// Names taken from event data (event ids, camera ids, export ids) made safe as one path component:
/// ASCII letters, digits, `-`, `_` and `.` only, never `.`/`..` or a hidden name, at most 80 characters.
public enum SafeName {
    public static func component(_ raw: String, fallback: String = "unnamed") -> String {
        var out = String(raw.unicodeScalars.prefix(80).map { s -> Character in
            let c = Character(s)
            return s.isASCII && (c.isLetter || c.isNumber || s == "-" || s == "_" || s == ".") ? c : "_"
        })
        if out.first == "." { out = "_" + out.dropFirst() }
        return out.isEmpty ? fallback : out
    }
}

/// Errors of the file layer, naming the file and what to do.
public enum EvidenceFileError: Error, Sendable, CustomStringConvertible, Equatable {
    case notAFileURL(String)
    case missing(String)
    case notRegular(String, what: String)
    case io(String, String)
    case unsafePath(String)
    /// Not one of the server's own evidence paths (absolute elsewhere, `..`, a foreign scheme).
    case outsideRoot(String)
    case unhashed(String)
    case hashMismatch(String)
    case notMedia(String, kind: EvidenceKind)

    public var description: String {
        switch self {
        case .notAFileURL(let u): "evidence \(u) is not a file URL (file:///…): only local files can be exported"
        case .missing(let p): "evidence file \(p) does not exist"
        case .notRegular(let p, let what): "evidence file \(p) is \(what), not a regular file: refused (symbolic links are never followed)"
        case .io(let p, let m): "\(p): \(m)"
        case .unsafePath(let p): "path '\(p)' would leave the export folder: refused"
        case .outsideRoot(let u): "evidence '\(u)' is not a file the server stored in its evidence folder: refused"
        case .unhashed(let p): "evidence file \(p) has no SHA-256 recorded at capture: refused"
        case .hashMismatch(let p): "evidence file \(p) does not match the SHA-256 recorded at capture: refused"
        case .notMedia(let p, let kind): "evidence file \(p) is not a \(kind.rawValue) by its content: refused"
        }
    }
}

/// Blocking file work of exports and verification: POSIX descriptors, one reused buffer, digests
/// computed while copying (a clip is never held in memory whole).
enum Files {
    static let chunk = 1 << 20

    static func openRegular(_ path: String) throws -> Int32 {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        if fd < 0 {
            let e = errno
            if e == ENOENT { throw EvidenceFileError.missing(path) }
            if e == ELOOP { throw EvidenceFileError.notRegular(path, what: "a symbolic link") }
            throw EvidenceFileError.io(path, String(cString: strerror(e)))
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else { close(fd); throw EvidenceFileError.io(path, "cannot stat") }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw EvidenceFileError.notRegular(path, what: (st.st_mode & S_IFMT) == S_IFDIR ? "a folder" : "a special file")
        }
        return fd
    }

    /// Creates a new file (never overwriting, never through a link) and returns its descriptor.
    static func create(_ path: String, mode: mode_t = 0o644) throws -> Int32 {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard fd >= 0 else { throw EvidenceFileError.io(path, "cannot create: \(String(cString: strerror(errno)))") }
        return fd
    }

    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw EvidenceFileError.io(path, "write failed: \(String(cString: strerror(errno)))")
            }
            offset += n
        }
    }

    /// Reads `fd` to its end in 1 MiB chunks through one reused buffer.
    static func readChunks(_ fd: Int32, path: String, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = read(fd, buffer.baseAddress!, chunk)
            if n < 0 {
                if errno == EINTR { continue }
                throw EvidenceFileError.io(path, "read failed: \(String(cString: strerror(errno)))")
            }
            if n == 0 { return }
            try body(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
    }

    /// Streams `source` into `destination` (a new file) and returns the digests of what was copied.
    static func copy(fd source: Int32, sourcePath: String, to destination: String) throws -> FileDigest {
        let out = try create(destination)
        defer { close(out) }
        var digest = StreamDigest()
        try readChunks(source, path: sourcePath) { slice in
            digest.update(slice)
            try writeAll(out, slice, path: destination)
        }
        return digest.finalize()
    }

    /// Digests of a file, read in chunks.
    static func digest(of path: String) throws -> FileDigest {
        let fd = try openRegular(path)
        defer { close(fd) }
        var digest = StreamDigest()
        try readChunks(fd, path: path) { digest.update($0) }
        return digest.finalize()
    }

    /// The first `limit` bytes of a regular file (for headers such as a JPEG's size).
    static func head(of path: String, limit: Int) -> Data? {
        guard let fd = try? openRegular(path) else { return nil }
        defer { close(fd) }
        var data = Data(count: limit)
        let n = data.withUnsafeMutableBytes { read(fd, $0.baseAddress!, limit) }
        return n > 0 ? data.prefix(n) : nil
    }

    /// Whether `path` is a directory that exists, and whether it has entries.
    static func directoryState(_ path: String) -> (exists: Bool, isDirectory: Bool, isEmpty: Bool) {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { return (false, false, true) }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return (true, isDir.boolValue, entries.isEmpty)
    }

    /// Blocking file work runs here, off Swift's cooperative pool (`EvidenceRoot.offPool`).
    static let queue = DispatchQueue(label: "retina.evidence.io", attributes: .concurrent)
}
