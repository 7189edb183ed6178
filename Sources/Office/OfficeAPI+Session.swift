import Events
import Foundation
import Hummingbird

extension OfficeAPI {
    /// `POST /api/session` with `{"token": "rt_…"}`: the page signs in once; the answer sets an
    /// HttpOnly, SameSite=Strict cookie naming a session, and says who the holder is.
    func signIn(_ request: Request, _ context: OfficeContext) async throws -> Response {
        let body = try await request.body.collect(upTo: 4 << 10)
        struct Body: Decodable { let token: String }
        guard let parsed = try? JSONDecoder().decode(Body.self, from: Data(buffer: body)) else {
            throw OfficeError(.badRequest, "body: expected {\"token\": \"rt_…\"} (from retina tokens create)")
        }
        guard let holder = try await store.holder(of: parsed.token) else {
            throw OfficeError(.unauthorized, "this token is not valid (revoked, or mistyped)")
        }
        let session = sessions.open(token: parsed.token)
        var response = try json(Self.whoAmIBody(holder, sessionSeconds: Int(sessions.lifetime)), status: .created)
        response.setCookie(Cookie(name: OfficeSessions.cookieName, value: session, maxAge: Int(sessions.lifetime), path: "/",
                                  secure: false, httpOnly: true, sameSite: .strict))
        return response
    }

    /// `DELETE /api/session`: signs the page out (the cookie is cleared; the token stays valid).
    func signOut(_ request: Request, _ context: OfficeContext) -> Response {
        if let session = request.cookies[OfficeSessions.cookieName]?.value { sessions.close(session) }
        var response = Response(status: .noContent)
        response.setCookie(Cookie(name: OfficeSessions.cookieName, value: "", maxAge: 0, path: "/", secure: false, httpOnly: true,
                                  sameSite: .strict))
        return response
    }

    /// `GET /api/session`: who the caller is (the page asks on load).
    func whoAmI(_ request: Request, _ context: OfficeContext) throws -> Response {
        try json(Self.whoAmIBody(try context.caller(), sessionSeconds: nil))
    }

    struct WhoAmI: Encodable { let name: String; let role: Role; let sessionSeconds: Int? }

    static func whoAmIBody(_ holder: TokenHolder, sessionSeconds: Int?) -> WhoAmI {
        WhoAmI(name: holder.name, role: holder.role, sessionSeconds: sessionSeconds)
    }
}
