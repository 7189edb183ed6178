import Events
import Evidence
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Office
import RetinaTestSupport
import Testing

/// `POST /api/exports` over real HTTP: the liaison's role, bodies that name events and never paths,
/// a bag under the server's exports folder that verifies.
@Suite(.serialized, .timeLimit(.minutes(2))) struct OfficeExportsTests {
    @Test func theLiaisonExportsAVerifiableBag() async throws {
        let dir = Fixtures.temporaryDirectory("office-exports")
        let store = try SQLiteEventStore(path: dir + "/events.db")
        let key = SiteKey()
        let port = Fixtures.freePort()
        var server = OfficeServer(store: store, evidence: EvidenceRoot(path: dir + "/evidence"), port: port)
        server.exports = OfficeExports(directory: dir + "/exports", key: key, ivaDeviceId: "31011500005030000001")
        let ready = AsyncStream<Void>.makeStream()
        let running = server
        let task = Task { try await running.run { _ in ready.continuation.yield() } }
        defer { task.cancel() }
        for await _ in ready.stream { break }
        let url = "http://127.0.0.1:\(port)/api/exports"

        // A real JPEG snapshot, referenced as the worker references it: inside the evidence folder.
        try FileManager.default.createDirectory(atPath: dir + "/evidence/snapshots", withIntermediateDirectories: true)
        let jpeg = dir + "/evidence/snapshots/snap.jpg"
        let ff = try Fixtures.run(try #require(Fixtures.which("ffmpeg")), ["-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=320x240", "-frames:v", "1", jpeg])
        #expect(ff.status == 0)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: jpeg))
        let event = Event(type: "crowd.density", priority: .p1, level: .red,
                          source: EventSource(producer: "retina", camera: "gate-1", deviceId: "31011500001320000001", group: "compound-7", zone: "plaza"),
                          occurredAt: Date(), payload: .object(["count": .number(40), "densityPerM2": .number(5.2)]),
                          evidence: [EvidenceRef(kind: .snapshot, uri: "snapshots/snap.jpg", mime: "image/jpeg",
                                                 size: bytes.count, sha256: Checksum.sha256Hex(bytes))])
        _ = try await store.publish([event])
        let id = event.id.uuidString.lowercased()
        let body = #"{"events": ["\#(id)"], "reason": "Case 2026-118", "requester": "Huangpu PSB"}"#

        #expect(try await OfficeServerTests.request("POST", url, token: nil, body: body).status == 401)
        let op = try await store.createToken(name: "Wang Li", role: .operator_)
        #expect(try await OfficeServerTests.request("POST", url, token: op, body: body).status == 403)
        let liaison = try await store.createToken(name: "Zhao Min", role: .liaison)
        // A path in the body is refused, not used.
        let traversal = try await OfficeServerTests.request("POST", url, token: liaison, body: #"{"events": ["\#(id)"], "out": "../../etc"}"#)
        #expect(traversal.status == 400 && traversal.body.contains("unknown field 'out'"))
        #expect(try await OfficeServerTests.request("POST", url, token: liaison, body: #"{"incident": "x", "events": ["\#(id)"]}"#).status == 400)
        #expect(try await OfficeServerTests.request("POST", url, token: liaison, body: #"{"events": ["\#(UUID().uuidString)"]}"#).status == 404)

        let created = try await OfficeServerTests.request("POST", url, token: liaison, body: body)
        #expect(created.status == 201, "\(created.body)")
        struct Created: Decodable { let id: String; let bag: String; let events: Int; let snapshots: Int; let fingerprint: String }
        let summary = try JSONDecoder().decode(Created.self, from: Data(created.body.utf8))
        #expect(summary.events == 1 && summary.snapshots == 1 && summary.fingerprint == key.publicKey.fingerprint)
        // The answer names the bag, never the server's paths.
        #expect(summary.bag == summary.id && !created.body.contains(dir), "\(created.body)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/exports") == [summary.id])
        let bag = dir + "/exports/" + summary.bag
        let report = BagVerifier(trusted: [key.publicKey.fingerprint]).verify(path: bag)
        #expect(report.ok, "\(report.failures.map(\.message))")
        // The custody log names the token's holder and role; the event is on hold.
        let custody = try String(contentsOfFile: bag + "/data/custody.jsonl", encoding: .utf8)
        #expect(custody.contains("\"actor\":\"Zhao Min\"") && custody.contains("\"role\":\"liaison\""))
        #expect(try await store.event(id: event.id)?.held == true)
    }

    @Test func exportsOffWithoutAFolder() async throws {
        let dir = Fixtures.temporaryDirectory("office-no-exports")
        let store = try SQLiteEventStore(path: dir + "/events.db")
        let port = Fixtures.freePort()
        let server = OfficeServer(store: store, evidence: EvidenceRoot(path: dir + "/evidence"), port: port)
        let ready = AsyncStream<Void>.makeStream()
        let task = Task { try await server.run { _ in ready.continuation.yield() } }
        defer { task.cancel() }
        for await _ in ready.stream { break }
        let liaison = try await store.createToken(name: "Zhao Min", role: .liaison)
        let r = try await OfficeServerTests.request("POST", "http://127.0.0.1:\(port)/api/exports", token: liaison, body: #"{"incident": "x"}"#)
        #expect(r.status == 503 && r.body.contains("not configured"))
    }
}
