import Events
import Evidence
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Office
import RetinaTestSupport
import Testing

/// Issue 15's findings, each replayed over real HTTP against a real server on a real SQLite file,
/// as the probe made them. On the code before the fix each of these answered 2xx (or 500).
@Suite(.serialized, .timeLimit(.minutes(2))) struct OfficeHardeningTests {
    typealias S = OfficeServerTests

    static let fallJSON = #"{"id": "%@", "type": "fall.detected", "source": {"producer": "fall-detection"}, "occurredAt": "%@", "payload": {"subjectRef": "resident-0412", "deviceType": "radar"}%@}"#

    static func fall(_ id: UUID = UUID(), at time: String = RFC3339.format(Date()), extra: String = "") -> String {
        String(format: fallJSON, id.uuidString.lowercased(), time, extra)
    }

    /// An event as a planted row would hold it (written straight into the store, as a producer
    /// could before: evidence naming any file, with that file's real hash).
    static func plant(_ s: S.Running, uri: String, file: String) async throws -> UUID {
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        let e = Event(type: "fall.detected", priority: .p1, source: EventSource(producer: "fall-detection"), occurredAt: Date(),
                      payload: .object(["subjectRef": .string("r")]),
                      evidence: [EvidenceRef(kind: .snapshot, uri: uri, mime: "image/jpeg", size: data.count, sha256: Checksum.sha256Hex(data))])
        _ = try await s.store.publish([e])
        return e.id
    }

    static func jpeg(_ path: String, size: String = "64x48") throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let r = try Fixtures.run(try #require(Fixtures.which("ffmpeg")), ["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                                                                          "testsrc=size=\(size)", "-frames:v", "1", path])
        #expect(r.status == 0)
    }

    // 1. Any readable file was served as a snapshot.
    @Test func finding1_aPlantedFileIsNeverServedAsASnapshot() async throws {
        let s = try await S.start()
        defer { s.task.cancel() }
        let producer = try await s.store.createToken(name: "fall-gateway", role: .producer)
        let op = try await s.store.createToken(name: "Wang Li", role: .operator_)
        let keyPath = Fixtures.temporaryDirectory("keys") + "/site-key.pem"
        _ = try SiteKey.create(at: keyPath)

        // Over the API the evidence field itself is refused.
        let body = Self.fall(extra: #", "evidence": [{"kind": "snapshot", "uri": "file://\#(keyPath)"}]"#)
        let refused = try await S.request("POST", s.base + "/api/events", token: producer, body: body)
        #expect(refused.status == 400 && refused.body.contains("event.evidence"), "\(refused)")

        // A reference already in a store (older versions let producers write them) is never followed.
        for (uri, file) in [("file://" + keyPath, keyPath), ("file:///etc/passwd", "/etc/passwd"), ("../../keys/site-key.pem", keyPath)] {
            let id = try await Self.plant(s, uri: uri, file: file)
            let r = try await S.request("GET", s.base + "/api/snapshots/\(id.uuidString.lowercased())", token: op)
            #expect(r.status == 409 && !r.body.contains("PRIVATE KEY") && !r.body.contains("root:"), "\(uri): \(r.status) \(r.body.prefix(80))")
        }
        // A real snapshot of the evidence folder is served, with its type from its bytes.
        try Self.jpeg(s.evidence + "/snapshots/gate-1/today/a.jpg")
        let real = try await Self.plant(s, uri: "snapshots/gate-1/today/a.jpg", file: s.evidence + "/snapshots/gate-1/today/a.jpg")
        let ok = try await S.send("GET", s.base + "/api/snapshots/\(real.uuidString.lowercased())", token: op)
        #expect(ok.status == 200 && ok.headers["content-type"] == "image/jpeg")
    }

    // 2. The same planted URI put the private key into a signed police export.
    @Test func finding2_aPlantedKeyNeverEntersAnExport() async throws {
        let dir = Fixtures.temporaryDirectory("hardening-exports")
        let s = try await S.start(exports: (SiteKey(), dir + "/exports"))
        defer { s.task.cancel() }
        let liaison = try await s.store.createToken(name: "Zhao Min", role: .liaison)
        let keyPath = dir + "/site-key.pem"
        _ = try SiteKey.create(at: keyPath)
        let id = try await Self.plant(s, uri: "file://" + keyPath, file: keyPath)
        let r = try await S.request("POST", s.base + "/api/exports", token: liaison, body: #"{"events": ["\#(id.uuidString.lowercased())"]}"#)
        #expect(r.status == 422 && r.body.contains("not a file the server stored"), "\(r)")
        #expect(!r.body.contains(keyPath) || r.body.contains("evidence '"), "\(r.body)")
        let made = (try? FileManager.default.contentsOfDirectory(atPath: dir + "/exports")) ?? []
        #expect(made.isEmpty, "a refused export leaves nothing: \(made)")
    }

    // 3. A producer set workflow fields.
    @Test func finding3_producersCannotSetWorkflowFieldsAndTheHistoryNamesTheToken() async throws {
        let s = try await S.start()
        defer { s.task.cancel() }
        let producer = try await s.store.createToken(name: "fall-gateway", role: .producer)
        let id = UUID()
        let planted = Self.fall(id, extra: #", "state": "resolved", "claimedBy": "Wang Li", "held": true, "escalated": true, "repeats": 99"#)
        let r = try await S.request("POST", s.base + "/api/events", token: producer, body: planted)
        #expect(r.status == 400)
        for field in ["state", "claimedBy", "held", "escalated", "repeats"] { #expect(r.body.contains("event.\(field): a workflow field"), "\(field)") }
        #expect(try await s.store.event(id: id) == nil, "nothing of a refused body is stored")
        // The same fall without them enters the queue; the history names the token, not the body.
        let body = Self.fall(id).replacingOccurrences(of: #""producer": "fall-detection""#, with: #""producer": "Wang Li""#)
        #expect(try await S.request("POST", s.base + "/api/events", token: producer, body: body).status == 202)
        let stored = try #require(try await s.store.event(id: id))
        #expect(stored.state == .new && !stored.held && !stored.escalated && stored.repeats == 0)
        #expect(try await s.store.history(of: id).first?.actor == "fall-gateway")
    }

    // 4. A claim lease was not validated.
    @Test func finding4_claimLeasesAreChecked() async throws {
        let s = try await S.start()
        defer { s.task.cancel() }
        let producer = try await s.store.createToken(name: "fall-gateway", role: .producer)
        let op = try await s.store.createToken(name: "Wang Li", role: .operator_)
        let id = UUID()
        #expect(try await S.request("POST", s.base + "/api/events", token: producer, body: Self.fall(id)).status == 202)
        for lease in ["nan", "-1e11", "inf", "1e308", "abc", "0", "-1", "86400"] {
            let r = try await S.request("POST", s.base + "/api/queue/claim?lease=\(lease)", token: op)
            #expect(r.status == 400 && r.body.contains("lease"), "lease=\(lease): \(r)")
        }
        let act = try await S.request("POST", s.base + "/api/events/\(id.uuidString.lowercased())/claim", token: op, body: #"{"lease": 1e308}"#)
        #expect(act.status == 400)
        // Nothing unusable was stored: the queue still lists, shows and releases for everyone.
        #expect(try await S.get(s.base + "/api/events", token: op).status == 200)
        #expect(try await S.request("POST", s.base + "/api/queue/claim?lease=60", token: op).status == 200)
        #expect(try await S.request("POST", s.base + "/api/events/\(id.uuidString.lowercased())/release", token: op).status == 200)
    }

    // 5. Deep payloads were stored, then broke the list.
    @Test func finding5_deepPayloadsAreRefusedAndTheListStaysReadable() async throws {
        let s = try await S.start()
        defer { s.task.cancel() }
        let producer = try await s.store.createToken(name: "fall-gateway", role: .producer)
        let op = try await s.store.createToken(name: "Wang Li", role: .operator_)
        for depth in [510, 512, 2000] {
            let payload = String(repeating: #"{"a":"#, count: depth) + "1" + String(repeating: "}", count: depth)
            let body = #"{"type": "crowd.density", "source": {"producer": "x"}, "occurredAt": "\#(RFC3339.format(Date()))", "payload": \#(payload)}"#
            let r = try await S.request("POST", s.base + "/api/events", token: producer, body: body)
            #expect(r.status == 400 && r.body.contains("nested deeper"), "depth \(depth): \(r.status) \(r.body.prefix(200))")
        }
        let list = try await S.get(s.base + "/api/events", token: op)
        #expect(list.status == 200 && list.body == "[]")
    }

    // Also seen: tokens in URLs, filters silently ignored, control characters, impossible clocks.
    @Test func tokensInURLsAreRefusedAndFiltersAreChecked() async throws {
        let s = try await S.start()
        defer { s.task.cancel() }
        let admin = try await s.store.createToken(name: "Admin Zhao", role: .admin)
        let producer = try await s.store.createToken(name: "fall-gateway", role: .producer)
        for path in ["/api/events", "/api/tokens", "/api/stream", "/api/snapshots/\(UUID())"] {
            let r = try await S.request("GET", s.base + path + "?access_token=" + admin, token: nil)
            #expect(r.status == 400 && r.body.contains("not accepted in URLs"), "\(path): \(r)")
        }
        for query in ["state=bogus", "priority=P9", "limit=abc", "limit=-1", "limit=0", "limit=5000", "order=sideways",
                      "since=yesterday", "colour=red", "type=fall%0Adetected"] {
            let r = try await S.request("GET", s.base + "/api/events?" + query, token: admin)
            let name = String(query.prefix { $0 != "=" })
            #expect(r.status == 400 && r.body.contains(#""message":"\#(name)"#), "\(query): \(r)")
        }
        #expect(try await S.get(s.base + "/api/events?state=new&priority=P1&limit=5&order=queue", token: admin).status == 200)
        let newline = Self.fall().replacingOccurrences(of: "fall.detected", with: #"fall.detected\nx"#)
        #expect(try await S.request("POST", s.base + "/api/events", token: producer, body: newline).status == 400)
        for time in ["0001-01-01T00:00:00Z", "9999-01-01T00:00:00Z"] {
            let r = try await S.request("POST", s.base + "/api/events", token: producer, body: Self.fall(at: time))
            #expect(r.status == 400 && r.body.contains("event.occurredAt"), "\(time): \(r)")
        }
        #expect(try await S.request("POST", s.base + "/api/events", token: producer, body: Self.fall()).status == 202)
    }

    @Test func anOperatorCannotCloseAnotherOperatorsClaim() async throws {
        let s = try await S.start()
        defer { s.task.cancel() }
        let producer = try await s.store.createToken(name: "fall-gateway", role: .producer)
        let wang = try await s.store.createToken(name: "Wang Li", role: .operator_)
        let li = try await s.store.createToken(name: "Li Na", role: .operator_)
        let sup = try await s.store.createToken(name: "Chen Jie", role: .supervisor)
        let id = UUID()
        #expect(try await S.request("POST", s.base + "/api/events", token: producer, body: Self.fall(id)).status == 202)
        let url = s.base + "/api/events/\(id.uuidString.lowercased())"
        #expect(try await S.request("POST", url + "/claim", token: wang).status == 200)
        let taken = try await S.request("POST", url + "/resolve", token: li)
        #expect(taken.status == 409 && taken.body.contains("claimed by Wang Li"), "\(taken)")
        #expect(try await S.request("POST", url + "/release", token: li).status == 409)
        #expect(try await S.request("POST", url + "/false_alarm", token: sup).status == 200)
    }

    @Test func everyErrorIsJSONWithARequestId() async throws {
        let s = try await S.start()
        defer { s.task.cancel() }
        let producer = try await s.store.createToken(name: "fall-gateway", role: .producer)
        let op = try await s.store.createToken(name: "Wang Li", role: .operator_)
        func check(_ r: (status: Int, body: String, headers: [String: String]), _ status: Int, _ what: String) throws {
            #expect(r.status == status, "\(what): \(r.status) \(r.body)")
            let object = try JSONSerialization.jsonObject(with: Data(r.body.utf8)) as? [String: Any]
            let error = try #require(object?["error"] as? [String: Any], "\(what): \(r.body)")
            let id = try #require(error["requestId"] as? String)
            #expect(!(error["message"] as? String ?? "").isEmpty && error["status"] as? Int == status)
            #expect(r.headers["x-request-id"] == id, "\(what): the header and the body name the same request")
        }
        try check(try await S.send("GET", s.base + "/api/nowhere", token: op), 404, "unknown route")
        try check(try await S.send("GET", s.base + "/api/events", token: nil), 401, "no token")
        try check(try await S.send("POST", s.base + "/api/events", token: producer, body: Data(count: 5 << 20)), 413, "too large")
        // A row the store cannot read back (a damaged file): 500, with an id and no detail for the client.
        _ = try await s.store.publish([Event(type: "crowd.density", priority: .p4, source: EventSource(producer: "retina"), occurredAt: Date())])
        let sqlite = try #require(Fixtures.which("sqlite3"))
        #expect(try Fixtures.run(sqlite, [s.store.path, "UPDATE events SET doc = '{\"broken\": true}'"]).status == 0)
        let broken = try await S.send("GET", s.base + "/api/events", token: op)
        try check(broken, 500, "unreadable row")
        #expect(!broken.body.contains(s.store.path) && broken.body.contains("server log"))
    }

    @Test func aProducerUploadsAPictureThatTheServerStoresAndHashes() async throws {
        let s = try await S.start()
        defer { s.task.cancel() }
        let producer = try await s.store.createToken(name: "fall-gateway", role: .producer)
        let other = try await s.store.createToken(name: "door-sensors", role: .producer)
        let op = try await s.store.createToken(name: "Wang Li", role: .operator_)
        let id = UUID()
        #expect(try await S.request("POST", s.base + "/api/events", token: producer, body: Self.fall(id)).status == 202)
        let url = s.base + "/api/events/\(id.uuidString.lowercased())/evidence"
        let jpegPath = Fixtures.temporaryDirectory("upload") + "/fall.jpg"
        try Self.jpeg(jpegPath, size: "320x240")
        let jpeg = try Data(contentsOf: URL(fileURLWithPath: jpegPath))

        #expect(try await S.send("POST", url, token: producer, body: Data("-----BEGIN PRIVATE KEY-----".utf8), contentType: "image/jpeg").status == 415)
        #expect(try await S.send("POST", url, token: other, body: jpeg, contentType: "image/jpeg").status == 403)
        #expect(try await S.send("POST", url, token: op, body: jpeg, contentType: "image/jpeg").status == 403)
        #expect(try await S.send("POST", url, token: producer, body: Data(count: 9 << 20), contentType: "image/jpeg").status == 413)
        let stored = try await S.send("POST", url, token: producer, body: jpeg, contentType: "image/jpeg")
        #expect(stored.status == 201, "\(stored)")
        let event = try #require(try await s.store.event(id: id))
        let ref = try #require(event.evidence.first)
        #expect(ref.sha256 == Checksum.sha256Hex(jpeg) && ref.size == jpeg.count && ref.uri.hasPrefix("uploads/fall-gateway/"))
        #expect(FileManager.default.contents(atPath: s.evidence + "/" + ref.uri) == jpeg)
        #expect(try await S.send("POST", url, token: producer, body: jpeg, contentType: "image/jpeg").status == 200)  // the same picture: nothing new
        let served = try await S.send("GET", s.base + "/api/snapshots/\(id.uuidString.lowercased())", token: op)
        #expect(served.status == 200 && served.headers["content-type"] == "image/jpeg")
        #expect(try await s.store.history(of: id).last.map { $0.action == "evidence_added" && $0.actor == "fall-gateway" } == true)
    }

    @Test func thePageSignsInWithACookieAndCookieChangesNeedTheHeader() async throws {
        let s = try await S.start()
        defer { s.task.cancel() }
        let op = try await s.store.createToken(name: "Wang Li", role: .operator_)
        #expect(try await S.request("POST", s.base + "/api/session", token: nil, body: #"{"token": "rt_wrong"}"#).status == 401)
        let signIn = try await S.send("POST", s.base + "/api/session", token: nil, body: Data(#"{"token": "\#(op)"}"#.utf8))
        #expect(signIn.status == 201 && signIn.body.contains("Wang Li"))
        let setCookie = try #require(signIn.headers["set-cookie"])
        #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict") && !setCookie.contains(op))
        let cookie = String(setCookie.prefix { $0 != ";" })
        let session = S.send
        #expect(try await session("GET", s.base + "/api/events", nil, nil, "application/json", ["Cookie": cookie]).status == 200)
        #expect(try await session("GET", s.base + "/api/session", nil, nil, "application/json", ["Cookie": cookie]).body.contains("operator"))
        // A change by cookie alone (what a cross-site form could send) is refused; the page's header passes.
        let claim = s.base + "/api/queue/claim"
        #expect(try await session("POST", claim, nil, nil, "application/json", ["Cookie": cookie]).status == 403)
        #expect(try await session("POST", claim, nil, nil, "application/json", ["Cookie": cookie, "X-Requested-With": "retina-office"]).status == 204)
        // Signing out ends the session; revoking the token ends every session made with it.
        #expect(try await session("DELETE", s.base + "/api/session", nil, nil, "application/json", ["Cookie": cookie]).status == 204)
        #expect(try await session("GET", s.base + "/api/events", nil, nil, "application/json", ["Cookie": cookie]).status == 401)
        let again = try await S.send("POST", s.base + "/api/session", token: nil, body: Data(#"{"token": "\#(op)"}"#.utf8))
        let cookie2 = String(try #require(again.headers["set-cookie"]).prefix { $0 != ";" })
        _ = try await s.store.revokeToken(id: try #require(try await s.store.tokens().first).id)
        #expect(try await session("GET", s.base + "/api/events", nil, nil, "application/json", ["Cookie": cookie2]).status == 401)
    }
}
