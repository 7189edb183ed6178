import Foundation

/// One thing that does not hold in a bag, naming the file (and line) and what was expected.
public struct VerificationFailure: Sendable, Codable, Equatable, CustomStringConvertible {
    /// `hash`, `missing`, `extra`, `signature`, `key`, `custody`, `oxum`, `format`, `unsafe`.
    public var kind: String
    public var file: String
    public var line: Int?
    public var expected: String?
    public var actual: String?
    public var message: String

    public var description: String { message }
}

/// What `retina verify` found: `ok` only when every check held.
public struct VerificationReport: Sendable, Codable, Equatable {
    public var bag: String
    public var ok: Bool { failures.isEmpty }
    public var failures: [VerificationFailure]
    public var payloadFiles: Int
    public var payloadBytes: Int
    public var custodyLines: Int
    /// The signer's key fingerprint (SHA-256 of the public key's DER, hex), when the bag has a key.
    public var signer: String?
    /// Whether the signer is one of the keys the caller trusts (nil: none was given).
    public var signerTrusted: Bool?

    enum CodingKeys: String, CodingKey { case bag, ok, failures, payloadFiles, payloadBytes, custodyLines, signer, signerTrusted }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(bag, forKey: .bag)
        try c.encode(ok, forKey: .ok)
        try c.encode(failures, forKey: .failures)
        try c.encode(payloadFiles, forKey: .payloadFiles)
        try c.encode(payloadBytes, forKey: .payloadBytes)
        try c.encode(custodyLines, forKey: .custodyLines)
        try c.encodeIfPresent(signer, forKey: .signer)
        try c.encodeIfPresent(signerTrusted, forKey: .signerTrusted)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        bag = try c.decode(String.self, forKey: .bag)
        failures = try c.decode([VerificationFailure].self, forKey: .failures)
        payloadFiles = try c.decode(Int.self, forKey: .payloadFiles)
        payloadBytes = try c.decode(Int.self, forKey: .payloadBytes)
        custodyLines = try c.decode(Int.self, forKey: .custodyLines)
        signer = try c.decodeIfPresent(String.self, forKey: .signer)
        signerTrusted = try c.decodeIfPresent(Bool.self, forKey: .signerTrusted)
    }

    init(bag: String) {
        self.bag = bag
        failures = []
        payloadFiles = 0
        payloadBytes = 0
        custodyLines = 0
    }
}

/// Verifies a bag folder: the declaration, every tag file against the tag manifest, the signature
/// over the tag manifest with the bag's public key (and, when `trusted` is given, that this key is
/// one of them: a bag re-signed with another key is otherwise self-consistent), every payload file
/// against both manifests, completeness (no missing or extra payload file), the Payload-Oxum, and
/// the custody log's hash chain up to bag-info's `Custody-Log-Head`. Reads files in chunks; never
/// follows a symbolic link.
public struct BagVerifier: Sendable {
    /// Fingerprints of the keys whose signatures count (normalised hex); empty: any key, reported.
    public var trusted: [String]

    public init(trusted: [String] = []) { self.trusted = trusted.map(SitePublicKey.normalise(fingerprint:)) }

    public func verify(directory root: String) -> VerificationReport {
        var report = VerificationReport(bag: root)
        func fail(_ kind: String, _ file: String, line: Int? = nil, expected: String? = nil, actual: String? = nil, _ message: String) {
            report.failures.append(VerificationFailure(kind: kind, file: file, line: line, expected: expected, actual: actual, message: message))
        }
        func read(_ name: String) -> Data? {
            guard let fd = try? Files.openRegular(root + "/" + name) else { return nil }
            _ = posixClose(fd)
            return FileManager.default.contents(atPath: root + "/" + name)
        }

        // The declaration.
        guard let declaration = read(BagFiles.declaration) else {
            fail("format", BagFiles.declaration, "\(BagFiles.declaration) is missing: \(root) is not a BagIt bag")
            return report
        }
        if !String(decoding: declaration, as: UTF8.self).contains("BagIt-Version: 1.0") {
            fail("format", BagFiles.declaration, "\(BagFiles.declaration): expected BagIt-Version: 1.0")
        }

        // Tag manifest, then the signature over it.
        let tagData = read(BagFiles.tagManifest)
        if let tagData {
            for entry in parseManifest(tagData, name: BagFiles.tagManifest, fail: fail) {
                check(entry, root: root, manifest: BagFiles.tagManifest, algorithm: "sha256", fail: fail)
            }
        } else {
            fail("missing", BagFiles.tagManifest, "\(BagFiles.tagManifest) is missing: the tag files cannot be checked and nothing is signed")
        }
        if let pem = read(BagFiles.publicKey) {
            do {
                let key = try SitePublicKey(pem: String(decoding: pem, as: UTF8.self))
                report.signer = key.fingerprint
                if let tagData {
                    if let signature = read(BagFiles.signature) {
                        if !key.isValidSignature(signature, for: tagData) {
                            fail("signature", BagFiles.signature, actual: key.fingerprint,
                                 "bad signature: \(BagFiles.signature) is not a signature of \(BagFiles.tagManifest) by the key in \(BagFiles.publicKey) (fingerprint \(key.fingerprint)); the tag manifest or the key was changed")
                        }
                    } else {
                        fail("signature", BagFiles.signature, "\(BagFiles.signature) is missing: the bag is not signed")
                    }
                }
                if !trusted.isEmpty {
                    report.signerTrusted = trusted.contains(key.fingerprint)
                    if report.signerTrusted == false {
                        fail("key", BagFiles.publicKey, expected: trusted.joined(separator: " or "), actual: key.fingerprint,
                             "untrusted signer: \(BagFiles.publicKey) has fingerprint \(key.fingerprint), expected \(trusted.joined(separator: " or ")) (the bag was re-signed with another key)")
                    }
                }
            } catch {
                fail("key", BagFiles.publicKey, "\(BagFiles.publicKey): not an Ed25519 public key in PEM")
            }
        } else {
            fail("missing", BagFiles.publicKey, "\(BagFiles.publicKey) is missing: the signature cannot be checked")
        }

        // bag-info: the signer named there, the Payload-Oxum, the custody head.
        let info = read(BagFiles.info).map { BagInfo.parse(String(decoding: $0, as: UTF8.self)) } ?? []
        if info.isEmpty { fail("missing", BagFiles.info, "\(BagFiles.info) is missing or empty") }
        func field(_ name: String) -> String? { info.first { $0.0.lowercased() == name.lowercased() }?.1 }
        if let named = field("Signing-Key-Fingerprint"), let signer = report.signer, named != signer {
            fail("key", BagFiles.info, expected: named, actual: signer,
                 "\(BagFiles.info) names signing key \(named) but \(BagFiles.publicKey) has \(signer): the public key was replaced")
        }

        // Payload: every listed file with its hash, then files nobody listed.
        var listed = Set<String>()
        // Each file is read once: both digests come from that read.
        var digests: [String: FileDigest] = [:]
        if let manifest = read(BagFiles.manifestSHA256) {
            for entry in parseManifest(manifest, name: BagFiles.manifestSHA256, fail: fail) {
                guard entry.path.hasPrefix("data/") else {
                    fail("format", BagFiles.manifestSHA256, "\(BagFiles.manifestSHA256) lists \(entry.path), which is not under data/")
                    continue
                }
                listed.insert(entry.path)
                if let digest = check(entry, root: root, manifest: BagFiles.manifestSHA256, algorithm: "sha256", fail: fail) {
                    if digest.holdsPrivateKey {
                        fail("secret", entry.path, "\(entry.path) holds a private key: an evidence package never carries keys; refused")
                    }
                    digests[entry.path] = digest
                    report.payloadFiles += 1
                    report.payloadBytes += digest.size
                }
            }
        } else {
            fail("missing", BagFiles.manifestSHA256, "\(BagFiles.manifestSHA256) is missing: the payload cannot be checked")
        }
        if let md5 = read(BagFiles.manifestMD5) {
            for entry in parseManifest(md5, name: BagFiles.manifestMD5, fail: fail) where entry.path.hasPrefix("data/") {
                if !listed.contains(entry.path) {
                    fail("format", BagFiles.manifestMD5, "\(BagFiles.manifestMD5) lists \(entry.path), which \(BagFiles.manifestSHA256) does not")
                } else if let digest = digests[entry.path], digest.md5 != entry.hash,
                          !report.failures.contains(where: { $0.file == entry.path }) {
                    fail("hash", entry.path, expected: entry.hash, actual: digest.md5,
                         "\(entry.path): md5 expected \(entry.hash) (\(BagFiles.manifestMD5)), actual \(digest.md5): the file or the manifest was changed")
                }
            }
        }
        for file in payloadFiles(root: root, fail: fail) where !listed.contains(file) {
            fail("extra", file, "extra payload file \(file): it is not in \(BagFiles.manifestSHA256) (added after the export)")
        }
        if let oxum = field("Payload-Oxum"), oxum != "\(report.payloadBytes).\(report.payloadFiles)",
           !report.failures.contains(where: { $0.kind == "missing" || $0.kind == "hash" }) {
            fail("oxum", BagFiles.info, expected: oxum, actual: "\(report.payloadBytes).\(report.payloadFiles)",
                 "\(BagFiles.info) Payload-Oxum is \(oxum) but the manifest's files add up to \(report.payloadBytes).\(report.payloadFiles)")
        }

        // The custody chain.
        if let log = read(BagFiles.custodyLog) {
            var lines = log.split(separator: 0x0A, omittingEmptySubsequences: false).count
            if log.last == 0x0A { lines -= 1 }
            report.custodyLines = lines
            for p in CustodyLogVerifier.verify(log, head: field("Custody-Log-Head")) {
                fail("custody", BagFiles.custodyLog, line: p.line, "\(BagFiles.custodyLog) line \(p.line): \(p.message)")
            }
        } else if !report.failures.contains(where: { $0.file == BagFiles.custodyLog }) {
            fail("missing", BagFiles.custodyLog, "\(BagFiles.custodyLog) is missing: the custody log is part of every export")
        }
        return report
    }

    struct ManifestEntry { var hash: String; var path: String; var line: Int }

    func parseManifest(_ data: Data, name: String, fail: (String, String, Int?, String?, String?, String) -> Void) -> [ManifestEntry] {
        var entries: [ManifestEntry] = []
        for (i, raw) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
            let line = raw.trimmingCharacters(in: CharacterSet(charactersIn: "\r"))
            guard let space = line.firstIndex(where: { $0 == " " || $0 == "\t" }) else {
                fail("format", name, i + 1, nil, nil, "\(name) line \(i + 1): expected '<hash>  <path>'")
                continue
            }
            let hash = String(line[..<space]).lowercased()
            let path = BagPath.decode(String(line[space...]).trimmingCharacters(in: .whitespaces))
            let parts = path.split(separator: "/", omittingEmptySubsequences: false)
            guard !path.hasPrefix("/"), !parts.contains(where: { $0 == ".." || $0 == "." || $0.isEmpty }) else {
                fail("unsafe", name, i + 1, nil, nil, "\(name) line \(i + 1): path '\(path)' leaves the bag: refused")
                continue
            }
            entries.append(ManifestEntry(hash: hash, path: path, line: i + 1))
        }
        return entries
    }

    @discardableResult
    func check(_ entry: ManifestEntry, root: String, manifest: String, algorithm: String,
               fail: (String, String, Int?, String?, String?, String) -> Void) -> FileDigest? {
        do {
            let digest = try Files.digest(of: root + "/" + entry.path)
            let actual = algorithm == "md5" ? digest.md5 : digest.sha256
            if actual != entry.hash {
                fail("hash", entry.path, nil, entry.hash, actual,
                     "\(entry.path): \(algorithm) expected \(entry.hash) (\(manifest)), actual \(actual): the file was changed")
            }
            return digest
        } catch EvidenceFileError.missing {
            let what = entry.path.hasPrefix("data/") ? "missing payload file" : "missing tag file"
            fail("missing", entry.path, nil, entry.hash, nil, "\(what) \(entry.path): listed in \(manifest) but not in the bag")
        } catch EvidenceFileError.notRegular(_, let what) {
            fail("unsafe", entry.path, nil, nil, nil, "\(entry.path) is \(what), not a regular file")
        } catch {
            fail("missing", entry.path, nil, entry.hash, nil, "\(entry.path): cannot be read (\(error))")
        }
        return nil
    }

    /// Every file under `data/`, as bag paths; links and special files are reported, not followed.
    func payloadFiles(root: String, fail: (String, String, Int?, String?, String?, String) -> Void) -> [String] {
        var files: [String] = []
        let base = URL(fileURLWithPath: root + "/data")
        guard let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: [.isRegularFileKey, .isSymbolicLinkKey, .isDirectoryKey],
                                                          options: []) else { return [] }
        for case let url as URL in walker {
            let values = try? url.resourceValues(forKeys: [.isRegularFileKey, .isSymbolicLinkKey, .isDirectoryKey])
            let relative = "data/" + url.path.dropFirst(base.path.count + 1)
            if values?.isSymbolicLink == true {
                fail("unsafe", relative, nil, nil, nil, "\(relative) is a symbolic link: a bag holds regular files only")
                walker.skipDescendants()
            } else if values?.isRegularFile == true {
                files.append(String(relative))
            } else if values?.isDirectory != true {
                fail("unsafe", relative, nil, nil, nil, "\(relative) is not a regular file")
            }
        }
        return files
    }
}
