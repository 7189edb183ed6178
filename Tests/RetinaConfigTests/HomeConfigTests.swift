import RetinaConfig
import Testing

/// `kind: home` cameras: the resident, the rest and masked zones, and clear refusals.
@Suite struct HomeConfigTests {
    func issues(_ yaml: String) -> [String] { PerceptionConfigTests().issues(yaml) }

    @Test func aHomeCameraNamesItsResidentAndItsZones() throws {
        let config = try ConfigLoader.parse("""
        cameras:
          - id: flat-12-3
            kind: home
            url: home.mp4
            home: {subject: resident-0412, inactivity: 2m, stillFor: 4h, activeHours: "07:00-22:00", keepClear: false}
            zones:
              - {id: bed, kind: rest, polygon: [[0, 300], [200, 300], [200, 480], [0, 480]]}
              - {id: bathroom-door, kind: masked, polygon: [[500, 0], [640, 0], [640, 200]]}
          - {id: gate, url: gate.mp4}
        """, file: "c.yaml")
        let home = try #require(config.cameras[0].home)
        #expect(config.cameras[0].kind == .home && home.subject == "resident-0412")
        #expect(home.inactivity == 120 && home.stillFor == 14_400 && home.activeHours == "07:00-22:00" && !home.keepClear && home.rate == 5)
        #expect(config.cameras[0].masks.map(\.id) == ["bathroom-door"])
        #expect(config.cameras[1].kind == .street && config.cameras[1].home == nil)
    }

    @Test func refusalsSayWhatToWrite() {
        #expect(issues("cameras:\n  - {id: a, kind: home, url: a.mp4}\n").contains { $0.contains("cameras[0].home") && $0.contains("subject") })
        #expect(issues("cameras:\n  - {id: a, kind: home, url: a.mp4, home: {inactivity: 60s}}\n").contains { $0.contains("cameras[0].home.subject") })
        #expect(issues("cameras:\n  - {id: a, url: a.mp4, home: {subject: r}}\n").contains { $0.contains("add kind: home") })
        #expect(issues("cameras:\n  - {id: a, kind: flat, url: a.mp4}\n").contains { $0.contains("cameras[0].kind") && $0.contains("home") })
        #expect(issues("""
        cameras:
          - {id: a, url: a.mp4, zones: [{id: bed, kind: rest, polygon: [[0, 0], [10, 0], [10, 10]]}]}
        """).contains { $0.contains("for home cameras") })
        #expect(issues("cameras:\n  - {id: a, kind: home, url: a.mp4, home: {subject: r, activeHours: \"7-22\"}}\n")
            .contains { $0.contains("cameras[0].home.activeHours") })
        #expect(issues("cameras:\n  - {id: a, kind: home, url: a.mp4, home: {subject: r, rate: 40}}\n").contains { $0.contains("cameras[0].home.rate") })
    }

    @Test func aStreetCameraMayMaskAZoneToo() throws {
        let config = try ConfigLoader.parse("""
        cameras:
          - {id: a, url: a.mp4, zones: [{id: windows, kind: masked, polygon: [[0, 0], [10, 0], [10, 10]]}]}
        """, file: "c.yaml")
        #expect(config.cameras[0].masks.count == 1)
    }
}
