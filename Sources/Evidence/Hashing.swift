import Crypto
import Events
#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Hex digests of a stream, computed while the bytes pass by (a clip is never held in memory).
struct StreamDigest {
    private var sha256 = SHA256()
    private var md5 = Insecure.MD5()
    private(set) var size = 0
    private var keys = PrivateKeyMarker()

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        sha256.update(bufferPointer: bytes)
        md5.update(bufferPointer: bytes)
        keys.update(bytes)
        size += bytes.count
    }

    mutating func update(_ data: Data) {
        data.withUnsafeBytes { update($0) }
    }

    func finalize() -> FileDigest {
        FileDigest(size: size, sha256: Checksum.hex(sha256.finalize()), md5: Checksum.hex(md5.finalize()), holdsPrivateKey: keys.found)
    }
}

/// A file's size and digests (lower-case hex), as the manifests and the extraction list write them.
public struct FileDigest: Sendable, Equatable, Codable {
    public var size: Int
    public var sha256: String
    public var md5: String
    /// The file holds a PEM private key (`-----BEGIN … PRIVATE KEY-----`): never evidence.
    public var holdsPrivateKey = false

    enum CodingKeys: String, CodingKey { case size, sha256, md5 }
}

/// Finds `PRIVATE KEY-----` (every PEM private key: PKCS#8, EC, RSA, OpenSSH, encrypted) in a
/// stream read in chunks, across chunk boundaries, while the file is hashed anyway.
struct PrivateKeyMarker {
    static let marker = Array("PRIVATE KEY-----".utf8)
    private var tail: [UInt8] = []
    private(set) var found = false

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard !found, !bytes.isEmpty else { return }
        let m = Self.marker
        // The previous chunk's last bytes joined with this one's first: a marker split between them.
        let joined = tail + bytes.prefix(m.count - 1)
        if joined.withUnsafeBytes(Self.contains) || Self.contains(bytes) { found = true }
        tail = Array((tail + bytes.suffix(m.count - 1)).suffix(m.count - 1))
    }

    private static func contains(_ haystack: UnsafeRawBufferPointer) -> Bool {
        guard let base = haystack.baseAddress, haystack.count >= marker.count else { return false }
        // memchr to each candidate first byte, memcmp for the rest (memmem is a GNU extension Swift does not see).
        return marker.withUnsafeBytes { needle in
            var offset = 0
            let last = haystack.count - marker.count
            while offset <= last, let hit = memchr(base + offset, Int32(marker[0]), last - offset + 1) {
                if memcmp(hit, needle.baseAddress!, marker.count) == 0 { return true }
                offset = base.distance(to: UnsafeRawPointer(hit)) + 1
            }
            return false
        }
    }
}
