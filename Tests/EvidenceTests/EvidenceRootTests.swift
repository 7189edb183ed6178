import Events
import Evidence
import Foundation
import RetinaTestSupport
import Testing

/// Issue 15, findings 1–2: nothing but the server's own evidence files can be read as evidence or
/// enter a bag, and `retina verify` refuses a bag that carries a key.
@Suite struct EvidenceRootTests {
    /// An event whose evidence names `uri` with the file's real hash, as a planted reference would.
    func planted(_ w: EvidenceWorld, uri: String, hashOf file: String, kind: EvidenceKind = .snapshot) async throws -> Event {
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        let event = Event(type: "crowd.density", priority: .p2, level: .orange, source: EventSource(producer: "retina", camera: "gate-1"),
                          occurredAt: Date(), evidence: [EvidenceRef(kind: kind, uri: uri, mime: "image/jpeg", size: data.count,
                                                                     sha256: Checksum.sha256Hex(data))])
        _ = try await w.store.publish([event])
        return event
    }

    @Test func theSiteKeyAndSystemFilesNeverEnterABag() async throws {
        let w = try EvidenceWorld()
        let keyPath = w.dir + "/site-key.pem"
        _ = try SiteKey.create(at: keyPath)
        for uri in ["file://" + keyPath, "file:///etc/passwd", "../site-key.pem", "/etc/passwd", "media/../../site-key.pem",
                    "https://example.invalid/x.jpg"] {
            let source = uri.hasSuffix("passwd") ? "/etc/passwd" : keyPath
            let event = try await planted(w, uri: uri, hashOf: source)
            let out = w.dir + "/out-\(UUID().uuidString.prefix(6))"
            await #expect(performing: { try await w.export(ExportSelection(events: [event.id]), out: out) },
                          throws: { "\($0)".contains("not a file the server stored in its evidence folder") })
            #expect(!FileManager.default.fileExists(atPath: out), "\(uri): a refused export leaves no bag")
        }
    }

    @Test func aKeyInsideTheEvidenceFolderIsStillNotAPicture() async throws {
        let w = try EvidenceWorld()
        _ = try SiteKey.create(at: w.dir + "/media/stolen.pem")
        let event = try await planted(w, uri: "stolen.pem", hashOf: w.dir + "/media/stolen.pem")
        await #expect(performing: { try await w.export(ExportSelection(events: [event.id])) },
                      throws: { "\($0)".contains("is not a snapshot by its content") })
        // Evidence without a hash recorded at capture is refused too (it was a warning before).
        let unhashed = Event(type: "crowd.density", priority: .p2, source: EventSource(producer: "retina", camera: "gate-1"), occurredAt: Date(),
                             evidence: [EvidenceRef(kind: .snapshot, uri: "x.jpg", mime: "image/jpeg")])
        _ = try await w.store.publish([unhashed])
        await #expect(performing: { try await w.export(ExportSelection(events: [unhashed.id])) },
                      throws: { "\($0)".contains("no SHA-256 recorded at capture") })
    }

    @Test func foldersOnTheWayAreNotFollowedThroughLinks() throws {
        let w = try EvidenceWorld()
        try FileManager.default.createDirectory(atPath: w.dir + "/elsewhere", withIntermediateDirectories: true)
        let jpeg = try w.jpeg("real")
        try FileManager.default.copyItem(atPath: jpeg, toPath: w.dir + "/elsewhere/x.jpg")
        try FileManager.default.createSymbolicLink(atPath: w.dir + "/media/snapshots", withDestinationPath: w.dir + "/elsewhere")
        #expect(throws: EvidenceFileError.self) { try w.evidence.open(uri: "snapshots/x.jpg") }
        // The real file, by its relative path and by the legacy absolute URL inside the folder.
        let ref = try EvidenceWorld.ref(.snapshot, jpeg, mime: "image/jpeg")
        #expect(try w.evidence.read(ref, limit: 1 << 20).count == ref.size)
        var legacy = ref
        legacy.uri = URL(fileURLWithPath: jpeg).absoluteString
        #expect(try w.evidence.read(legacy, limit: 1 << 20).count == ref.size)
        var changed = ref
        changed.sha256 = String(repeating: "0", count: 64)
        #expect(throws: EvidenceFileError.hashMismatch(w.dir + "/media/real.jpg")) { try w.evidence.read(changed, limit: 1 << 20) }
    }

    @Test func verifyRefusesABagThatHoldsAKey() async throws {
        let w = try EvidenceWorld()
        let a = try await w.publishCrowd(clip: false)
        let summary = try await w.export(ExportSelection(events: [a.id]))
        #expect(BagVerifier().verify(path: summary.path).ok)
        // A bag whose snapshot is a private key (made by an older version, or by hand).
        let bad = try copyBag(summary.path)
        let snapshot = bad + "/data/native/gate-1/\(a.id.uuidString.lowercased())-snapshot-1.jpg"
        _ = try? FileManager.default.removeItem(atPath: snapshot)
        _ = try SiteKey.create(at: snapshot)
        let report = BagVerifier().verify(path: bad)
        #expect(!report.ok)
        #expect(report.failures.contains { $0.kind == "secret" && $0.message.contains("holds a private key") }, "\(report.messages)")
    }
}
