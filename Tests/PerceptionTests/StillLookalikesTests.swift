import Perception
import Testing
import Vocabulary

/// A synthetic 200×100 picture: a textured sign in the box x 20…40, y 20…70 that never changes
/// (its light may), and a person in the box x 120…140 whose texture changes as it moves.
struct SignAndPerson: BGRPixelSource {
    var personPhase = 0
    var light = 0
    var width: Int { 200 }
    var height: Int { 100 }

    func grey(_ x: Int, _ y: Int) -> Int {
        if x >= 120, x < 140 { return 60 + ((x * 7 + y * 3 + personPhase * 11) % 17) * 9 }
        return min(255, max(0, 90 + ((x * 13 + y * 5) % 23) * 5 + light))
    }

    func bgrPixels(width: Int, height: Int, crop: PictureRect) -> [UInt8]? {
        var out: [UInt8] = []
        for row in 0..<height {
            for column in 0..<width {
                let x = crop.x + column * crop.width / width, y = crop.y + row * crop.height / height
                let g = UInt8(grey(x, y))
                out += [g, g, g]
            }
        }
        return out
    }
}

@Suite struct StillLookalikesTests {
    static let sign = Detection(classIndex: COCOClass.person, score: 0.6, box: Box(x0: 0.1, y0: 0.2, x1: 0.2, y1: 0.7))
    static let person = Detection(classIndex: COCOClass.person, score: 0.8, box: Box(x0: 0.6, y0: 0.2, x1: 0.7, y1: 0.7))

    @Test func aPersonThatNeverMovesIsLeftOutAfterTheLearningTimeAndOnlyThen() {
        var lookalikes = StillLookalikes()
        var picture = SignAndPerson()
        var kept: [Int] = []
        for second in 0...45 {
            picture.personPhase = second
            picture.light = second % 7 * 6  // the light changes; the sign does not
            kept.append(lookalikes.filter([Self.sign, Self.person], at: Double(second), picture: picture).count)
        }
        // Both counted for the first 30 s, then only the person who moves.
        #expect(kept[0..<30].allSatisfy { $0 == 2 }, "\(kept)")
        #expect(kept[30...].allSatisfy { $0 == 1 }, "\(kept)")
        #expect(lookalikes.lookalikes == [Self.sign.box])
    }

    @Test func aLookalikeCountsAgainWhenItsPixelsChange() {
        var lookalikes = StillLookalikes()
        var picture = SignAndPerson()
        for second in 0...35 { _ = lookalikes.filter([Self.sign], at: Double(second), picture: picture) }
        #expect(lookalikes.filter([Self.sign], at: 36, picture: picture).isEmpty)
        // Something at the sign's place now moves (a person in front of it): it counts.
        struct Covered: BGRPixelSource {
            var base: SignAndPerson
            var width: Int { base.width }
            var height: Int { base.height }
            func bgrPixels(width: Int, height: Int, crop: PictureRect) -> [UInt8]? {
                base.bgrPixels(width: width, height: height, crop: crop).map { $0.enumerated().map { i, v in i % 7 == 0 ? 255 - v : v } }
            }
        }
        picture.light = 0
        #expect(lookalikes.filter([Self.sign], at: 37, picture: Covered(base: picture)).count == 1)
    }

    @Test func somethingSeenOnlyNowAndThenOrOtherClassesAreNeverLeftOut() {
        var lookalikes = StillLookalikes()
        let picture = SignAndPerson()
        let car = Detection(classIndex: 2, score: 0.9, box: Box(x0: 0.1, y0: 0.2, x1: 0.2, y1: 0.7))
        var kept: [Int] = []
        for second in 0...60 {
            // The sign is found on one pass in two: under the 80 % share.
            let found = second % 2 == 0 ? [Self.sign, car] : [car]
            kept.append(lookalikes.filter(found, at: Double(second), picture: picture).count)
        }
        #expect(kept.enumerated().allSatisfy { i, n in n == (i % 2 == 0 ? 2 : 1) }, "\(kept)")
        #expect(lookalikes.lookalikes.isEmpty)
    }
}
