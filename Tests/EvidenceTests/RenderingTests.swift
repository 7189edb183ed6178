import Events
@testable import Evidence
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import RetinaTestSupport
import Testing

/// The GB/T 28181 alarm XML (read back with Foundation's XMLParser), the GA/T 1400 lists and the
/// extraction list, as a police platform would read them.
@Suite struct RenderingTests {
    /// Element name → text, for a flat-enough document; also records the element path order.
    final class Collector: NSObject, XMLParserDelegate {
        var values: [String: String] = [:]
        var paths: [String] = []
        private var stack: [String] = []
        private var text = ""
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            stack.append(name)
            paths.append(stack.joined(separator: "/"))
            text = ""
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }
        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            values[stack.joined(separator: "/")] = text.trimmingCharacters(in: .whitespacesAndNewlines)
            stack.removeLast()
            text = ""
        }
    }

    static func parse(_ xml: String) throws -> Collector {
        let parser = XMLParser(data: Data(xml.utf8))
        let c = Collector()
        parser.delegate = c
        guard parser.parse() else { throw FixtureError("XML does not parse: \(parser.parserError.map { "\($0)" } ?? "?")\n\(xml)") }
        return c
    }

    static let shanghai = TimeZone(identifier: "Asia/Shanghai")!

    static func crowd(level: CrowdLevel = .red, zone: String = "plaza <A&B> \"east\"") -> Event {
        Event(id: UUID(uuidString: "0d1b2c3e-4f50-4a6b-8c7d-9e0f1a2b3c4d")!, type: "crowd.density", priority: .p1, level: level,
              source: EventSource(producer: "retina", camera: "gate-1", deviceId: "31011500001320000001", group: "compound-7", zone: zone),
              location: EventLocation(lat: 31.2304, lon: 121.4737), occurredAt: RFC3339.parse("2026-11-23T11:00:05+08:00")!,
              detectedAt: RFC3339.parse("2026-11-23T11:00:06+08:00")!,
              payload: .object(["count": .number(152), "densityPerM2": .number(3.4), "areaM2": .number(45), "walkwayLOS": .string("F"),
                                "trendPerMinute": .number(0.6), "dwellSeconds": .number(90)]))
    }

    @Test func gbAlarmHasTheRequiredFieldsAndParses() throws {
        let xml = GB28181Alarm.xml(for: Self.crowd(), sn: 7, timeZone: Self.shanghai)
        #expect(xml.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Notify>"))
        let c = try Self.parse(xml)
        #expect(c.values["Notify/CmdType"] == "Alarm")
        #expect(c.values["Notify/SN"] == "7")
        #expect(c.values["Notify/DeviceID"] == "31011500001320000001")
        #expect(c.values["Notify/AlarmPriority"] == "1")
        #expect(c.values["Notify/AlarmMethod"] == "5")
        #expect(c.values["Notify/Info/AlarmType"] == "10")
        #expect(c.values["Notify/AlarmTime"] == "2026-11-23T11:00:05", "local time, no zone")
        #expect(c.values["Notify/Longitude"] == "121.473700" && c.values["Notify/Latitude"] == "31.230400")
        // AlarmDescription: key=value;… with the zone name escaped in XML and unable to break the grammar.
        let description = try #require(c.values["Notify/AlarmDescription"])
        let pairs = Dictionary(uniqueKeysWithValues: description.split(separator: ";").map { kv -> (String, String) in
            let p = kv.split(separator: "=", maxSplits: 1)
            return (String(p[0]), String(p[1]))
        })
        #expect(pairs["evt"] == "0d1b2c3e-4f50-4a6b-8c7d-9e0f1a2b3c4d" && pairs["lvl"] == "I" && pairs["dens"] == "3.4" && pairs["cnt"] == "152")
        #expect(pairs["area"] == "45" && pairs["los"] == "F" && pairs["trend"] == "+0.6/min" && pairs["dur"] == "90s")
        #expect(pairs["zone"] == "plaza <A&B> \"east\"")
        #expect(xml.contains("plaza &lt;A&amp;B&gt; &quot;east&quot;"))
    }

    @Test func gbMappingFollowsTheNotes() {
        func map(_ type: EventType, _ subtype: EventSubtype? = nil) -> GB28181Alarm.Mapping {
            GB28181Alarm.mapping(for: Event(type: type, subtype: subtype, priority: .p2, source: EventSource(producer: "retina"), occurredAt: Date()))
        }
        #expect(map("crowd.density") == .init(method: 5, type: 10))
        #expect(map("crowd.flow") == .init(method: 5, type: 9))
        #expect(map("motion.anomaly", "running") == .init(method: 5, type: 12))
        #expect(map("motion.anomaly", "intrusion") == .init(method: 5, type: 6, eventType: 1))
        #expect(map("motion.anomaly", "loitering") == .init(method: 5, type: 8))
        #expect(map("motion.anomaly", "counter_flow") == .init(method: 5, type: 7))
        #expect(map("fall.detected") == .init(method: 7))
        for (level, priority) in [(CrowdLevel.red, 1), (.orange, 2), (.yellow, 3), (.blue, 4)] {
            #expect(GB28181Alarm.priority(for: Self.crowd(level: level)) == priority)
        }
        // The intrusion's EventType parses where the standard puts it.
        var intrusion = Self.crowd()
        intrusion.type = "motion.anomaly"
        intrusion.subtype = "intrusion"
        let c = try? Self.parse(GB28181Alarm.xml(for: intrusion, sn: 1, timeZone: Self.shanghai))
        #expect(c?.values["Notify/Info/AlarmType"] == "6" && c?.values["Notify/Info/AlarmTypeParam/EventType"] == "1")
    }

    @Test func xmlEscapingDropsWhatXMLCannotCarry() throws {
        var e = Self.crowd(zone: "a\u{0001}b'c")
        e.source.camera = "cam]]>"
        let c = try Self.parse(GB28181Alarm.xml(for: e, sn: 1, timeZone: Self.shanghai))
        #expect(c.values["Notify/AlarmDescription"]?.contains("zone=ab'c;cam=cam]]>") == true)
    }

    @Test func gatListsInTheExportedBag() async throws {
        let w = try EvidenceWorld()
        let a = try await w.publishCrowd()
        let s = try await w.export(ExportSelection(events: [a.id]))
        let labels = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: s.path + "/data/gat1400/video-labels.json"))) as? [String: Any]
        let label = try #require(((labels?["VideoLabelListObject"] as? [String: Any])?["VideoLabelObject"] as? [[String: Any]])?.first)
        #expect(label["EventSort"] as? Int == 15)
        #expect(label["PersonNum"] as? Int == 152)
        #expect(label["PersonDensityAbs"] as? Double == 3.4)
        #expect(label["IVADeviceID"] as? String == "31011500005030000001")
        #expect(label["CameraID"] as? String == "31011500001320000001")
        let created = try #require(label["CreateTimeAbs"] as? String)
        #expect(created.count == 14 && created.allSatisfy(\.isNumber))
        #expect((label["VideoLabelID"] as? String)?.count == 48)
        let behaviour = try #require(label["BehaviorAnalysisObject"] as? [String: Any])
        #expect(behaviour["EventLevel"] as? Int == 1 && (behaviour["BehaviorBeginTime"] as? String)?.count == 14)
        let imagePath = try #require(label["ImagePath"] as? String)
        #expect(FileManager.default.fileExists(atPath: s.path + "/" + imagePath))

        let images = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: s.path + "/data/gat1400/images.json"))) as? [String: Any]
        let info = try #require((((images?["ImageListObject"] as? [String: Any])?["Image"] as? [[String: Any]])?.first)?["ImageInfo"] as? [String: Any])
        #expect(info["Type"] as? String == "14")
        #expect(info["Width"] as? Int == 320 && info["Height"] as? Int == 240)
        // FileHash is the MD5 of the copied JPEG, as coreutils' md5sum computes it.
        let md5 = try Fixtures.run("/usr/bin/md5sum", [s.path + "/" + (info["StoragePath"] as! String)]).output.split(separator: " ").first.map(String.init)
        #expect(info["FileHash"] as? String == md5)
        #expect((info["ImageID"] as? String)?.count == 41)
        // No identity fields anywhere.
        for text in [try String(contentsOfFile: s.path + "/data/gat1400/video-labels.json", encoding: .utf8),
                     try String(contentsOfFile: s.path + "/data/gat1400/images.json", encoding: .utf8)] {
            for field in ["PersonID", "FaceID", "IDNumber", "PersonObject", "FaceObject"] { #expect(!text.contains(field)) }
        }

        // The extraction list: every evidence file with format, size, time range, device and both hashes.
        let list = try JSONDecoder().decode([ExtractionItem].self, from: Data(contentsOf: URL(fileURLWithPath: s.path + "/data/extraction_list.json")))
        let clip = try #require(list.first { $0.category == "clip" })
        #expect(clip.format == "video/mp4" && clip.size == a.evidence[1].size && clip.sha256 == a.evidence[1].sha256)
        #expect(clip.sourceDevice == "31011500001320000001" && clip.startTime == "2026-11-18T19:06:40.000+08:00", "\(clip)")
        #expect(list.map(\.seq) == Array(1...list.count))
        let csv = try String(contentsOfFile: s.path + "/data/extraction_list.csv", encoding: .utf8)
        #expect(csv.split(separator: "\n").count == list.count + 1)
    }

    @Test func csvCellsCannotBecomeFormulas() {
        #expect(ExtractionItem.csv("=HYPERLINK(\"x\")") == "\"'=HYPERLINK(\"\"x\"\")\"")
        #expect(ExtractionItem.csv("a,b") == "\"a,b\"")
        #expect(ExtractionItem.csv("plain") == "plain")
    }

    @Test func custodyChainUnit() throws {
        var out = Data()
        let log = CustodyLogWriter(actor: "a", role: "r", tool: "t", host: "h") { out += $0 }
        try log.append("create", object: "x")
        try log.append("copy", object: "y", before: "00", after: "00")
        #expect(CustodyLogVerifier.verify(out, head: log.head).isEmpty)
        // Reordered lines break the chain at line 1 and 2.
        let lines = out.split(separator: 0x0A)
        let swapped = Data(lines[1]) + Data([0x0A]) + Data(lines[0]) + Data([0x0A])
        let problems = CustodyLogVerifier.verify(swapped, head: log.head)
        #expect(problems.contains { $0.line == 1 } && problems.contains { $0.line == 2 })
    }
}
