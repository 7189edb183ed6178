import Crypto
import Events
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The site's Ed25519 signing key. The private key lives in a PKCS#8 PEM file of mode 0600 (what
/// `openssl pkey` reads), outside every export; exports carry only the public key and its
/// fingerprint.
public struct SiteKey: Sendable {
    /// The raw 32-byte private key (Crypto's key type is not Sendable; bytes are).
    private let raw: Data
    public var privateKey: Curve25519.Signing.PrivateKey { try! Curve25519.Signing.PrivateKey(rawRepresentation: raw) }
    public var publicKey: SitePublicKey { SitePublicKey(privateKey.publicKey) }

    public init(privateKey: Curve25519.Signing.PrivateKey = .init()) { raw = privateKey.rawRepresentation }

    /// `$RETINA_KEY`, else `$XDG_CONFIG_HOME/retina/site-key.pem` (`~/.config/retina/site-key.pem`).
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let p = environment["RETINA_KEY"], !p.isEmpty { return p }
        let config = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.config"
        return config + "/retina/site-key.pem"
    }

    /// Generates a key and writes it to `path`: never over an existing file, mode 0600 from the
    /// start (no window in which it is readable by others); missing folders are made with 0700.
    public static func create(at path: String) throws -> SiteKey {
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty, !FileManager.default.fileExists(atPath: dir) {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            if errno == EEXIST { throw KeyError.exists(path) }
            throw KeyError.io(path, String(cString: strerror(errno)))
        }
        defer { close(fd) }
        let key = SiteKey()
        let pem = Data(key.privatePEM.utf8)
        try pem.withUnsafeBytes { try Files.writeAll(fd, $0, path: path) }
        guard fsync(fd) == 0 else { throw KeyError.io(path, "fsync failed") }
        return key
    }

    /// Loads the key at `path`; refuses a file that others may read (like ssh does).
    public static func load(from path: String) throws -> SiteKey {
        var st = stat()
        guard lstat(path, &st) == 0 else {
            throw errno == ENOENT ? KeyError.missing(path) : KeyError.io(path, String(cString: strerror(errno)))
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw KeyError.io(path, "not a regular file") }
        let mode = st.st_mode & 0o777
        guard mode & 0o077 == 0 else { throw KeyError.tooOpen(path, mode: Int(mode)) }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw KeyError.io(path, "cannot read") }
        guard let der = PEM.decode(text, label: "PRIVATE KEY"), der.count == pkcs8Prefix.count + 32,
              der.prefix(pkcs8Prefix.count) == pkcs8Prefix,
              let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: der.suffix(32)) else {
            throw KeyError.malformed(path, "expected an Ed25519 PRIVATE KEY in PEM (PKCS#8), as `retina keys init` writes")
        }
        return SiteKey(privateKey: key)
    }

    public func sign(_ data: Data) throws -> Data { try privateKey.signature(for: data) }

    /// PKCS#8 DER: SEQUENCE { INTEGER 0, AlgorithmIdentifier { id-Ed25519 }, OCTET STRING { OCTET STRING key } }.
    static let pkcs8Prefix = Data([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20])

    var privatePEM: String { PEM.encode(Self.pkcs8Prefix + privateKey.rawRepresentation, label: "PRIVATE KEY") }
}

/// A site's public key: the SubjectPublicKeyInfo PEM that goes into every bag, and its fingerprint,
/// the SHA-256 of the DER in hex (the same as `openssl pkey -pubin -in KEY -outform DER | sha256sum`).
public struct SitePublicKey: Sendable, Equatable {
    /// The raw 32-byte public key.
    public let raw: Data
    public var key: Curve25519.Signing.PublicKey { try! Curve25519.Signing.PublicKey(rawRepresentation: raw) }

    public init(_ key: Curve25519.Signing.PublicKey) { raw = key.rawRepresentation }

    public init(pem: String) throws {
        guard let der = PEM.decode(pem, label: "PUBLIC KEY"), der.count == Self.spkiPrefix.count + 32,
              der.prefix(Self.spkiPrefix.count) == Self.spkiPrefix,
              let key = try? Curve25519.Signing.PublicKey(rawRepresentation: der.suffix(32)) else {
            throw KeyError.malformed("public key", "expected an Ed25519 PUBLIC KEY in PEM (SubjectPublicKeyInfo)")
        }
        raw = key.rawRepresentation
    }

    /// SubjectPublicKeyInfo DER: SEQUENCE { AlgorithmIdentifier { id-Ed25519 }, BIT STRING key }.
    static let spkiPrefix = Data([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00])

    public var der: Data { Self.spkiPrefix + raw }
    public var pem: String { PEM.encode(der, label: "PUBLIC KEY") }
    public var fingerprint: String { Checksum.hex(SHA256.hash(data: der)) }

    public func isValidSignature(_ signature: Data, for data: Data) -> Bool { key.isValidSignature(signature, for: data) }

    /// A fingerprint as people paste it: any case, with or without `SHA256:` and colons.
    public static func normalise(fingerprint: String) -> String {
        var s = fingerprint.lowercased()
        if s.hasPrefix("sha256:") { s.removeFirst(7) }
        return s.filter(\.isHexDigit)
    }
}

/// Errors about key files, saying what to do.
public enum KeyError: Error, Sendable, CustomStringConvertible, Equatable {
    case exists(String)
    case missing(String)
    case tooOpen(String, mode: Int)
    case malformed(String, String)
    case io(String, String)

    public var description: String {
        switch self {
        case .exists(let p): "\(p) already exists: refusing to overwrite a signing key (move it away first, or use --out)"
        case .missing(let p): "no signing key at \(p): create one with `retina keys init` (or pass --key FILE, or set RETINA_KEY)"
        case .tooOpen(let p, let mode): "\(p) has mode \(String(mode, radix: 8)): a private key must be readable by its owner only — chmod 600 \(p)"
        case .malformed(let p, let m): "\(p): \(m)"
        case .io(let p, let m): "\(p): \(m)"
        }
    }
}

/// PEM armour (RFC 7468).
enum PEM {
    static func encode(_ der: Data, label: String) -> String {
        let b64 = der.base64EncodedString()
        var lines: [String] = []
        var i = b64.startIndex
        while i < b64.endIndex {
            let j = b64.index(i, offsetBy: 64, limitedBy: b64.endIndex) ?? b64.endIndex
            lines.append(String(b64[i..<j]))
            i = j
        }
        return "-----BEGIN \(label)-----\n" + lines.joined(separator: "\n") + "\n-----END \(label)-----\n"
    }

    static func decode(_ text: String, label: String) -> Data? {
        let begin = "-----BEGIN \(label)-----", end = "-----END \(label)-----"
        guard let b = text.range(of: begin), let e = text.range(of: end, range: b.upperBound..<text.endIndex) else { return nil }
        let body = text[b.upperBound..<e.lowerBound].filter { !$0.isWhitespace }
        return Data(base64Encoded: String(body))
    }
}
