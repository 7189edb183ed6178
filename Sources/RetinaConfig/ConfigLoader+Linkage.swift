import Foundation
import Redaction
import Vocabulary
import Yams

/// `linkage:` — read after the cameras, so a filter's groups and cameras are checked against them.
extension ConfigLoader {
    static func readLinkage(_ node: Node, _ r: NodeReader, _ config: Configuration) -> LinkageConfig {
        var out = LinkageConfig()
        guard let m = r.mapping(node, "linkage", allowed: ["mqtt", "webhooks"]) else { return out }
        if let q = m["mqtt"], let mq = r.mapping(q, "linkage.mqtt", allowed: ["url", "topicPrefix"]) {
            if mq["url"] == nil { r.fail(q, "linkage.mqtt.url", "is required: mqtt://HOST[:PORT]") }
            let url = (mq["url"] == nil ? nil : r.string(mq["url"], "linkage.mqtt.url", required: true)) ?? ""
            let lower = url.lowercased()
            if lower.hasPrefix("mqtts://") {
                r.fail(mq["url"], "linkage.mqtt.url", "mqtts:// (TLS) is not supported yet: use mqtt:// on a trusted network or a local bridge")
            } else if !url.isEmpty, !lower.hasPrefix("mqtt://") || (URLComponents(string: url)?.host ?? "").isEmpty {
                r.fail(mq["url"], "linkage.mqtt.url", "expected mqtt://HOST[:PORT], got '\(URLCredentials.mask(url))'")
            }
            let prefix = r.string(mq["topicPrefix"], "linkage.mqtt.topicPrefix") ?? "retina"
            if prefix.isEmpty || prefix.contains(where: { "+#".contains($0) }) || prefix.hasPrefix("/") || prefix.hasSuffix("/") {
                r.fail(mq["topicPrefix"], "linkage.mqtt.topicPrefix", "a topic prefix such as retina or site/retina: no + or #, no leading or trailing /")
            }
            out.mqtt = .init(url: url, topicPrefix: prefix)
        }
        guard let w = m["webhooks"], let items = r.sequence(w, "linkage.webhooks") else { return out }
        let cameras = Set(config.cameras.map(\.id))
        let groups = Set(config.groups.map(\.id) + config.cameras.map(\.group))
        var names: Set<String> = []
        for (i, item) in items.enumerated() {
            let path = "linkage.webhooks[\(i)]"
            guard let h = r.mapping(item, path, allowed: ["name", "url", "secret", "filter", "timeout", "giveUpAfter"]) else { continue }
            // A missing key is reported at its webhook's line.
            for key in ["name", "url", "secret"] where h[key] == nil { r.fail(item, "\(path).\(key)", "is required") }
            let name = (h["name"] == nil ? nil : r.string(h["name"], "\(path).name", required: true)) ?? ""
            if !name.isEmpty {
                checkIdentifier(name, h["name"], "\(path).name", r)
                if !names.insert(name).inserted { r.fail(h["name"], "\(path).name", "webhook '\(name)' is declared twice") }
            }
            let url = (h["url"] == nil ? nil : r.string(h["url"], "\(path).url", required: true)) ?? ""
            let lower = url.lowercased()
            if !url.isEmpty, !(lower.hasPrefix("http://") || lower.hasPrefix("https://")) || (URLComponents(string: url)?.host ?? "").isEmpty {
                r.fail(h["url"], "\(path).url", "expected http://HOST/PATH or https://HOST/PATH, got '\(URLCredentials.mask(url))'")
            }
            // Never quoted back: a secret is only ever said to be missing.
            let secret = (h["secret"] == nil ? nil : r.string(h["secret"], "\(path).secret", required: true)) ?? ""
            var filter = SubscriptionFilter()
            if let f = h["filter"], let fm = r.mapping(f, "\(path).filter", allowed: ["types", "minPriority", "groups", "cameras"]) {
                filter.types = strings(fm["types"], "\(path).filter.types", r)
                for (j, t) in filter.types.enumerated() where !SubscriptionFilter.isPattern(t) {
                    r.fail(fm["types"], "\(path).filter.types[\(j)]", "expected an event type such as crowd.density, or a family such as fall.*, got '\(t)'")
                }
                if let p = r.string(fm["minPriority"], "\(path).filter.minPriority") {
                    if let priority = Priority(label: p) { filter.minPriority = priority }
                    else { r.fail(fm["minPriority"], "\(path).filter.minPriority", "expected P1, P2, P3 or P4, got '\(p)'") }
                }
                filter.groups = strings(fm["groups"], "\(path).filter.groups", r)
                for g in filter.groups where !groups.contains(g) {
                    r.fail(fm["groups"], "\(path).filter.groups", "no camera group '\(g)' (groups: \(groups.sorted().joined(separator: ", ")))")
                }
                filter.cameras = strings(fm["cameras"], "\(path).filter.cameras", r)
                for c in filter.cameras where !cameras.contains(c) {
                    r.fail(fm["cameras"], "\(path).filter.cameras", "no camera '\(c)' in this file")
                }
            }
            let timeout = r.duration(h["timeout"], "\(path).timeout", range: 1...120) ?? 10
            let giveUp = r.duration(h["giveUpAfter"], "\(path).giveUpAfter", range: 60...(30 * 86_400)) ?? 86_400
            out.webhooks.append(.init(name: name, url: url, secret: secret, filter: filter, timeout: timeout, giveUpAfter: giveUp))
        }
        return out
    }

    /// A list of words, or one word.
    private static func strings(_ node: Node?, _ path: String, _ r: NodeReader) -> [String] {
        guard let node else { return [] }
        if case .scalar = node { return r.string(node, path).map { [$0] } ?? [] }
        return (r.sequence(node, path) ?? []).enumerated().compactMap { r.string($1, "\(path)[\($0)]", required: true) }
    }
}
