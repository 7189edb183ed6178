import Foundation
import RetinaConfig
import Testing

/// Issue 15, finding 6: no error text from loading a configuration shows a password, whatever
/// libyaml and Yams put in it, and each still says where the problem is.
@Suite struct ConfigSecretsTests {
    static let password = "S3cretPa55"
    static let otherPassword = "0therPa55"

    func errorText(_ yaml: String) -> String {
        do {
            _ = try ConfigLoader.parse(yaml, file: "cameras.yaml")
            Issue.record("accepted: \(yaml)")
            return ""
        } catch {
            return error.description
        }
    }

    /// The error shows neither password, and names the file and the line.
    func expectMaskedAndLocated(_ yaml: String, line: Int) {
        let text = errorText(yaml)
        #expect(!text.contains(Self.password) && !text.contains(Self.otherPassword), "\(text)")
        #expect(text.hasPrefix("cameras.yaml:\(line):"), "\(text)")
    }

    @Test func aColonInAURLIsASyntaxErrorWithoutThePassword() {
        expectMaskedAndLocated("""
        cameras:
          - id: gate
            url: rtsp://admin:\(Self.password)@10.0.0.5/x: y
        """, line: 3)
    }

    /// libyaml finds the end of the file (line 5) and names where the quote opened (3:10).
    @Test func anUnclosedQuoteIsASyntaxErrorWithoutThePassword() {
        let yaml = """
        cameras:
          - id: gate
            url: "rtsp://admin:\(Self.password)@10.0.0.5/x
          - id: lobby
            url: rtsp://admin:\(Self.otherPassword)@10.0.0.6/x
        """
        expectMaskedAndLocated(yaml, line: 5)
        #expect(errorText(yaml).contains("while scanning a quoted scalar at 3:10"))
    }

    @Test func aControlCharacterOnAURLLineIsAnErrorWithoutThePassword() {
        expectMaskedAndLocated("cameras:\n  - id: gate\n    url: rtsp://admin:\(Self.password)@10.0.0.5/\u{7}x\n", line: 3)
    }

    @Test func aDuplicateKeyDoesNotPrintTheFile() {
        let yaml = """
        cameras:
          - id: gate
            url: rtsp://admin:\(Self.password)@10.0.0.5/x
            url: rtsp://admin:\(Self.otherPassword)@10.0.0.5/y
        """
        expectMaskedAndLocated(yaml, line: 3)
        #expect(errorText(yaml).contains("'url'"), "the duplicated key is named")
    }

    @Test func aValueQuotedInAnErrorIsMasked() {
        let text = errorText("""
        store: postgres://retina:\(Self.password)@db/retina?sslmode=bogus
        cameras:
          - {id: gate, url: rtsp://10.0.0.5/x, transport: "rtsp://admin:\(Self.otherPassword)@10.0.0.5/x"}
        """)
        #expect(text.contains("transport: expected tcp or udp, got 'rtsp://admin:***@10.0.0.5/x'"), "\(text)")
        #expect(!text.contains(Self.password) && !text.contains(Self.otherPassword), "\(text)")
    }
}
