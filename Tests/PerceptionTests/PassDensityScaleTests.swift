import Perception
import Testing

/// `PassDensityScale`: what a camera learns to multiply its people passes' own density by.
@Suite struct PassDensityScaleTests {
    @Test func theScaleIsTrustedAfterEnoughFramesAndIsTheRatioOfTheSums() {
        var scale = PassDensityScale()
        #expect(scale.factor == nil && !scale.isCalibrated)
        let map = DensityMap(columns: 2, rows: 1, values: [1, 3], cellWidth: 0.5, cellHeight: 1)
        #expect(scale.scaled(map) == nil)
        // Four frames: 40/25, 44/30, 36/24, 40/21 → 160/100.
        for (full, pass) in [(40.0, 25.0), (44, 30), (36, 24)] {
            let kept = scale.observe(full: full, pass: pass)
            #expect(kept)
        }
        #expect(!scale.isCalibrated && scale.scaled(map) == nil)
        let fourth = scale.observe(full: 40, pass: 21)
        #expect(fourth)
        #expect(scale.isCalibrated && abs(scale.factor! - 1.6) < 1e-12)
        let scaled = scale.scaled(map)!
        #expect(scaled.values == [1.6, 4.8] && scaled.columns == 2 && scaled.cellWidth == 0.5 && abs(scaled.total - 6.4) < 1e-6)
    }

    @Test func nearlyEmptyAndImplausibleFramesAreLeftOut() {
        var scale = PassDensityScale()
        // Under two people for the pass (a ratio of near-nothings); ×10 and ×0.2 (not one picture's
        // two views); no number.
        let kept = [(3.0, 1.5), (100, 10), (2, 10), (.nan, 10)].map { scale.observe(full: $0.0, pass: $0.1) }
        #expect(kept == [false, false, false, false])
        #expect(scale.frames == 0)
    }

    @Test func onlyTheLatestFramesCountAndAResetForgets() {
        var scale = PassDensityScale()
        for _ in 0..<PassDensityScale.kept { scale.observe(full: 20, pass: 10) }
        #expect(scale.factor == 2)
        // As many newer frames at ×1.5 push every ×2 out.
        for _ in 0..<PassDensityScale.kept { scale.observe(full: 15, pass: 10) }
        #expect(scale.frames == PassDensityScale.kept && scale.factor == 1.5)
        scale.reset()
        #expect(scale.frames == 0 && scale.factor == nil && !scale.isCalibrated)
    }
}
