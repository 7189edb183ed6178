import Media
import RetinaConfig
import Testing

/// A camera whose configuration says nothing is read as the media layer reads a stream it is given
/// no options for: one set of defaults (`StreamDefaults`), not two that drift.
@Suite struct StreamSettingsTests {
    @Test func theConfigurationAndTheIngestHaveTheSameDefaults() throws {
        let s = try ConfigLoader.parse("cameras:\n  - {id: a, url: a.mp4}\n", file: "c.yaml").cameras[0].stream
        let spec = IngestSpec(cameraId: "a", url: StreamURL("a.mp4"))
        #expect(spec.options.transport == s.transport)
        #expect(spec.options.openTimeout == s.openTimeout && spec.options.stallTimeout == s.stallTimeout)
        #expect(spec.options.decoderThreads == s.decoderThreads)
        #expect(spec.decodeBurst == s.decodeBurst && spec.deblock == s.deblock)
        #expect(spec.backoff.delays == s.backoff)
        #expect(spec.analysisFps == s.analysisFps && spec.analysisWidth == s.analysisWidth && spec.settleSeconds == s.settle)
    }
}
