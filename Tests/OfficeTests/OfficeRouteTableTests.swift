import Events
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
@testable import Office
import RetinaTestSupport
import Testing

/// Who may call what, from the one route table: every route against every role over real HTTP
/// (401 with no token, 403 where the role is not allowed, neither where it is), and the OpenAPI
/// document naming exactly the table's routes.
@Suite(.serialized, .timeLimit(.minutes(3))) struct OfficeRouteTableTests {
    typealias S = OfficeServerTests

    /// The path with its parameters filled in: an event id nobody has, a token id nobody has.
    static func concrete(_ path: String) -> String {
        path.replacingOccurrences(of: ":id", with: path.hasPrefix("/api/tokens") ? "deadbeef00" : UUID().uuidString.lowercased())
    }

    /// The status only: the live stream answers 200 and never ends, so curl reads the status and hangs up.
    static func status(_ method: String, _ url: String, token: String?) async throws -> Int {
        let arguments = ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "2", "-X", method]
            + (token.map { ["-H", "Authorization: Bearer \($0)"] } ?? []) + ["-H", "Content-Type: application/json", url]
        // Off the cooperative pool: the server under test needs those threads.
        let output = await S.offPool { (try? Fixtures.run("/usr/bin/curl", arguments))?.output ?? "" }
        return Int(output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    @Test func everyRouteAgainstEveryRole() async throws {
        let s = try await S.start()
        defer { s.task.cancel() }
        var tokens: [Role: String] = [:]
        for role in Role.allCases { tokens[role] = try await s.store.createToken(name: "holder-\(role.rawValue)", role: role) }
        var checked = 0
        for route in OfficeRoute.table {
            let method = route.method.rawValue
            let url = s.base + Self.concrete(route.path)
            let anonymous = try await Self.status(method, url, token: nil)
            if route.access == .public {
                #expect(anonymous != 401 && anonymous != 403, "\(method) \(route.path) is public but answered \(anonymous)")
                continue
            }
            #expect(anonymous == 401, "\(method) \(route.path) without a token: \(anonymous)")
            for role in Role.allCases {
                let status = try await Self.status(method, url, token: tokens[role])
                if route.access.allows(role) {
                    #expect(status != 401 && status != 403 && status != 0, "\(method) \(route.path) as \(role.rawValue): \(status)")
                } else {
                    #expect(status == 403, "\(method) \(route.path) as \(role.rawValue): \(status), expected 403")
                }
                checked += 1
            }
        }
        #expect(checked == OfficeRoute.table.filter { $0.access != .public }.count * Role.allCases.count)
    }

    /// The table, as role pairs a reader can check against the README: the intended policy.
    @Test func thePolicyIsTheIntendedOne() {
        func access(_ method: String, _ path: String) -> Access? {
            OfficeRoute.table.first { $0.method.rawValue == method && $0.path == path }?.access
        }
        #expect(access("POST", "/api/events") == .role(.producer))
        #expect(access("POST", "/api/events/:id/evidence") == .role(.producer))
        #expect(access("POST", "/api/events/:id/escalate") == .role(.supervisor))
        #expect(access("POST", "/api/events/:id/reassign") == .role(.supervisor))
        #expect(access("POST", "/api/events/:id/hold") == .role(.liaison))
        #expect(access("POST", "/api/exports") == .role(.liaison))
        #expect(access("DELETE", "/api/tokens/:id") == .role(.admin))
        #expect(access("GET", "/api/snapshots/:id") == .role(.operator_))
        // Public: the page, its charting library (Debian's Chart.js), the contract, signing in and out.
        #expect(OfficeRoute.table.filter { $0.access == .public }.map(\.path).sorted() == ["/", "/api/openapi.json", "/api/session", "/api/session", "/static/chart.js"])
        #expect(access("GET", "/api/linkage") == .role(.operator_) && access("GET", "/api/zones/:camera/:zone/series") == .role(.operator_))
        // A producer publishes and uploads, nothing else; a liaison works no queue.
        #expect(OfficeRoute.table.filter { $0.access.allows(.producer) && $0.access != .public && $0.access != .anyRole }.count == 2)
        #expect(!Access.role(.operator_).allows(.liaison) && !Access.role(.operator_).allows(.producer))
    }

    @Test func theOpenAPIDocumentNamesExactlyTheTablesRoutes() async throws {
        let s = try await S.start()
        defer { s.task.cancel() }
        let r = try await S.get(s.base + "/api/openapi.json", token: nil)
        #expect(r.status == 200)
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.body.utf8)) as? [String: Any])
        #expect(doc["openapi"] as? String == "3.0.3")
        let paths = try #require(doc["paths"] as? [String: [String: Any]])
        let documented = Set(paths.flatMap { path, ops in ops.keys.map { "\($0.uppercased()) \(path)" } })
        // `:id` in the table is `{id}` in the document.
        func templated(_ path: String) -> String {
            path.split(separator: "/", omittingEmptySubsequences: false).map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
        }
        let served = Set(OfficeRoute.table.map { "\($0.method.rawValue) \(templated($0.path))" })
        #expect(documented == served, "only documented: \(documented.subtracting(served).sorted()); only served: \(served.subtracting(documented).sorted())")
        // Each operation says who may call it, as the table does.
        for route in OfficeRoute.table {
            let op = paths[templated(route.path)]?[route.method.rawValue.lowercased()] as? [String: Any]
            let description = op?["description"] as? String ?? ""
            let expected = route.access == .public ? "Anyone." : route.access == .anyRole ? "Role: any." : "Role: \(route.access)."
            #expect(description.hasSuffix(expected), "\(route.method) \(route.path): '\(description)'")
        }
    }
}
