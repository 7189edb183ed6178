import Events
import Foundation
import Hummingbird
import Logging

/// An error the office answers with: a status, a message that says what to do, and where a body
/// was refused, each problem with its place. Rendered as JSON by `ErrorBodies`.
public struct OfficeError: Error, Sendable {
    public var status: HTTPResponse.Status
    public var message: String
    public var problems: [String]

    public init(_ status: HTTPResponse.Status, _ message: String, problems: [String] = []) {
        self.status = status
        self.message = message
        self.problems = problems
    }
}

/// The outermost middleware: every error, whatever threw it (a handler, the router's 404, a body
/// over its limit, a store failure), becomes a JSON body `{"error": {"status", "message",
/// "requestId", "problems"?}}`; every response carries `X-Request-Id`; server errors and refused
/// uploads are logged at error level with that id, and the log holds what the client is not shown.
struct ErrorBodies: RouterMiddleware {
    typealias Context = OfficeContext

    func handle(_ request: Request, context: OfficeContext, next: (Request, OfficeContext) async throws -> Response) async throws -> Response {
        let id = context.id
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            var (status, message, problems) = Self.describe(error, requestId: id)
            var allowed: [HTTPRequest.Method] = []
            if error is HTTPError, status == .notFound {
                // The router's 404: a path that exists under other methods is a 405 naming them.
                allowed = OfficeRoute.methods(at: request.uri.path)
                if !allowed.isEmpty {
                    status = .methodNotAllowed
                    message = "\(request.method) is not served here; \(request.uri.path) takes \(allowed.map(\.rawValue).joined(separator: ", "))"
                }
            }
            let line: Logger.Message = "\(request.method) \(request.uri.path) → \(status.code): \(message) [request \(id)]"
            if status.code >= 500 || status == .contentTooLarge {
                context.logger.error(line, metadata: ["error": "\(String(reflecting: error))"])
            } else {
                context.logger.notice(line)
            }
            response = Self.body(status: status, message: message, problems: problems, requestId: id)
            if status == .unauthorized { response.headers[.wwwAuthenticate] = "Bearer realm=\"retina\"" }
            if !allowed.isEmpty { response.headers[.allow] = allowed.map(\.rawValue).joined(separator: ", ") }
        }
        response.headers[.init("X-Request-Id")!] = id
        return response
    }

    static func describe(_ error: Error, requestId: String) -> (HTTPResponse.Status, String, [String]) {
        switch error {
        case let e as OfficeError: return (e.status, e.message, e.problems)
        case let e as HTTPError:
            let message = e.body.flatMap { $0.isEmpty ? nil : $0 } ?? defaultMessage(e.status)
            return (e.status, message, [])
        case let e as any HTTPResponseError where e.status.code < 500:
            return (e.status, defaultMessage(e.status), [])
        default:
            // Store and file errors can name server paths: the client gets the id, the log the rest.
            return (.internalServerError, "internal error: the server log has the details under request id \(requestId)", [])
        }
    }

    static func defaultMessage(_ status: HTTPResponse.Status) -> String {
        switch status {
        case .notFound: "no such endpoint (GET /api/openapi.json lists them)"
        case .contentTooLarge: "the request body is larger than this endpoint accepts"
        case .methodNotAllowed: "this endpoint does not take that method"
        default: status.reasonPhrase
        }
    }

    static func body(status: HTTPResponse.Status, message: String, problems: [String], requestId: String) -> Response {
        struct Body: Encodable {
            struct Detail: Encodable { let status: Int; let message: String; let requestId: String; let problems: [String]? }
            let error: Detail
        }
        let detail = Body.Detail(status: status.code, message: message, requestId: requestId, problems: problems.isEmpty ? nil : problems)
        let data = (try? EventJSON.encoder().encode(Body(error: detail))) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
