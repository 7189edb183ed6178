import Testing
import Vision

/// The perspective a camera fits from its own detections: a line through people's heights by foot row.
@Suite struct PerspectiveFitTests {
    /// A person whose feet are on row `y`, `h` pixels tall.
    func person(_ y: Double, _ h: Double) -> (top: Double, bottom: Double) { (y - h, y) }

    @Test func aLineThroughStandingPeopleIgnoresTheOddOnesOut() throws {
        // The scene: h = 0.25 × y + 10 (PETS-like: 35 px at row 100, 135 px at row 500).
        var people = stride(from: 100.0, through: 500, by: 40).map { person($0, 0.25 * $0 + 10) }
        people.append(person(300, 40))      // someone sitting
        people.append(person(200, 160))     // two people in one box
        let fit = try PerspectiveFit.fit(people: people, pictureHeight: 576)
        #expect(abs(fit.perspective.slope - 0.25) < 1e-9 && abs(fit.perspective.intercept - 10) < 1e-6)
        #expect(fit.used == 11 && fit.rejected == 2)
        #expect(fit.footRange == 100...500)
    }

    @Test func peopleCutByTheEdgeAreLeftOut() throws {
        var people = stride(from: 100.0, through: 450, by: 50).map { person($0, 0.25 * $0 + 10) }
        people.append((top: 400, bottom: 576))   // cut by the bottom edge: its height is not a person's
        people.append((top: 0, bottom: 20))      // cut by the top edge
        let fit = try PerspectiveFit.fit(people: people, pictureHeight: 576)
        #expect(fit.used == 8 && abs(fit.perspective.slope - 0.25) < 1e-9)
    }

    @Test func tooLittleEvidenceSaysWhatIsMissing() {
        let few = stride(from: 100.0, through: 400, by: 100).map { person($0, 50) }
        #expect(throws: PerspectiveFit.Failure.tooFewPeople(found: 4, needed: 8)) { try PerspectiveFit.fit(people: few, pictureHeight: 576) }
        let narrow = (0..<10).map { person(300 + Double($0), 60) }
        #expect { try PerspectiveFit.fit(people: narrow, pictureHeight: 576) } throws: { "\($0)".contains("span 9 rows, 86 needed") }
        // Heights shrinking towards the bottom of the picture: not a camera looking down.
        let inverted = stride(from: 200.0, through: 520, by: 40).map { person($0, 200 - 0.3 * $0) }
        #expect { try PerspectiveFit.fit(people: inverted, pictureHeight: 576) } throws: { "\($0)".contains("shrink towards the camera") }
    }
}
