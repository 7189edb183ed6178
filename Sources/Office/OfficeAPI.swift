import Events
import Foundation
import Hummingbird
import ServiceLifecycle

/// The JSON API's handlers. Bodies and answers are in the shared event schema.
struct OfficeAPI: Sendable {
    let store: any EventStore

    // MARK: Auth

    /// The caller, if their token allows `role`; throws 401/403 otherwise.
    func authorize(_ request: Request, _ role: Role) async throws -> TokenHolder {
        var token: String?
        if let header = request.headers[.authorization], header.hasPrefix("Bearer ") { token = String(header.dropFirst(7)) }
        // EventSource (the page's live stream) cannot set headers: a query parameter is accepted too.
        if token == nil, let q = request.uri.queryParameters.get("access_token") { token = q }
        guard let token, let holder = try await store.holder(of: token) else {
            throw HTTPError(.unauthorized, message: "a valid token is required (Authorization: Bearer …); create one with `retina tokens create`")
        }
        guard holder.role.allows(role) else {
            throw HTTPError(.forbidden, message: "\(holder.name) is \(holder.role.rawValue); this needs \(role.rawValue)")
        }
        return holder
    }

    // MARK: Handlers

    func list(_ request: Request) async throws -> Response {
        _ = try await authorize(request, .operator_)
        let q = request.uri.queryParameters
        var query = EventQuery(limit: min(q.get("limit", as: Int.self) ?? 100, 1000))
        query.states = q.getAll("state").compactMap { EventState(rawValue: String($0)) }
        query.types = q.getAll("type").map { String($0) }
        query.camera = q.get("camera")
        query.group = q.get("group")
        if let since = q.get("since") {
            guard let d = RFC3339.parse(since) else { throw HTTPError(.badRequest, message: "since: expected an RFC 3339 time") }
            query.since = d
        }
        query.priorities = q.getAll("priority").compactMap { Priority(label: String($0)) }
        // In SQL, before the limit: the most urgent events must never fall off a long list.
        query.queueOrder = q.get("order") == "queue"
        return try json(try await store.list(query))
    }

    func show(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        _ = try await authorize(request, .operator_)
        let id = try eventId(context)
        guard let event = try await store.event(id: id) else { throw HTTPError(.notFound, message: "no event \(id)") }
        struct Detail: Encodable { let event: Event; let history: [HistoryEntry] }
        return try json(Detail(event: event, history: try await store.history(of: id)))
    }

    func publish(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        _ = try await authorize(request, .producer)
        let body = try await request.body.collect(upTo: 4 << 20)
        let (events, problems, _) = EventValidation.decode(Data(buffer: body))
        guard problems.isEmpty, !events.isEmpty else {
            return try json(["problems": problems.isEmpty ? ["no event in the body"] : problems], status: .unprocessableContent)
        }
        let outcomes = try await store.publish(events)
        let results = zip(events, outcomes).map { event, outcome -> [String: String] in
            switch outcome {
            case .inserted: ["id": event.id.uuidString.lowercased(), "outcome": "published"]
            case .duplicate: ["id": event.id.uuidString.lowercased(), "outcome": "duplicate"]
            case .merged(let into): ["id": event.id.uuidString.lowercased(), "outcome": "merged", "into": into.uuidString.lowercased()]
            }
        }
        return try json(results, status: .accepted)
    }

    func claim(_ request: Request) async throws -> Response {
        let who = try await authorize(request, .operator_)
        let lease = request.uri.queryParameters.get("lease", as: Double.self) ?? 120
        guard let event = try await store.claimNext(by: who.name, lease: lease, now: Date()) else { return Response(status: .noContent) }
        return try json(event)
    }

    func act(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let id = try eventId(context)
        let name = try context.parameters.require("action").replacingOccurrences(of: "-", with: "_")
        guard let action = WorkflowAction(rawValue: name == "ack" ? "acknowledge" : name) else {
            throw HTTPError(.notFound, message: "no action '\(name)'")
        }
        let who = try await authorize(request, Self.role(for: action))
        let body = try await request.body.collect(upTo: 64 << 10)
        struct Body: Decodable { let note: String?; let lease: Double? }
        var parsed: Body?
        if body.readableBytes > 0 {
            do { parsed = try JSONDecoder().decode(Body.self, from: Data(buffer: body)) } catch {
                throw HTTPError(.badRequest, message: "body: expected {\"note\": \"…\", \"lease\": seconds} (both optional)")
            }
        }
        do {
            let event = try await store.perform(action, on: id, by: who.name, note: parsed?.note, lease: parsed?.lease ?? 120, now: Date())
            return try json(event)
        } catch let error as WorkflowError {
            switch error {
            case .notFound: throw HTTPError(.notFound, message: error.description)
            case .notAllowed, .leaseHeld: throw HTTPError(.conflict, message: error.description)
            }
        }
    }

    // MARK: Admin: tokens

    func listTokens(_ request: Request) async throws -> Response {
        _ = try await authorize(request, .admin)
        return try json(try await store.tokens())
    }

    /// `{"name": "Wang Li", "role": "operator"}` → the token, shown this once.
    func createToken(_ request: Request) async throws -> Response {
        let admin = try await authorize(request, .admin)
        let body = try await request.body.collect(upTo: 64 << 10)
        struct Body: Decodable { let name: String; let role: String }
        guard let parsed = try? JSONDecoder().decode(Body.self, from: Data(buffer: body)), !parsed.name.isEmpty else {
            throw HTTPError(.badRequest, message: "body: expected {\"name\": \"…\", \"role\": \"operator|supervisor|liaison|producer|admin\"}")
        }
        guard let role = Role(rawValue: parsed.role) else {
            throw HTTPError(.badRequest, message: "role: '\(parsed.role)' is not one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let token = try await store.createToken(name: parsed.name, role: role)
        let info = try await store.tokens().first { Tokens.hash(token).hasPrefix($0.id) }
        struct Created: Encodable { let token: String; let info: TokenInfo?; let createdBy: String }
        return try json(Created(token: token, info: info, createdBy: admin.name), status: .created)
    }

    func revokeToken(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        _ = try await authorize(request, .admin)
        let id = try context.parameters.require("id")
        let gone: TokenInfo?
        do { gone = try await store.revokeToken(id: id) } catch let error as StoreError {
            throw HTTPError(.badRequest, message: error.description)
        }
        guard let gone else { throw HTTPError(.notFound, message: "no token \(id)") }
        return try json(gone)
    }

    func health(_ request: Request) async throws -> Response {
        _ = try await authorize(request, .operator_)
        return try json(try await store.health())
    }

    /// Which node serves each camera group (the supervisors' leases).
    func groups(_ request: Request) async throws -> Response {
        _ = try await authorize(request, .operator_)
        return try json(try await store.leases())
    }

    func snapshot(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        _ = try await authorize(request, .operator_)
        let id = try eventId(context)
        guard let event = try await store.event(id: id),
              let ref = event.evidence.first(where: { $0.kind == "snapshot" }),
              let url = URL(string: ref.uri), url.isFileURL,
              let data = FileManager.default.contents(atPath: url.path) else {
            throw HTTPError(.notFound, message: "event \(id) has no snapshot")
        }
        return Response(status: .ok, headers: [.contentType: "image/jpeg", .cacheControl: "private, max-age=3600"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Server-sent events: one `change` message per history row appended to the queue (every
    /// publish and every action appends one), polled from the store twice a second.
    func stream(_ request: Request) async throws -> Response {
        _ = try await authorize(request, .operator_)
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

    func eventId(_ context: BasicRequestContext) throws -> UUID {
        let text = try context.parameters.require("id")
        guard let id = UUID(uuidString: text) else { throw HTTPError(.badRequest, message: "'\(text)' is not an event id") }
        return id
    }

    func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try EventJSON.encoder().encode(value)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
