import Events
import Evidence
import Foundation
import RetinaTestSupport
import Testing

/// Legal hold against retention, and the site key's file rules.
@Suite struct HoldAndKeyTests {
    @Test func retentionKeepsExportedEvents() async throws {
        let w = try EvidenceWorld("retention")
        let old = Date(timeIntervalSince1970: 1_700_000_000)
        let exported = try await w.publishCrowd(at: old, clip: false)
        let other = try await w.publishCrowd(camera: "gate-2", at: old, clip: false)
        for e in [exported, other] {
            _ = try await w.store.perform(.acknowledge, on: e.id, by: "op", note: nil, lease: 0, now: Date())
            _ = try await w.store.perform(.resolve, on: e.id, by: "op", note: nil, lease: 0, now: Date())
        }
        _ = try await w.export(ExportSelection(events: [exported.id]))
        // A fresh connection to the same SQLite file, as `retina events purge` would open it.
        let store = try SQLiteEventStore(path: w.dir + "/events.db")
        let removed = try await store.applyRetention(olderThan: Date())
        #expect(removed == 1)
        let kept = try #require(try await store.event(id: exported.id))
        #expect(kept.held && kept.state == .resolved)
        #expect(try await store.event(id: other.id) == nil)
        #expect(try await store.history(of: exported.id).contains { $0.action == "hold" && $0.note?.hasPrefix("export EXP-") == true })
    }

    @Test func keyFilesAreOwnerOnlyAndNeverOverwritten() throws {
        let dir = Fixtures.temporaryDirectory("keys")
        let path = dir + "/sub/site-key.pem"
        let key = try SiteKey.create(at: path)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(try SiteKey.load(from: path).publicKey == key.publicKey)
        #expect(throws: KeyError.exists(path)) { try SiteKey.create(at: path) }
        #expect(try SiteKey.load(from: path).publicKey == key.publicKey, "the refused overwrite left the key as it was")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        #expect(throws: KeyError.tooOpen(path, mode: 0o644)) { try SiteKey.load(from: path) }
        // openssl reads the private key file (PKCS#8) and derives the same public key.
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        if let openssl = Fixtures.which("openssl") {
            let r = try Fixtures.run(openssl, ["pkey", "-in", path, "-pubout"])
            #expect(r.status == 0 && r.output == key.publicKey.pem, "\(r.output)")
        }
    }
}
