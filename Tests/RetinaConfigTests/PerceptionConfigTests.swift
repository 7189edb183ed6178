import Perception
import RetinaConfig
import Testing

/// `perception:` of a camera (learned people detection): defaults, overrides, and clear refusals.
@Suite struct PerceptionConfigTests {
    func issues(_ yaml: String) -> [String] {
        do {
            _ = try ConfigLoader.parse(yaml, file: "c.yaml")
            return []
        } catch {
            return error.issues.map(\.description)
        }
    }

    @Test func defaultsAreOnceASecondOnMotionOnTheWholePicture() throws {
        let config = try ConfigLoader.parse("cameras:\n  - {id: a, url: a.mp4}\n", file: "c.yaml")
        #expect(config.cameras[0].perception == PerceptionSettings(people: true, rate: 1, tiles: .whole, gate: .motion))
        let adHoc = try ConfigLoader.adHoc([("a", "a.mp4")])
        #expect(adHoc.cameras[0].perception == PerceptionSettings())
    }

    @Test func aCameraOverridesTheFilesDefaults() throws {
        let config = try ConfigLoader.parse("""
        defaults: {perception: {people: off, rate: 2 /s}}
        cameras:
          - {id: a, url: a.mp4}
          - {id: b, url: b.mp4, perception: {people: on, rate: 0.5, tiles: 2x2, gate: always}}
        """, file: "c.yaml")
        #expect(config.cameras[0].perception == PerceptionSettings(people: false, rate: 2, tiles: .whole, gate: .motion))
        #expect(config.cameras[1].perception == PerceptionSettings(people: true, rate: 0.5, tiles: .grid(columns: 2, rows: 2), gate: .always))
    }

    @Test func aZoneMayHaveACountingLine() throws {
        let config = try ConfigLoader.parse("""
        cameras:
          - {id: a, url: a.mp4, zones: [{id: hall, polygon: [[500, 0], [1000, 0], [1000, 500]], line: [[500, 100], [500, 400]]}]}
        """, file: "c.yaml")
        let line = try #require(config.cameras[0].zones[0].line)
        #expect(line.count == 2 && line[0] == (500, 100) && line[1] == (500, 400))
        #expect(issues("cameras:\n  - {id: a, url: a.mp4, zones: [{id: h, polygon: [[0, 0], [9, 0], [9, 9]], line: [[1, 1]]}]}\n")
            .contains { $0.contains("line: expected two different points") })
    }

    @Test func denseZonesAndTheForecastAreSetPerCamera() throws {
        let config = try ConfigLoader.parse("""
        defaults: {crowd: {forecast: 2m}}
        cameras:
          - {id: a, url: a.mp4}
          - {id: b, url: b.mp4, perception: {density: off, densityEvery: 5s, densityCheckEvery: 1m, densityScale: picture, passDensity: off, denseFrom: 20, lookalikes: off, lookCloser: off, followUp: off, spareRate: off}, crowd: {forecast: off}}
          - {id: c, url: c.mp4, perception: {spareRate: 10/s}}
        """, file: "c.yaml")
        #expect(config.cameras[0].perception.density && config.cameras[0].perception.densityEvery == 2)
        #expect(config.cameras[0].perception.regimeThresholds == CrowdRegime.Thresholds.standard)
        #expect(config.cameras[0].crowd.forecast == 120)
        let b = config.cameras[1]
        #expect(!b.perception.density && b.perception.densityEvery == 5 && b.perception.densityCheckEvery == 60)
        #expect(b.perception.regimeThresholds.people == 20 && b.perception.regimeThresholds.densityPeople == 40)
        #expect(config.cameras[0].perception.densityCheckEvery == 30)
        #expect(config.cameras[0].perception.lookalikes && !b.perception.lookalikes)
        #expect(config.cameras[0].perception.lookCloser && !b.perception.lookCloser)
        #expect(config.cameras[0].perception.followUp && !b.perception.followUp)
        #expect(config.cameras[0].perception.spareRate == 0 && b.perception.spareRate == 0 && config.cameras[2].perception.spareRate == 10)
        #expect(config.cameras[0].perception.densityScale == .main && b.perception.densityScale == .picture)
        #expect(config.cameras[0].perception.passDensity && !b.perception.passDensity)
        #expect(b.crowd.forecast == nil)
        #expect(try ConfigLoader.parse("cameras:\n  - {id: a, url: a.mp4}\n", file: "c.yaml").cameras[0].crowd.forecast == 300)
    }

    @Test(arguments: [
        ("perception: {people: maybe}", "cameras[0].perception.people: expected true or false, got 'maybe'"),
        ("perception: {rate: 0}", "cameras[0].perception.rate: expected detection passes per second between 0.05 and 30, e.g. 1 or 0.5/s, got '0'"),
        ("perception: {rate: fast}", "cameras[0].perception.rate: expected detection passes per second between 0.05 and 30, e.g. 1 or 0.5/s, got 'fast'"),
        ("perception: {rate: off}", "cameras[0].perception.rate: expected detection passes per second between 0.05 and 30, e.g. 1 or 0.5/s, got 'off'"),
        ("perception: {spareRate: 50}", "cameras[0].perception.spareRate: expected detection passes per second between 0.05 and 30, e.g. 1 or 0.5/s, or off, got '50'"),
        ("perception: {tiles: 9x9}", "cameras[0].perception.tiles: expected auto, 1 (the whole picture) or CxR tiles as well, 1 to 8 each (e.g. 2x2), got '9x9'"),
        ("perception: {gate: sometimes}", "cameras[0].perception.gate: expected motion or always, got 'sometimes'"),
        ("perception: {people: on, model: big}", "cameras[0].perception"),
        ("perception: {densityEvery: 0.1s}", "cameras[0].perception.densityEvery: must be between 0.2 s and 600 s"),
        ("perception: {denseFrom: 0}", "cameras[0].perception.denseFrom"),
        ("perception: {densityScale: big}", "cameras[0].perception.densityScale: expected main or picture, got 'big'"),
        ("perception: {passDensity: sometimes}", "cameras[0].perception.passDensity: expected true or false, got 'sometimes'"),
        ("crowd: {forecast: 5s}", "cameras[0].crowd.forecast: must be between 10 s and 3600 s"),
        ("crowd: {forecast: soon}", "cameras[0].crowd.forecast: expected a duration"),
    ])
    func badValuesAreRefusedWithTheirLineAndKey(field: String, message: String) {
        let found = issues("cameras:\n  - {id: a, url: a.mp4, \(field)}\n")
        #expect(found.count == 1 && found[0].hasPrefix("c.yaml:2:") && found[0].contains(message), "\(found)")
    }
}
