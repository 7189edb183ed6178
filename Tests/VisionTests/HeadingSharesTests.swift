import Testing
import Vision

@Suite struct HeadingSharesTests {
    @Test func aHeadingsShareIsItsSectorAndTheTwoBeside() throws {
        var shares = HeadingShares()
        #expect(shares.share(headingLike: 1, 0) == nil)
        // Five parts right, one part left, one part straight down (image rows grow downward).
        shares.learn(vx: 1, vy: 0, weight: 5)
        shares.learn(vx: -1, vy: 0.01, weight: 1)   // just below the left, across atan2's ±180° seam
        shares.learn(vx: 0, vy: 1, weight: 1)
        #expect(try #require(shares.share(headingLike: 1, 0.3)) == 5.0 / 7)
        #expect(try #require(shares.share(headingLike: -1, -0.01)) == 1.0 / 7)   // the same sector from the other side of the seam
        // Down-left (135°) takes in left (180°) and down (90°), not right.
        #expect(try #require(shares.share(headingLike: -1, 1)) == 2.0 / 7)
        #expect(shares.share(headingLike: 0, 0) == nil)
    }

    @Test func fadingForgetsWhatWasLearnedAtItsRate() throws {
        var shares = HeadingShares()
        shares.learn(vx: 1, vy: 0, weight: 1)
        for _ in 0..<50 {
            shares.fade(by: 0.1)
            shares.learn(vx: -1, vy: 0, weight: 0.1)
        }
        // After 50 steps at rate 0.1 the first heading keeps 0.9^50 ≈ 0.5 % of the whole.
        #expect(try #require(shares.share(headingLike: 1, 0)) < 0.01)
        #expect(try #require(shares.share(headingLike: -1, 0)) > 0.99)
    }
}
