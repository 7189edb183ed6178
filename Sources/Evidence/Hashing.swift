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

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        digest.map { String(format: "%02x", $0) }.joined()
    }
}

/// A file's size and digests (lower-case hex), as the manifests and the extraction list write them.
public struct FileDigest: Sendable, Equatable, Codable {
    public var size: Int
    public var sha256: String
    public var md5: String
}
