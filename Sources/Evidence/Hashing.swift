import Crypto
import Foundation

/// Hex digests of a stream, computed while the bytes pass by (a clip is never held in memory).
struct StreamDigest {
    private var sha256 = SHA256()
    private var md5 = Insecure.MD5()
    private(set) var size = 0

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        sha256.update(bufferPointer: bytes)
        md5.update(bufferPointer: bytes)
        size += bytes.count
    }

    mutating func update(_ data: Data) {
        data.withUnsafeBytes { update($0) }
    }

    func finalize() -> FileDigest {
        FileDigest(size: size, sha256: Self.hex(sha256.finalize()), md5: Self.hex(md5.finalize()))
    }

    private static let digits = Array("0123456789abcdef".utf8)

    /// Lower-case hex (String(format:) per byte costs more than hashing a snapshot).
    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for b in digest {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// A file's size and digests (lower-case hex), as the manifests and the extraction list write them.
public struct FileDigest: Sendable, Equatable, Codable {
    public var size: Int
    public var sha256: String
    public var md5: String
}
