import Evidence
import Events
import Foundation
import Hummingbird
import ServiceLifecycle

/// The JSON API's handlers. Who may call each is the route table's business (`OfficeRoute.table`);
/// a handler reads the caller from the context. Bodies and answers are in the shared event schema.
struct OfficeAPI: Sendable {
    let store: any EventStore
    let sessions: OfficeSessions
    /// The only folder snapshots are served from and uploads are written to.
    let evidence: EvidenceRoot
    let exports: OfficeExports?
    let limits: ProducerEvents.Limits
    /// A claim's lease, in seconds: what a client may ask for, and the default.
    static let leaseRange: ClosedRange<Double> = 10...3600
    static let defaultLease: Double = 120

    // MARK: Events

    func list(_ request: Request, _ context: OfficeContext) async throws -> Response {
        let q = try OfficeQuery(request, allowed: ["state", "type", "camera", "group", "since", "priority", "order", "limit"])
        var query = EventQuery(limit: try q.integer("limit", in: 1...1000, fallback: 100))
        query.states = try q.cases("state", EventState.init(rawValue:), expected: EventState.allCases.map(\.rawValue).joined(separator: ", "))
        query.types = try q.all("type").map { type in
            guard ProducerEvents.isDottedName(type) else { throw OfficeError(.badRequest, "type: expected a dotted name such as fall.detected, got '\(type)'") }
            return EventType(rawValue: type)
        }
        query.camera = try q.identifier("camera")
        query.group = try q.identifier("group")
        query.since = try q.time("since")
        query.priorities = try q.cases("priority", Priority.init(label:), expected: "P1, P2, P3, P4")
        switch try q.one("order") {
        // In SQL, before the limit: the most urgent events must never fall off a long list.
        case "queue": query.queueOrder = true
        case nil, "time": query.queueOrder = false
        case let other?: throw OfficeError(.badRequest, "order: expected queue or time, got '\(other)'")
        }
        return try json(try await store.list(query))
    }

    func show(_ request: Request, _ context: OfficeContext) async throws -> Response {
        let id = try eventId(context)
        guard let event = try await store.event(id: id) else { throw OfficeError(.notFound, "no event \(id.uuidString.lowercased())") }
        struct Detail: Encodable { let event: Event; let history: [HistoryEntry] }
        return try json(Detail(event: event, history: try await store.history(of: id)))
    }

    /// Producer fields only (`ProducerEvents`); the history names the token's holder, not the body.
    func publish(_ request: Request, _ context: OfficeContext) async throws -> Response {
        let who = try context.caller()
        let body = try await request.body.collect(upTo: 4 << 20)
        let (events, problems, _) = ProducerEvents.decode(Data(buffer: body), limits: limits)
        guard problems.isEmpty, !events.isEmpty else {
            // A batch of thousands of bad events names the first hundred problems, and counts the rest.
            let shown = problems.count > 100 ? Array(problems.prefix(100)) + ["… and \(problems.count - 100) more"] : problems
            throw OfficeError(.badRequest, problems.isEmpty ? "no event in the body" : "nothing published: \(problems.count) problem(s)",
                              problems: shown)
        }
        let outcomes = try await store.publish(events, by: who.name, fence: nil)
        struct Outcome: Encodable { let id: String; let outcome: String; let into: String? }
        let results = zip(events, outcomes).map { event, outcome -> Outcome in
            let id = event.id.uuidString.lowercased()
            return switch outcome {
            case .inserted: Outcome(id: id, outcome: "published", into: nil)
            case .duplicate: Outcome(id: id, outcome: "duplicate", into: nil)
            case .merged(let into): Outcome(id: id, outcome: "merged", into: into.uuidString.lowercased())
            }
        }
        return try json(results, status: .accepted)
    }

    // MARK: Workflow

    func claim(_ request: Request, _ context: OfficeContext) async throws -> Response {
        let who = try context.caller()
        let q = try OfficeQuery(request, allowed: ["lease"])
        let lease = try q.seconds("lease", in: Self.leaseRange, fallback: Self.defaultLease)
        guard let event = try await store.claimNext(by: who.name, lease: lease, now: Date()) else { return Response(status: .noContent) }
        return try json(event)
    }

    func act(_ action: WorkflowAction, _ request: Request, _ context: OfficeContext) async throws -> Response {
        let who = try context.caller()
        let id = try eventId(context)
        let body = try await request.body.collect(upTo: 64 << 10)
        struct Body: Decodable { let note: String?; let lease: Double? }
        var parsed: Body?
        if body.readableBytes > 0 {
            do { parsed = try JSONDecoder().decode(Body.self, from: Data(buffer: body)) } catch {
                throw OfficeError(.badRequest, "body: expected {\"note\": \"…\", \"lease\": seconds} (both optional)")
            }
        }
        let lease = try parsed?.lease.map {
            try OfficeQuery.seconds($0, name: "lease", in: Self.leaseRange, shown: "\($0)")
        } ?? Self.defaultLease
        // Counted in code points, as the OpenAPI document's maxLength counts (characters would let
        // a run of combining marks through).
        if let note = parsed?.note, note.unicodeScalars.count > 2000 || note.contains("\0") {
            throw OfficeError(.badRequest, "note: at most 2000 characters, no NUL")
        }
        do {
            let event = try await store.perform(action, on: id, by: who.name, overridingClaims: who.role.allows(.supervisor),
                                                note: parsed?.note, lease: lease, now: Date())
            return try json(event)
        } catch let error as WorkflowError {
            switch error {
            case .notFound: throw OfficeError(.notFound, error.description)
            case .notAllowed, .leaseHeld: throw OfficeError(.conflict, error.description)
            }
        }
    }

    // MARK: Tokens (admin)

    func listTokens(_ request: Request, _ context: OfficeContext) async throws -> Response {
        try json(try await store.tokens())
    }

    /// `{"name": "Wang Li", "role": "operator"}` → the token, shown this once.
    func createToken(_ request: Request, _ context: OfficeContext) async throws -> Response {
        let admin = try context.caller()
        let body = try await request.body.collect(upTo: 64 << 10)
        struct Body: Decodable { let name: String; let role: String }
        guard let parsed = try? JSONDecoder().decode(Body.self, from: Data(buffer: body)), !parsed.name.isEmpty else {
            throw OfficeError(.badRequest, "body: expected {\"name\": \"…\", \"role\": \"operator|supervisor|liaison|producer|admin\"}")
        }
        if let why = ProducerEvents.identifierProblem(parsed.name) { throw OfficeError(.badRequest, "name: \(why)") }
        guard let role = Role(rawValue: parsed.role) else {
            throw OfficeError(.badRequest, "role: '\(parsed.role)' is not one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let token = try await store.createToken(name: parsed.name, role: role)
        let info = try await store.tokens().first { Tokens.hash(token).hasPrefix($0.id) }
        struct Created: Encodable { let token: String; let info: TokenInfo?; let createdBy: String }
        return try json(Created(token: token, info: info, createdBy: admin.name), status: .created)
    }

    func revokeToken(_ request: Request, _ context: OfficeContext) async throws -> Response {
        let id = try context.parameters.require("id")
        // Revoking the token in use would lock its admin out mid-session: another admin, or the CLI, does that.
        if let own = context.tokenId, id.count >= 8, own.hasPrefix(id.lowercased()) {
            throw OfficeError(.conflict, "this is the token you are using: revoke it with another admin's token or `retina tokens revoke`")
        }
        let gone: TokenInfo?
        do { gone = try await store.revokeToken(id: id) } catch let error as StoreError {
            throw OfficeError(.badRequest, error.description)
        }
        guard let gone else { throw OfficeError(.notFound, "no token \(id)") }
        return try json(gone)
    }

    // MARK: Cameras and nodes

    func health(_ request: Request, _ context: OfficeContext) async throws -> Response {
        try json(try await store.health())
    }

    /// Which node serves each camera group (the supervisors' leases).
    func groups(_ request: Request, _ context: OfficeContext) async throws -> Response {
        try json(try await store.leases())
    }

    /// The linkage out: each subscriber's place in the outbox and its last error, and the latest
    /// dead letters (what a subscriber refused), so the room sees when a police or property link is down.
    func linkage(_ request: Request, _ context: OfficeContext) async throws -> Response {
        let query = try OfficeQuery(request, allowed: ["limit"])
        let limit = try query.integer("limit", in: 1...500, fallback: 50)
        struct Linkage: Encodable { var relays: [RelayState]; var deadLetters: [DeadLetter] }
        return try json(Linkage(relays: try await store.relays(), deadLetters: try await store.deadLetters(limit: limit)))
    }

    /// Server-sent events: one `change` message per history row appended to the queue (every
    /// publish and every action appends one), polled from the store twice a second.
    func stream(_ request: Request, _ context: OfficeContext) async throws -> Response {
        _ = try OfficeQuery(request, allowed: [])
        let store = store
        let start = try await store.lastChange()
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
                        body: .init { writer in
                            try await writer.write(ByteBuffer(string: ": connected\n\n"))
                            var last = start
                            // Ends when the client goes away or the server shuts down gracefully.
                            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                                let changes = try await store.changes(after: last)
                                for c in changes {
                                    last = c.seq
                                    try await writer.write(ByteBuffer(string: "event: change\ndata: {\"seq\":\(c.seq),\"id\":\"\(c.eventId.uuidString.lowercased())\",\"action\":\"\(c.action)\"}\n\n"))
                                }
                                if changes.isEmpty { try await writer.write(ByteBuffer(string: ": keep-alive\n\n")) }
                                try await Task.sleep(for: .milliseconds(500))
                            }
                            try await writer.finish(nil)
                        })
    }

    // MARK: Helpers

    /// Who may do what: escalation and reassignment are the supervisor's, a legal hold the liaison's.
    static func role(for action: WorkflowAction) -> Role {
        switch action {
        case .escalate, .reassign: .supervisor
        case .hold: .liaison
        case .claim, .release, .acknowledge, .resolve, .falseAlarm, .note: .operator_
        }
    }

    func eventId(_ context: OfficeContext) throws -> UUID {
        let text = try context.parameters.require("id")
        guard let id = UUID(uuidString: text) else { throw OfficeError(.badRequest, "id: '\(text)' is not an event id (a UUID)") }
        return id
    }

    func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try EventJSON.encoder().encode(value)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
