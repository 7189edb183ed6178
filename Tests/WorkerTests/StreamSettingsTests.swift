import Media
import RetinaConfig
import Testing

/// The config module names the ingest's policies as strings (it does not link FFmpeg); a worker
/// maps them back with `DeblockPolicy(rawValue:)`, so the two lists must be the same.
@Suite struct StreamSettingsTests {
    @Test func everyDeblockNameTheConfigAcceptsIsAPolicyTheIngestKnows() throws {
        #expect(StreamSettings.deblockPolicies == DeblockPolicy.allCases.map(\.rawValue))
        let defaults = try ConfigLoader.parse("cameras:\n  - {id: a, url: a.mp4}\n", file: "c.yaml").cameras[0].stream
        #expect(DeblockPolicy(rawValue: defaults.deblock) == .auto)
    }
}
