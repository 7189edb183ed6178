import Events
import Foundation
import Hummingbird
import Synchronization

/// Who may call a route.
public enum Access: Sendable, Equatable, CustomStringConvertible {
    /// Anyone: the page, the API document, signing in and out.
    case `public`
    /// Any valid token, whatever its role.
    case anyRole
    /// A token whose role allows this one (`Role.allows`).
    case role(Role)

    public func allows(_ role: Role) -> Bool {
        switch self {
        case .public, .anyRole: true
        case .role(let required): role.allows(required)
        }
    }

    public var description: String {
        switch self {
        case .public: "public"
        case .anyRole: "any role"
        case .role(let r): r.rawValue
        }
    }
}

/// Browser sessions: the page signs in once with its token and gets an HttpOnly, SameSite=Strict
/// cookie naming a session, so that `<img>` and `EventSource` (which cannot set headers) never
/// carry a token in a URL. Sessions live in this process (a restart signs the page out) and are
/// checked against the token on every request, so revoking the token ends them at once.
public final class OfficeSessions: Sendable {
    public static let cookieName = "retina_session"
    public let lifetime: TimeInterval
    private let sessions = Mutex<[String: (token: String, expires: Date)]>([:])

    public init(lifetime: TimeInterval = 12 * 3600) { self.lifetime = lifetime }

    /// A new session for `token`; returns its id.
    func open(token: String, now: Date = Date()) -> String {
        let id = Tokens.generate()
        sessions.withLock { s in
            s = s.filter { $0.value.expires > now }  // expired ones go whenever a new one comes
            s[Tokens.hash(id)] = (token, now.addingTimeInterval(lifetime))
        }
        return id
    }

    /// The token behind a live session.
    func token(forSession id: String, now: Date = Date()) -> String? {
        sessions.withLock { s in s[Tokens.hash(id)].flatMap { $0.expires > now ? $0.token : nil } }
    }

    func close(_ id: String) { _ = sessions.withLock { $0.removeValue(forKey: Tokens.hash(id)) } }
}

/// Checks the caller of every guarded route, in one place: a bearer token in the Authorization
/// header, or the page's session cookie. 401 without valid credentials, 403 with a role that does
/// not allow the route. Tokens in URLs are refused (they end up in proxy and server logs). A
/// request authenticated by cookie that changes something must also carry `X-Requested-With`,
/// which a cross-site form cannot send (with SameSite=Strict, a second guard against CSRF).
struct Authorize: RouterMiddleware {
    typealias Context = OfficeContext
    let access: Access
    let store: any TokenStore
    let sessions: OfficeSessions

    func handle(_ request: Request, context: OfficeContext, next: (Request, OfficeContext) async throws -> Response) async throws -> Response {
        if request.uri.queryParameters.get("access_token") != nil {
            throw OfficeError(.badRequest, "access_token: tokens are not accepted in URLs; send Authorization: Bearer TOKEN, or sign in with POST /api/session")
        }
        guard access != .public else { return try await next(request, context) }
        let (token, byCookie) = Self.credentials(request, sessions: sessions)
        guard let token, let holder = try await store.holder(of: token) else {
            throw OfficeError(.unauthorized, "a valid token is required: Authorization: Bearer TOKEN (retina tokens create), or sign in on the page")
        }
        guard access.allows(holder.role) else {
            throw OfficeError(.forbidden, "\(holder.name) is \(holder.role.rawValue); this needs \(access)")
        }
        if byCookie, ![.get, .head].contains(request.method), request.headers[.init("X-Requested-With")!] == nil {
            throw OfficeError(.forbidden, "a request signed in by cookie that changes something must send X-Requested-With")
        }
        var context = context
        context.holder = holder
        context.tokenId = String(Tokens.hash(token).prefix(12))
        return try await next(request, context)
    }

    static func credentials(_ request: Request, sessions: OfficeSessions) -> (token: String?, byCookie: Bool) {
        if let header = request.headers[.authorization] {
            return (header.hasPrefix("Bearer ") ? String(header.dropFirst(7)) : nil, false)
        }
        if let session = request.cookies[OfficeSessions.cookieName]?.value, let token = sessions.token(forSession: session) {
            return (token, true)
        }
        return (nil, false)
    }
}
