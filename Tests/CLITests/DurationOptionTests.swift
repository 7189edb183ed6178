import ArgumentParser
import RetinaConfig
import Testing
@testable import retina

/// Durations on the command line read as the configuration's do (`DurationText`).
@Suite struct DurationOptionTests {
    @Test(arguments: [("120", 120.0), ("5m", 300), ("90s", 90), ("1h", 3600), ("500ms", 0.5), ("2d", 172_800), (" 2M ", 120)])
    func aDurationReadsAsSeconds(_ text: String, _ seconds: Double) {
        #expect(DurationText.seconds(text) == seconds)
    }

    @Test(arguments: ["", "soon", "5 minutes", "m", "inf", "nan", "1e400s"])
    func whatIsNotADurationIsRefused(_ text: String) {
        #expect(DurationText.seconds(text) == nil)
    }

    @Test func theClaimLeaseTakesTheExampleOfItsHelp() throws {
        #expect(try EventsCommand.Claim.parse(["--lease", "5m"]).lease.value == 300)
        #expect(try EventsCommand.Claim.parse([]).lease.value == 120)
        #expect(try EventsCommand.Claim.parse(["--lease", "45"]).lease.value == 45)
        #expect(throws: (any Error).self) { try EventsCommand.Claim.parse(["--lease", "soon"]) }
        #expect(EventsCommand.Claim.configuration.discussion.contains("--lease 5m"))
    }

    @Test func anActionsLeaseToo() throws {
        #expect(try EventsCommand.ActionOptions.parse(["abc123", "--lease", "2m"]).lease.value == 120)
    }
}
