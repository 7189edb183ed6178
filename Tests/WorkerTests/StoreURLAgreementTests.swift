@testable import Events
import RetinaConfig
import Testing

/// `config check` validates `store:` without linking the store (RetinaConfig stays free of
/// PostgresNIO), by the store's own rules: the two must agree, or a checked file fails at start.
@Suite struct StoreURLAgreementTests {
    static func configAccepts(_ store: String) -> Bool {
        (try? ConfigLoader.parse("store: '\(store)'\ncameras:\n  - {id: a, url: a.mp4}\n", file: "c.yaml")) != nil
    }

    /// Every parameter value the store reads is judged the same way by both.
    @Test(arguments: ["disable", "prefer", "require", "bogus", "verify-full", "", "Require"].map { "sslmode=\($0)" }
                   + ["site_7", "a-b", "", "Ünïcode"].map { "schema=\($0)" })
    func theConfigAcceptsAParameterExactlyWhenTheStoreDoes(parameter: String) {
        let url = "postgres://retina@db.example:5432/retina?\(parameter)"
        #expect(Self.configAccepts(url) == ((try? PostgresURL(url)) != nil), "\(url)")
    }

    /// What the config accepts, the store opens (the config is stricter: ports, unknown parameters).
    @Test(arguments: ["postgres://db/retina", "postgresql://u:p%40ss@db:6432/retina?schema=s&sslmode=disable", "postgres://[::1]/retina",
                      "postgres:///retina", "postgres://db:99999/retina", "postgres://db/retina?sslcert=x", "postgres://db/retina?schema="])
    func whatTheConfigAcceptsTheStoreParses(url: String) {
        if Self.configAccepts(url) { #expect(throws: Never.self, "\(url)") { try PostgresURL(url) } }
    }
}
