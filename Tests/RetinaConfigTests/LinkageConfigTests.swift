import RetinaConfig
import Testing
import Vocabulary

/// `linkage:`: the broker and the webhooks read with their filters; every mistake located, and no
/// secret or URL password ever quoted back.
@Suite struct LinkageConfigTests {
    let cameras = """
    groups:
      - {id: compound-7}
    cameras:
      - {id: gate-1, url: rtsp://10.0.7.1/101, group: compound-7}

    """

    @Test func readsTheBrokerAndTheWebhooksWithTheirFilters() throws {
        let c = try ConfigLoader.parse(cameras + """
        linkage:
          mqtt: {url: mqtt://retina:pw@10.0.0.5:1884, topicPrefix: district/retina}
          webhooks:
            - {name: property-7, url: http://10.0.7.2:9000/hook, secret: s3cret, filter: {minPriority: P2, groups: [compound-7], types: [fall.*, crowd.density]}}
            - {name: police, url: https://110.example/hook, secret: another-secret, timeout: 5s, giveUpAfter: 2h}
        """, file: "c.yaml")
        #expect(c.linkage.mqtt == .init(url: "mqtt://retina:pw@10.0.0.5:1884", topicPrefix: "district/retina"))
        #expect(c.linkage.webhooks.map(\.name) == ["property-7", "police"])
        let filter = c.linkage.webhooks[0].filter
        #expect(filter == SubscriptionFilter(types: ["fall.*", "crowd.density"], minPriority: .p2, groups: ["compound-7"]))
        #expect(filter.matches(type: "fall.inactivity", priority: .p1, group: "compound-7", camera: nil))
        #expect(!filter.matches(type: "fall.detected", priority: .p1, group: "compound-9", camera: nil))
        #expect(!filter.matches(type: "crowd.density", priority: .p3, group: "compound-7", camera: "gate-1"))
        #expect(!filter.matches(type: "motion.anomaly", priority: .p1, group: "compound-7", camera: "gate-1"))
        #expect(c.linkage.webhooks[1].timeout == 5 && c.linkage.webhooks[1].giveUpAfter == 7200 && c.linkage.webhooks[1].filter == SubscriptionFilter())
        #expect(try ConfigLoader.parse(cameras, file: "c.yaml").linkage.isEmpty)
    }

    @Test func everyMistakeIsLocatedAndNoSecretIsQuoted() {
        let yaml = cameras + """
        linkage:
          mqtt: {url: "mqtts://u:topsecretpw@broker:8883", topicPrefix: "site/#"}
          webhooks:
            - {name: property-7, url: "ftp://u:topsecretpw@host/x", secret: s3cret, filter: {minPriority: P9, groups: [compound-9], cameras: [gate-9], types: ["fall..", "*"]}}
            - {name: property-7, url: http://10.0.7.2/hook, secret: "", timeout: 0s}
            - {nmae: x}
        """
        var issues: [ConfigIssue] = []
        do { _ = try ConfigLoader.parse(yaml, file: "c.yaml") } catch { issues = error.issues }
        let text = issues.map(\.description).joined(separator: "\n")
        for expected in ["linkage.mqtt.url", "mqtts:// (TLS) is not supported", "linkage.mqtt.topicPrefix", "linkage.webhooks[0].url",
                         "linkage.webhooks[0].filter.minPriority", "no camera group 'compound-9'", "no camera 'gate-9'",
                         "linkage.webhooks[0].filter.types[0]", "linkage.webhooks[0].filter.types[1]",
                         "webhook 'property-7' is declared twice", "linkage.webhooks[1].secret", "linkage.webhooks[1].timeout",
                         "linkage.webhooks[2].nmae", "linkage.webhooks[2].name"] {
            #expect(text.contains(expected), "missing \(expected) in:\n\(text)")
        }
        #expect(issues.allSatisfy { $0.line != nil }, "an issue without its line:\n\(text)")
        #expect(!text.contains("topsecretpw") && !text.contains("s3cret"))
    }
}
