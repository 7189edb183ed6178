import Events
import Evidence
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Office
import RetinaTestSupport
import Testing

/// The office server on a real port over a real SQLite file, driven over HTTP.
@Suite(.serialized, .timeLimit(.minutes(2))) struct OfficeServerTests {
    struct Running {
        let base: String
        let store: SQLiteEventStore
        let task: Task<Void, Error>
        /// The server's evidence folder.
        let evidence: String
    }

    static func start(exports: (SiteKey, String)? = nil) async throws -> Running {
        let dir = Fixtures.temporaryDirectory("office")
        let store = try SQLiteEventStore(path: dir + "/events.db")
        let port = Fixtures.freePort()
        var server = OfficeServer(store: store, evidence: EvidenceRoot(path: dir + "/evidence"), port: port)
        if let (key, folder) = exports { server.exports = OfficeExports(directory: folder, key: key) }
        let ready = AsyncStream<Void>.makeStream()
        let running = server
        let task = Task { try await running.run { _ in ready.continuation.yield() } }
        for await _ in ready.stream { break }  // the port is open
        let base = "http://127.0.0.1:\(port)"
        return Running(base: base, store: store, task: task, evidence: dir + "/evidence")
    }

    static func request(_ method: String, _ url: String, token: String?, body: String? = nil) async throws -> (status: Int, body: String) {
        let r = try await send(method, url, token: token, body: body.map { Data($0.utf8) })
        return (r.status, r.body)
    }

    /// A request with raw bytes and extra headers; the answer with its headers.
    static func send(_ method: String, _ url: String, token: String?, body: Data? = nil, contentType: String = "application/json",
                     headers: [String: String] = [:]) async throws -> (status: Int, body: String, headers: [String: String]) {
        var r = URLRequest(url: URL(string: url)!)
        r.httpMethod = method
        if let token { r.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let body { r.httpBody = body; r.setValue(contentType, forHTTPHeaderField: "Content-Type") }
        for (k, v) in headers { r.setValue(v, forHTTPHeaderField: k) }
        let (data, response) = try await URLSession.shared.data(for: r)
        let http = response as? HTTPURLResponse
        var fields: [String: String] = [:]
        for (k, v) in http?.allHeaderFields ?? [:] { fields[String(describing: k).lowercased()] = String(describing: v) }
        return (http?.statusCode ?? 0, String(decoding: data, as: UTF8.self), fields)
    }
    /// Runs blocking work on a thread of its own.
    static func offPool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { c in Thread { c.resume(returning: work()) }.start() }
    }

    static func get(_ url: String, token: String?) async throws -> (status: Int, body: String) { try await request("GET", url, token: token) }

    static let fall = """
    {"id": "0d1b2c3e-4f50-4a6b-8c7d-9e0f1a2b3c4d", "type": "fall.detected", "source": {"producer": "fall-detection"},
     "occurredAt": "2026-11-23T11:00:00+08:00",
     "payload": {"subjectRef": "resident-0412", "deviceType": "radar", "postFallInactivitySeconds": 75}}
    """

    @Test func rolesAreChecked() async throws {
        let s = try await Self.start()
        defer { s.task.cancel() }
        let producer = try await s.store.createToken(name: "fall-gateway", role: .producer)
        #expect(try await Self.get(s.base + "/api/events", token: nil).status == 401)
        #expect(try await Self.get(s.base + "/api/events", token: "rt_not-a-token").status == 401)
        #expect(try await Self.get(s.base + "/api/events", token: producer).status == 403)
        let op = try await s.store.createToken(name: "Wang Li", role: .operator_)
        #expect(try await Self.get(s.base + "/api/events", token: op).status == 200)
        #expect(try await Self.request("POST", s.base + "/api/events", token: op, body: Self.fall).status == 403)
        let page = try await Self.get(s.base + "/", token: nil)
        #expect(page.status == 200 && page.body.contains("security office"))
    }

    @Test func adminsManageTokensAndSupervisorsReassign() async throws {
        let s = try await Self.start()
        defer { s.task.cancel() }
        let admin = try await s.store.createToken(name: "Admin Zhao", role: .admin)
        let op = try await s.store.createToken(name: "Wang Li", role: .operator_)
        #expect(try await Self.get(s.base + "/api/tokens", token: op).status == 403)
        let created = try await Self.request("POST", s.base + "/api/tokens", token: admin, body: #"{"name": "Chen Jie", "role": "supervisor"}"#)
        #expect(created.status == 201)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(created.body.utf8)) as? [String: Any])
        let sup = try #require(json["token"] as? String)
        let id = try #require((json["info"] as? [String: Any])?["id"] as? String)
        #expect(try await Self.request("POST", s.base + "/api/tokens", token: admin, body: #"{"name": "x", "role": "king"}"#).status == 400)
        let list = try await Self.get(s.base + "/api/tokens", token: admin)
        #expect(list.status == 200 && list.body.contains("Chen Jie") && !list.body.contains(sup))

        // A supervisor hands an operator's claim to someone else; an operator may not.
        _ = try await Self.request("POST", s.base + "/api/events", token: try await s.store.createToken(name: "gw", role: .producer), body: Self.fall)
        let claimed = try await Self.request("POST", s.base + "/api/queue/claim", token: op)
        #expect(claimed.status == 200)
        let eventURL = s.base + "/api/events/0d1b2c3e-4f50-4a6b-8c7d-9e0f1a2b3c4d"
        #expect(try await Self.request("POST", eventURL + "/reassign", token: op, body: #"{"note": "Li Na"}"#).status == 403)
        let moved = try await Self.request("POST", eventURL + "/reassign", token: sup, body: #"{"note": "Li Na"}"#)
        #expect(moved.status == 200 && moved.body.contains(#""claimedBy":"Li Na""#))
        #expect(try await Self.get(s.base + "/api/groups", token: op).status == 200)

        // Revoked: the token stops working at once.
        #expect(try await Self.request("DELETE", s.base + "/api/tokens/\(id)", token: admin).status == 200)
        #expect(try await Self.get(s.base + "/api/events", token: sup).status == 401)
        #expect(try await Self.request("DELETE", s.base + "/api/tokens/\(id)", token: admin).status == 404)
    }

    @Test func aPublishedFallIsClaimedFirstAndWorked() async throws {
        let s = try await Self.start()
        defer { s.task.cancel() }
        let producer = try await s.store.createToken(name: "fall-gateway", role: .producer)
        let op = try await s.store.createToken(name: "Wang Li", role: .operator_)
        let sup = try await s.store.createToken(name: "Chen Jie", role: .supervisor)
        // A crowd of P4 events first, then the fall.
        let crowd = (0..<50).map { i in
            Event(type: "crowd.density", priority: .p4, source: EventSource(producer: "retina", camera: "cam-\(i)"), occurredAt: Date())
        }
        _ = try await s.store.publish(crowd)
        let bad = try await Self.request("POST", s.base + "/api/events", token: producer, body: #"{"type": "fall.detected", "source": {"producer": "x"}, "occurredAt": "2026-11-23T11:00:00+08:00", "payload": {}}"#)
        #expect(bad.status == 400 && bad.body.contains("subjectRef"))
        let published = try await Self.request("POST", s.base + "/api/events", token: producer, body: Self.fall)
        #expect(published.status == 202 && published.body.contains("published"))

        let claimed = try await Self.request("POST", s.base + "/api/queue/claim", token: op)
        // UUIDs are case-insensitive (Foundation writes them upper-case).
        #expect(claimed.status == 200 && claimed.body.lowercased().contains("0d1b2c3e-4f50-4a6b-8c7d-9e0f1a2b3c4d")
            && claimed.body.contains(#""priority":"P1""#), "\(claimed)")
        let id = "0d1b2c3e-4f50-4a6b-8c7d-9e0f1a2b3c4d"
        #expect(try await Self.request("POST", s.base + "/api/events/\(id)/acknowledge", token: op, body: #"{"note": "called back, no answer"}"#).status == 200)
        #expect(try await Self.request("POST", s.base + "/api/events/\(id)/acknowledge", token: op).status == 409)
        #expect(try await Self.request("POST", s.base + "/api/events/\(id)/note", token: op, body: "not json").status == 400)
        // Queue order is applied before the limit: the fall leads even a one-event list.
        let top = try await Self.get(s.base + "/api/events?order=queue&limit=1", token: op)
        #expect(top.body.lowercased().contains(id))
        #expect(try await Self.request("POST", s.base + "/api/events/\(id)/escalate", token: op).status == 403)
        #expect(try await Self.request("POST", s.base + "/api/events/\(id)/escalate", token: sup, body: #"{"note": "120 dispatched"}"#).status == 200)
        let detail = try await Self.get(s.base + "/api/events/\(id)", token: op)
        #expect(detail.status == 200)
        // The history names the token holders.
        #expect(detail.body.contains(#""actor":"Wang Li""#) && detail.body.contains(#""actor":"Chen Jie""#))
        #expect(detail.body.contains("called back, no answer"))
        let stored = try #require(try await s.store.event(id: UUID(uuidString: id)!))
        #expect(stored.state == .acknowledged && stored.escalated)
    }

    @Test func theLiveStreamReportsChanges() async throws {
        let s = try await Self.start()
        defer { s.task.cancel() }
        let op = try await s.store.createToken(name: "Wang Li", role: .operator_)
        // curl reads the stream for 4 s; a fall is published once the stream has opened.
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        curl.arguments = ["-sN", "--max-time", "4", "-H", "Authorization: Bearer \(op)", s.base + "/api/stream"]
        let pipe = Pipe()
        curl.standardOutput = pipe
        try curl.run()
        // Blocking reads happen on a thread of their own: on Swift's (two) cooperative threads they
        // could starve the very server they wait for.
        let reader = pipe.fileHandleForReading
        let opening = String(decoding: await Self.offPool { reader.availableData }, as: UTF8.self)
        #expect(opening.contains(": connected"))
        let fall = Event(type: "fall.detected", priority: .p1, source: EventSource(producer: "fall-detection"), occurredAt: Date())
        _ = try await s.store.publish([fall])
        let output = String(decoding: await Self.offPool { reader.readDataToEndOfFile() }, as: UTF8.self)
        curl.waitUntilExit()
        #expect(output.contains("event: change") && output.contains(fall.id.uuidString.lowercased()) && output.contains("published"), "\(output)")
    }
}
