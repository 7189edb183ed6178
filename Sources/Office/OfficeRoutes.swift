import Events
import Hummingbird

/// One endpoint of the office: method, path, who may call it, and its handler. The table below is
/// the whole API; the router, the role checks and the test of every route against every role are
/// all made from it, so a route cannot be added without saying who may call it.
public struct OfficeRoute: Sendable {
    public let method: HTTPRequest.Method
    public let path: String
    public let access: Access
    let handle: @Sendable (OfficeAPI, Request, OfficeContext) async throws -> Response

    init(_ method: HTTPRequest.Method, _ path: String, _ access: Access,
         _ handle: @escaping @Sendable (OfficeAPI, Request, OfficeContext) async throws -> Response) {
        self.method = method
        self.path = path
        self.access = access
        self.handle = handle
    }
}

extension OfficeRoute {
    public static let table: [OfficeRoute] = [
        OfficeRoute(.get, "/", .public) { _, _, _ in OfficePage.response() },
        OfficeRoute(.get, "/api/openapi.json", .public) { _, _, _ in OpenAPIDocument.response() },
        OfficeRoute(.get, "/static/chart.js", .public) { _, _, _ in try OfficePage.chartScript() },
        OfficeRoute(.post, "/api/session", .public) { api, r, c in try await api.signIn(r, c) },
        OfficeRoute(.delete, "/api/session", .public) { api, r, c in api.signOut(r, c) },
        OfficeRoute(.get, "/api/session", .anyRole) { api, r, c in try api.whoAmI(r, c) },

        OfficeRoute(.get, "/api/events", .role(.operator_)) { api, r, c in try await api.list(r, c) },
        OfficeRoute(.post, "/api/events", .role(.producer)) { api, r, c in try await api.publish(r, c) },
        OfficeRoute(.get, "/api/events/:id", .role(.operator_)) { api, r, c in try await api.show(r, c) },
        OfficeRoute(.post, "/api/events/:id/evidence", .role(.producer)) { api, r, c in try await api.uploadEvidence(r, c) },
        OfficeRoute(.get, "/api/events/:id/evidence/:n", .role(.operator_)) { api, r, c in try await api.evidenceFile(r, c) },
        OfficeRoute(.post, "/api/queue/claim", .role(.operator_)) { api, r, c in try await api.claim(r, c) },
        OfficeRoute(.post, "/api/reports", .role(.operator_)) { api, r, c in try await api.report(r, c) },
        OfficeRoute(.get, "/api/snapshots/:id", .role(.operator_)) { api, r, c in try await api.snapshot(r, c) },
        OfficeRoute(.get, "/api/stream", .role(.operator_)) { api, r, c in try await api.stream(r, c) },
        OfficeRoute(.get, "/api/health", .role(.operator_)) { api, r, c in try await api.health(r, c) },
        OfficeRoute(.get, "/api/groups", .role(.operator_)) { api, r, c in try await api.groups(r, c) },
        OfficeRoute(.get, "/api/linkage", .role(.operator_)) { api, r, c in try await api.linkage(r, c) },
        OfficeRoute(.get, "/api/cameras/:camera/live", .role(.operator_)) { api, r, c in try await api.livePicture(r, c) },
        OfficeRoute(.get, "/api/zones", .role(.operator_)) { api, r, c in try await api.zones(r, c) },
        OfficeRoute(.get, "/api/zones/:camera/:zone/series", .role(.operator_)) { api, r, c in try await api.zoneSeries(r, c) },
        OfficeRoute(.post, "/api/exports", .role(.liaison)) { api, r, c in try await api.createExport(r, c) },

        OfficeRoute(.get, "/api/tokens", .role(.admin)) { api, r, c in try await api.listTokens(r, c) },
        OfficeRoute(.post, "/api/tokens", .role(.admin)) { api, r, c in try await api.createToken(r, c) },
        OfficeRoute(.delete, "/api/tokens/:id", .role(.admin)) { api, r, c in try await api.revokeToken(r, c) },
    ] + WorkflowAction.allCases.map { action in
        OfficeRoute(.post, "/api/events/:id/\(action.rawValue)", .role(OfficeAPI.role(for: action))) { api, r, c in
            try await api.act(action, r, c)
        }
    }

    /// The methods the table serves at `path` (`:id` matches any one segment): a path served under
    /// other methods answers 405 with them, not 404.
    static func methods(at path: String) -> [HTTPRequest.Method] {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        return table.filter { route in
            let template = route.path.split(separator: "/", omittingEmptySubsequences: false)
            return template.count == parts.count && zip(template, parts).allSatisfy { t, p in t == p || (t.hasPrefix(":") && !p.isEmpty) }
        }.map(\.method)
    }

    /// The router: errors as JSON outermost, then one `Authorize` per route with the route's access.
    static func router(_ api: OfficeAPI, sessions: OfficeSessions) -> Router<OfficeContext> {
        let router = Router(context: OfficeContext.self)
        router.add(middleware: ErrorBodies())
        for route in table {
            router.group()
                .add(middleware: Authorize(access: route.access, store: api.store, sessions: sessions))
                .on(RouterPath(route.path), method: route.method) { request, context in try await route.handle(api, request, context) }
        }
        return router
    }
}
