import Events
import Evidence
import Foundation
import RetinaTestSupport
import Testing

/// Export → verify on real files, then every kind of tampering, each named precisely.
@Suite(.serialized) struct ExportVerifyTests {
    @Test func roundTripVerifies() async throws {
        let w = try EvidenceWorld()
        let a = try await w.publishCrowd()
        let b = try await w.publishCrowd(camera: "gate-2", deviceId: "31011500001320000002", at: Date(timeIntervalSince1970: 1_795_000_060))
        let summary = try await w.export(ExportSelection(events: [a.id, b.id]))
        #expect(summary.events == 2 && summary.snapshots == 2 && summary.clips == 2)
        #expect(summary.fingerprint == w.key.publicKey.fingerprint)
        let report = BagVerifier(trusted: [w.key.publicKey.fingerprint]).verify(path: summary.path)
        #expect(report.ok, "\(report.messages)")
        #expect(report.signerTrusted == true)
        #expect(report.payloadFiles == summary.files)
        let all = files(under: summary.path)
        for name in ["bagit.txt", "bag-info.txt", "manifest-sha256.txt", "manifest-md5.txt", "tagmanifest-sha256.txt",
                     "tagmanifest-sha256.txt.sig", "signing-key.pem", "data/custody.jsonl", "data/extraction_list.csv",
                     "data/extraction_list.json", "data/extraction_record.json", "data/clock.json",
                     "data/gat1400/video-labels.json", "data/gat1400/images.json",
                     "data/gb28181/\(a.id.uuidString.lowercased()).xml", "data/events/\(b.id.uuidString.lowercased()).json"] {
            #expect(all.contains(name), "\(name) missing from \(all)")
        }
        // The copies are byte-identical to the originals (never transcoded), as sha256sum sees them.
        let clip = summary.path + "/data/native/gate-1/\(a.id.uuidString.lowercased())-clip-1.mp4"
        let copied = try Data(contentsOf: URL(fileURLWithPath: clip))
        #expect(Fixtures.sha256(copied) == a.evidence[1].sha256)
        // The private key is never in the bag.
        let privatePEM = try String(contentsOfFile: summary.path + "/signing-key.pem", encoding: .utf8)
        #expect(privatePEM.contains("PUBLIC KEY") && !privatePEM.contains("PRIVATE"))
        // Legal hold, with the export's id in the history.
        let held = try #require(try await w.store.event(id: a.id))
        #expect(held.held)
        #expect(try await w.store.history(of: a.id).contains { $0.action == "hold" && $0.note == "export \(summary.id)" })
        // The extraction record names reason, requester and who extracted.
        let record = try JSONDecoder().decode(ExtractionRecordDocument.self, from: Data(contentsOf: URL(fileURLWithPath: summary.path + "/data/extraction_record.json")))
        #expect(record.reason == "Case 2026-118" && record.requester == "Huangpu PSB" && record.extractedBy == "Li Na")
    }

    @Test func opensslAcceptsTheSignature() async throws {
        guard let openssl = Fixtures.which("openssl") else { return }
        let w = try EvidenceWorld()
        let a = try await w.publishCrowd(clip: false)
        let s = try await w.export(ExportSelection(events: [a.id]))
        let r = try Fixtures.run(openssl, ["pkeyutl", "-verify", "-pubin", "-inkey", s.path + "/signing-key.pem", "-rawin",
                                           "-in", s.path + "/tagmanifest-sha256.txt", "-sigfile", s.path + "/tagmanifest-sha256.txt.sig"])
        #expect(r.status == 0 && r.output.contains("Verified Successfully"), "\(r.output)")
    }

    /// One bag, copied for each kind of tampering.
    @Test func everyTamperingIsNamed() async throws {
        let w = try EvidenceWorld()
        let a = try await w.publishCrowd()
        let bag = try await w.export(ExportSelection(events: [a.id])).path
        let id = a.id.uuidString.lowercased()
        let clip = "data/native/gate-1/\(id)-clip-1.mp4"
        let snapshot = "data/native/gate-1/\(id)-snapshot-1.jpg"

        // Flip one byte of the clip.
        let flipped = try copyBag(bag)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: flipped + "/" + clip))
        bytes[bytes.count / 2] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: flipped + "/" + clip))
        var r = BagVerifier().verify(path: flipped)
        #expect(!r.ok)
        let hash = try #require(r.failures.first { $0.kind == "hash" && $0.file == clip })
        #expect(hash.expected == a.evidence[1].sha256 && hash.actual == Checksum.sha256Hex(bytes))
        #expect(hash.message.contains(clip) && hash.message.contains(a.evidence[1].sha256!) && hash.message.contains(Checksum.sha256Hex(bytes)))

        // Delete the snapshot.
        let deleted = try copyBag(bag)
        try FileManager.default.removeItem(atPath: deleted + "/" + snapshot)
        r = BagVerifier().verify(path: deleted)
        #expect(r.failures.contains { $0.kind == "missing" && $0.message == "missing payload file \(snapshot): listed in manifest-sha256.txt but not in the bag" }, "\(r.messages)")

        // Add a file.
        let added = try copyBag(bag)
        try Data("planted".utf8).write(to: URL(fileURLWithPath: added + "/data/native/gate-1/extra.jpg"))
        r = BagVerifier().verify(path: added)
        #expect(r.failures.map(\.message) == ["extra payload file data/native/gate-1/extra.jpg: it is not in manifest-sha256.txt (added after the export)"], "\(r.messages)")

        // Edit a custody line (line 2, the hold): line 3's chain link names it.
        let edited = try copyBag(bag)
        let logPath = edited + "/data/custody.jsonl"
        var lines = try String(contentsOfFile: logPath, encoding: .utf8).components(separatedBy: "\n")
        lines[1] = lines[1].replacingOccurrences(of: "\"actor\":\"Li Na\"", with: "\"actor\":\"Someone Else\"")
        try lines.joined(separator: "\n").write(toFile: logPath, atomically: true, encoding: .utf8)
        r = BagVerifier().verify(path: edited)
        let custody = try #require(r.failures.first { $0.kind == "custody" })
        #expect(custody.line == 3 && custody.message.contains("data/custody.jsonl line 3") && custody.message.contains("line 2 was changed"), "\(r.messages)")
        #expect(r.failures.contains { $0.kind == "hash" && $0.file == "data/custody.jsonl" })

        // Edit the last custody line: bag-info's Custody-Log-Head names it.
        let last = try copyBag(bag)
        var tail = try String(contentsOfFile: last + "/data/custody.jsonl", encoding: .utf8).components(separatedBy: "\n")
        let n = tail.count - 1  // the log ends with a newline
        tail[n - 1] = tail[n - 1].replacingOccurrences(of: "\"action\":\"verify\"", with: "\"action\":\"verified\"")
        try tail.joined(separator: "\n").write(toFile: last + "/data/custody.jsonl", atomically: true, encoding: .utf8)
        r = BagVerifier().verify(path: last)
        #expect(r.failures.contains { $0.kind == "custody" && $0.line == n && $0.message.contains("Custody-Log-Head") }, "\(r.messages)")

        // Replace the public key, keep the signature: bad signature.
        let other = SiteKey()
        let replaced = try copyBag(bag)
        try Data(other.publicKey.pem.utf8).write(to: URL(fileURLWithPath: replaced + "/signing-key.pem"))
        r = BagVerifier().verify(path: replaced)
        #expect(r.failures.contains { $0.kind == "signature" && $0.message.hasPrefix("bad signature: tagmanifest-sha256.txt.sig") }, "\(r.messages)")
        #expect(r.failures.contains { $0.kind == "hash" && $0.file == "signing-key.pem" })

        // Re-sign everything with another key: self-consistent, so only a trusted fingerprint catches it.
        let resigned = try copyBag(bag)
        try Self.reseal(resigned, with: other)
        #expect(BagVerifier().verify(path: resigned).ok, "a consistent re-seal verifies without a trusted key")
        r = BagVerifier(trusted: [w.key.publicKey.fingerprint]).verify(path: resigned)
        #expect(r.failures.map(\.kind) == ["key"])
        #expect(r.failures[0].message.contains("untrusted signer") && r.failures[0].message.contains(other.publicKey.fingerprint)
                && r.failures[0].message.contains(w.key.publicKey.fingerprint))

        // The untouched bag still verifies.
        #expect(BagVerifier(trusted: [w.key.publicKey.fingerprint]).verify(path: bag).ok)
    }

    /// What a forger with another key would do: new public key, bag-info, tag manifest, signature.
    static func reseal(_ bag: String, with key: SiteKey) throws {
        let info = try String(contentsOfFile: bag + "/bag-info.txt", encoding: .utf8)
            .components(separatedBy: "\n").map { $0.hasPrefix("Signing-Key-Fingerprint:") ? "Signing-Key-Fingerprint: \(key.publicKey.fingerprint)" : $0 }
            .joined(separator: "\n")
        try info.write(toFile: bag + "/bag-info.txt", atomically: true, encoding: .utf8)
        try key.publicKey.pem.write(toFile: bag + "/signing-key.pem", atomically: true, encoding: .utf8)
        var tags = ""
        for name in ["bagit.txt", "bag-info.txt", "manifest-sha256.txt", "manifest-md5.txt", "signing-key.pem"] {
            tags += Checksum.sha256Hex(try Data(contentsOf: URL(fileURLWithPath: bag + "/" + name))) + "  " + name + "\n"
        }
        try tags.write(toFile: bag + "/tagmanifest-sha256.txt", atomically: true, encoding: .utf8)
        try key.sign(Data(tags.utf8)).write(to: URL(fileURLWithPath: bag + "/tagmanifest-sha256.txt.sig"))
    }

    @Test func zipRoundTripAndTamperedZip() async throws {
        let w = try EvidenceWorld()
        let a = try await w.publishCrowd()
        let out = w.dir + "/zipped"
        let s = try await w.export(ExportSelection(events: [a.id]), out: out, zip: true)
        #expect(s.path == out + "/\(s.id).zip")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out) == ["\(s.id).zip"], "nothing but the zip is left in --out")
        let report = BagVerifier().verify(path: s.path)
        #expect(report.ok, "\(report.messages)")
        #expect(report.payloadFiles == s.files)
        // Flip a byte inside the zip's stored (uncompressed) clip: the CRC or the hash must catch it.
        var zip = try Data(contentsOf: URL(fileURLWithPath: s.path))
        let clip = try Data(contentsOf: URL(fileURLWithPath: w.path(of: a.evidence[1])))
        let marker = clip[clip.count / 2 ..< clip.count / 2 + 32]
        let at = try #require(zip.range(of: marker))
        zip[at.lowerBound] ^= 0x01
        let bad = w.dir + "/bad.zip"
        try zip.write(to: URL(fileURLWithPath: bad))
        let r = BagVerifier().verify(path: bad)
        #expect(!r.ok)
        #expect(r.messages.contains("clip-1.mp4"), "\(r.messages)")
    }

    @Test func evidenceChangedSinceCaptureStopsTheExport() async throws {
        let w = try EvidenceWorld()
        let a = try await w.publishCrowd(clip: false)
        let path = w.path(of: a.evidence[0])
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        data[100] ^= 0xFF
        try data.write(to: URL(fileURLWithPath: path))
        let out = w.dir + "/refused"
        await #expect {
            try await w.export(ExportSelection(events: [a.id]), out: out)
        } throws: { error in
            guard case ExportError.evidenceHashMismatch(_, let file, let expected, let actual) = error else { return false }
            return file == path && expected == a.evidence[0].sha256 && actual == Checksum.sha256Hex(data)
                && "\(error)".contains(path)
        }
        #expect(!FileManager.default.fileExists(atPath: out), "a half-written bag is removed")
    }

    @Test func symbolicLinksAreNotFollowed() async throws {
        let w = try EvidenceWorld()
        let secret = w.dir + "/secret.txt"
        try Data("not evidence".utf8).write(to: URL(fileURLWithPath: secret))
        let link = w.dir + "/media/link.jpg"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: secret)
        let event = Event(type: "crowd.density", priority: .p2, level: .orange, source: EventSource(producer: "retina", camera: "gate-1"),
                          occurredAt: Date(), evidence: [EvidenceRef(kind: .snapshot, uri: "link.jpg", mime: "image/jpeg",
                                                                     sha256: Checksum.sha256Hex(Data("not evidence".utf8)))])
        _ = try await w.store.publish([event])
        await #expect {
            try await w.export(ExportSelection(events: [event.id]))
        } throws: { "\($0)".contains("symbolic link") && "\($0)".contains(link) }
    }

    @Test func outMustBeNewOrEmpty() async throws {
        let w = try EvidenceWorld()
        let a = try await w.publishCrowd(clip: false)
        let out = w.dir + "/busy"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try Data("x".utf8).write(to: URL(fileURLWithPath: out + "/keep.txt"))
        await #expect { try await w.export(ExportSelection(events: [a.id]), out: out) } throws: { "\($0)".contains("not empty") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: out) == ["keep.txt"])
        // An empty folder is fine.
        let empty = w.dir + "/empty"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        #expect(try await w.export(ExportSelection(events: [a.id]), out: empty).events == 1)
    }

    @Test func namesFromEventDataStayInsideOut() async throws {
        let w = try EvidenceWorld()
        let evil = try await w.publishCrowd(camera: "../../../escape", deviceId: nil, incident: "../../inc/..", zone: "../zone")
        let root = w.dir + "/nest"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let out = root + "/out"
        let s = try await w.export(ExportSelection(incident: "../../inc/.."), out: out)
        #expect(s.events == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root) == ["out"], "nothing written beside --out")
        #expect(!FileManager.default.fileExists(atPath: w.dir + "/escape"))
        let outReal = URL(fileURLWithPath: out).resolvingSymlinksInPath().path
        for f in files(under: out) {
            let real = URL(fileURLWithPath: out + "/" + f).resolvingSymlinksInPath().path
            #expect(real.hasPrefix(outReal + "/"), "\(f)")
            #expect(!f.split(separator: "/").contains(".."), "\(f)")
        }
        #expect(files(under: out).contains("data/native/_._.._.._escape/\(evil.id.uuidString.lowercased())-snapshot-1.jpg"), "\(files(under: out))")
        #expect(BagVerifier().verify(path: out).ok)
    }

    @Test func windowSelectionPagesThroughSharedTimestamps() async throws {
        let w = try EvidenceWorld()
        let t0 = Date(timeIntervalSince1970: 1_795_000_000)
        // Seven events at one instant and two later in compound-7, one elsewhere, one outside the window.
        for _ in 0..<7 { try await w.publishCrowd(at: t0, clip: false) }
        try await w.publishCrowd(at: t0 + 10, clip: false)
        try await w.publishCrowd(at: t0 + 20, clip: false)
        try await w.publishCrowd(group: "mall-2", at: t0 + 5, clip: false)
        try await w.publishCrowd(at: t0 + 3600, clip: false)
        var exporter = Exporter(store: w.store)
        exporter.pageSize = 3
        let s = try await exporter.export(w.request(ExportSelection(from: t0, to: t0 + 60, group: "compound-7"), out: w.dir + "/window"))
        #expect(s.events == 9)
        #expect(BagVerifier().verify(path: s.path).ok)
        await #expect { try await exporter.export(w.request(ExportSelection(from: t0 + 7200, to: t0 + 7300), out: w.dir + "/none")) }
            throws: { "\($0)".contains("no events match") }
    }

    @Test func exportingAHomeCamerasClearPictureIsAViewInItsHistoryAndInTheBag() async throws {
        let w = try EvidenceWorld("export-home")
        let clear = try EvidenceWorld.ref(.snapshot, try w.jpeg("clear"), mime: "image/jpeg")
        var restricted = clear
        restricted.privacy = .clear
        let fall = Event(type: .fallDetected, priority: .p1, source: EventSource(producer: "retina", camera: "home-1"),
                         occurredAt: Date(timeIntervalSince1970: 1_795_000_000), payload: .object(["subjectRef": .string("resident-0412")]),
                         evidence: [restricted])
        _ = try await w.store.publish([fall])
        let bag = try await w.export(ExportSelection(events: [fall.id])).path
        let views = try await w.store.history(of: fall.id).filter { $0.action == "evidence_viewed" }
        #expect(views.count == 1 && views.first?.actor == "Li Na", "\(views)")
        let copied = try String(contentsOfFile: bag + "/data/events/" + fall.id.uuidString.lowercased() + ".json", encoding: .utf8)
        #expect(copied.contains("evidence_viewed"), "the bag's copy of the history lacks the view")
    }
}
