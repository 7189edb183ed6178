import Foundation
import Perception
import Yams
import Vision
import Vocabulary

/// Parses and validates a configuration file. Every error names the file, line, key and what was expected.
public enum ConfigLoader {
    /// - Parameter baseDirectory: where relative paths (models, file cameras) are resolved; default:
    ///   the file's folder. A supervisor's workers read its accepted copy of the file, elsewhere.
    public static func load(path: String, baseDirectory: String? = nil) throws(ConfigError) -> Configuration {
        let baseDirectory = baseDirectory ?? (path as NSString).deletingLastPathComponent
        return try parse(read(path: path), file: path, baseDirectory: baseDirectory)
    }

    /// The file's text, for a caller that must keep exactly what it validated (the supervisor hands
    /// that text, not a second read of a file being edited, to its workers).
    public static func read(path: String) throws(ConfigError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read (permissions?)" : "does not exist"
            throw ConfigError(issues: [ConfigIssue(file: path, path: "", message: "configuration file \(reason)")])
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// - Parameter baseDirectory: relative file URLs of cameras are resolved against it.
    public static func parse(_ yaml: String, file: String, baseDirectory: String = "") throws(ConfigError) -> Configuration {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw ConfigError(issues: [ConfigIssue(error, yaml: yaml, file: file)])
        } catch {
            throw ConfigError(issues: [ConfigIssue(file: file, path: "", message: "not valid YAML: \(error)")])
        }
        guard let root else { throw ConfigError(issues: [ConfigIssue(file: file, path: "", message: "the file is empty")]) }
        let r = NodeReader(file: file)
        var config = Configuration(source: file, store: nil, evidence: nil, groups: [], cameras: [])
        guard let top = r.mapping(root, "", allowed: ["store", "evidence", "defaults", "groups", "cameras", "linkage"]) else { throw ConfigError(issues: r.issues) }

        config.store = r.string(top["store"], "store")
        if let store = config.store, let problem = URLChecks.storeProblem(store) { r.fail(top["store"], "store", problem) }
        // `evidence: DIR`, or `evidence: {dir: DIR, clips: {…}}`.
        var evidenceDir: (node: Node?, path: String) = (top["evidence"], "evidence")
        if let e = top["evidence"], case .mapping = e {
            let m = r.mapping(e, "evidence", allowed: ["dir", "clips"]) ?? [:]
            evidenceDir = (m["dir"], "evidence.dir")
            if let c = m["clips"] { readClips(c, "evidence.clips", r, into: &config.clips) }
        }
        config.evidence = r.string(evidenceDir.node, evidenceDir.path).map {
            $0.hasPrefix("/") || baseDirectory.isEmpty ? $0 : (baseDirectory as NSString).appendingPathComponent($0)
        }
        var defaults = StreamSettings()
        var motionDefaults = MotionSettings()
        var crowdDefaults = CrowdSettings()
        var anomalyDefaults = AnomalySettings()
        var perceptionDefaults = PerceptionSettings()
        if let d = top["defaults"], let m = r.mapping(d, "defaults", allowed: streamKeys + ["motion", "crowd", "anomaly", "perception"]) {
            readStream(m, "defaults", r, into: &defaults)
            if let mn = m["motion"] { readMotion(mn, "defaults.motion", r, into: &motionDefaults) }
            if let cn = m["crowd"] { readCrowd(cn, "defaults.crowd", r, baseDirectory, into: &crowdDefaults) }
            if let an = m["anomaly"] { readAnomaly(an, "defaults.anomaly", r, into: &anomalyDefaults) }
            if let pn = m["perception"] { readPerception(pn, "defaults.perception", r, into: &perceptionDefaults) }
        }

        var groupNodes: [String: Node] = [:]
        if let g = top["groups"], let items = r.sequence(g, "groups") {
            for (i, item) in items.enumerated() {
                let path = "groups[\(i)]"
                guard let m = r.mapping(item, path, allowed: ["id", "name"]) else { continue }
                guard let id = r.string(m["id"], "\(path).id", required: true) else { continue }
                checkIdentifier(id, m["id"], "\(path).id", r)
                if groupNodes[id] != nil { r.fail(m["id"], "\(path).id", "group '\(id)' is declared twice") }
                groupNodes[id] = item
                config.groups.append(CameraGroup(id: id, name: r.string(m["name"], "\(path).name")))
            }
        }

        guard let camerasNode = top["cameras"] else {
            r.fail(root, "cameras", "is required: list the cameras to analyse")
            throw ConfigError(issues: r.issues)
        }
        var seen: [String: Int] = [:]
        for (i, item) in (r.sequence(camerasNode, "cameras") ?? []).enumerated() {
            let path = "cameras[\(i)]"
            guard let m = r.mapping(item, path, allowed: ["id", "name", "url", "group", "deviceId", "location", "zones",
                                                          "perspective", "motion", "crowd", "anomaly", "perception", "clips", "enabled",
                                                          "kind", "home", "detect", "snapshot"] + streamKeys) else { continue }
            let id = r.string(m["id"], "\(path).id", required: true) ?? ""
            if !id.isEmpty {
                checkIdentifier(id, m["id"], "\(path).id", r)
                if let first = seen[id] { r.fail(m["id"], "\(path).id", "camera id '\(id)' is already used by cameras[\(first)]") }
                seen[id] = i
            }
            let url = r.string(m["url"], "\(path).url", required: true).map { resolveURL($0, m["url"], "\(path).url", baseDirectory, r) } ?? ""
            let detect = r.string(m["detect"], "\(path).detect").map { resolveURL($0, m["detect"], "\(path).detect", baseDirectory, r) }
            let snapshot = r.choice(m["snapshot"], "\(path).snapshot", SnapshotSource.self) ?? .main
            if m["snapshot"] != nil, detect == nil {
                r.fail(m["snapshot"], "\(path).snapshot", "chooses between two streams: give the analysis stream as detect: URL, or remove it")
            }
            let group = r.string(m["group"], "\(path).group") ?? "default"
            if !config.groups.isEmpty, groupNodes[group] == nil {
                r.fail(m["group"] ?? item, "\(path).group", "group '\(group)' is not declared under groups (declared: \(config.groups.map(\.id).joined(separator: ", ")))")
            }
            let deviceId = r.string(m["deviceId"], "\(path).deviceId")
            if let deviceId, deviceId.count != 20 || !deviceId.allSatisfy(\.isASCIIDigit) {
                r.fail(m["deviceId"], "\(path).deviceId", "a GB/T 28181 device id is 20 digits, got '\(deviceId)' (\(deviceId.count) characters)")
            }
            var stream = defaults
            readStream(m, path, r, into: &stream)
            var motion = motionDefaults
            if let mn = m["motion"] { readMotion(mn, "\(path).motion", r, into: &motion) }
            var crowd = crowdDefaults
            if let cn = m["crowd"] { readCrowd(cn, "\(path).crowd", r, baseDirectory, into: &crowd) }
            var anomaly = anomalyDefaults
            if let an = m["anomaly"] { readAnomaly(an, "\(path).anomaly", r, into: &anomaly) }
            var perception = perceptionDefaults
            if let pn = m["perception"] { readPerception(pn, "\(path).perception", r, into: &perception) }
            var clips = config.clips
            if let cn = m["clips"] { readClips(cn, "\(path).clips", r, into: &clips) }
            let kind = r.choice(m["kind"], "\(path).kind", CameraKind.self) ?? .street
            var home: HomeSettings?
            if kind == .home {
                home = m["home"].flatMap { readHome($0, "\(path).home", r) }
                if m["home"] == nil {
                    r.fail(item, "\(path).home", "is required for a home camera: at least its resident, e.g. home: {subject: resident-0412}")
                }
            } else if let hn = m["home"] {
                r.fail(hn, "\(path).home", "is for home cameras: add kind: home, or remove it")
            }
            let zones = m["zones"].map { readZones($0, "\(path).zones", r) } ?? []
            if kind != .home, zones.contains(where: { $0.kind == .rest }) {
                r.fail(m["zones"] ?? item, "\(path).zones", "a rest zone (a bed, a sofa) is for home cameras (kind: home)")
            }
            config.cameras.append(CameraConfig(
                id: id, name: r.string(m["name"], "\(path).name"), url: url, detect: detect, snapshot: snapshot, group: group, deviceId: deviceId,
                location: m["location"].flatMap { readLocation($0, "\(path).location", r) }, stream: stream,
                zones: zones,
                perspective: m["perspective"].map { readPerspective($0, "\(path).perspective", r) } ?? [],
                motion: motion, crowd: crowd, anomaly: anomaly, clips: clips, enabled: r.bool(m["enabled"], "\(path).enabled") ?? true,
                perception: perception, kind: kind, home: home
            ))
        }
        if config.groups.isEmpty {
            // Groups are optional in small deployments: declare the ones cameras use.
            config.groups = Array(Set(config.cameras.map(\.group))).sorted().map { CameraGroup(id: $0, name: nil) }
        }
        if config.cameras.isEmpty && r.issues.isEmpty { r.fail(camerasNode, "cameras", "lists no camera") }
        if let l = top["linkage"] { config.linkage = readLinkage(l, r, config) }
        guard r.issues.isEmpty else { throw ConfigError(issues: r.issues) }
        return config
    }

    static let streamKeys = ["transport", "analysis", "openTimeout", "stallTimeout", "settle", "backoff", "offlineAfter", "frameBuffer", "pace", "decoderThreads", "decodeBurst", "deblock"]

    private static func readStream(_ m: [String: Node], _ path: String, _ r: NodeReader, into s: inout StreamSettings) {
        s.transport = r.choice(m["transport"], "\(path).transport", StreamTransport.self) ?? s.transport
        if let a = m["analysis"], let am = r.mapping(a, "\(path).analysis", allowed: ["fps", "width", "height"]) {
            s.analysisFps = r.double(am["fps"], "\(path).analysis.fps", range: 0.1...60) ?? s.analysisFps
            s.analysisWidth = r.int(am["width"], "\(path).analysis.width", range: 32...3840) ?? s.analysisWidth
            s.analysisHeight = r.int(am["height"], "\(path).analysis.height", range: 32...2160) ?? s.analysisHeight
        }
        s.openTimeout = r.duration(m["openTimeout"], "\(path).openTimeout", range: 0.5...300) ?? s.openTimeout
        s.stallTimeout = r.duration(m["stallTimeout"], "\(path).stallTimeout", range: 0.5...300) ?? s.stallTimeout
        s.settle = r.duration(m["settle"], "\(path).settle", range: 0...60) ?? s.settle
        s.offlineAfter = r.positiveDuration(m["offlineAfter"], "\(path).offlineAfter", max: 3600) ?? s.offlineAfter
        s.frameBuffer = r.int(m["frameBuffer"], "\(path).frameBuffer", range: 1...256) ?? s.frameBuffer
        s.pace = r.bool(m["pace"], "\(path).pace") ?? s.pace
        s.decoderThreads = r.int(m["decoderThreads"], "\(path).decoderThreads", range: 0...64) ?? s.decoderThreads
        s.decodeBurst = r.duration(m["decodeBurst"], "\(path).decodeBurst", range: 0...2) ?? s.decodeBurst
        s.deblock = r.choice(m["deblock"], "\(path).deblock", DeblockPolicy.self) ?? s.deblock
        if let b = m["backoff"], let items = r.sequence(b, "\(path).backoff") {
            let delays = items.enumerated().compactMap { r.duration($1, "\(path).backoff[\($0)]", range: 0...3600) }
            if delays.isEmpty { r.fail(b, "\(path).backoff", "needs at least one delay, e.g. [1s, 5s, 30s]") }
            // The last delay repeats for as long as the camera stays down (and for wrong credentials).
            else if delays.count == items.count, delays.last == 0 {
                r.fail(items.last, "\(path).backoff", "the last delay repeats and must be more than 0 s, or a camera that is down is retried without a pause")
            }
            else if delays.count == items.count { s.backoff = delays }
        }
    }

    private static func readMotion(_ node: Node, _ path: String, _ r: NodeReader, into s: inout MotionSettings) {
        guard let m = r.mapping(node, path, allowed: ["enabled", "pixelThreshold", "minZoneFraction", "cooldown"]) else { return }
        s.enabled = r.bool(m["enabled"], "\(path).enabled") ?? s.enabled
        s.pixelThreshold = r.int(m["pixelThreshold"], "\(path).pixelThreshold", range: 1...255) ?? s.pixelThreshold
        s.minZoneFraction = r.double(m["minZoneFraction"], "\(path).minZoneFraction", range: 0.0001...1) ?? s.minZoneFraction
        s.cooldown = r.duration(m["cooldown"], "\(path).cooldown", range: 0...86_400) ?? s.cooldown
    }

    private static func readCrowd(_ node: Node, _ path: String, _ r: NodeReader, _ base: String, into s: inout CrowdSettings) {
        guard let m = r.mapping(node, path, allowed: ["enabled", "model", "dwell", "cooldown", "updateEvery", "forecast"]) else { return }
        s.enabled = r.bool(m["enabled"], "\(path).enabled") ?? s.enabled
        if let model = r.string(m["model"], "\(path).model") {
            s.model = model.hasPrefix("/") || base.isEmpty ? model : (base as NSString).appendingPathComponent(model)
            if let resolved = s.model, let problem = modelFileProblem(resolved, given: model) { r.fail(m["model"], "\(path).model", problem) }
        }
        s.dwell = r.duration(m["dwell"], "\(path).dwell", range: 0...3600) ?? s.dwell
        s.cooldown = r.duration(m["cooldown"], "\(path).cooldown", range: 0...86_400) ?? s.cooldown
        s.updateEvery = r.duration(m["updateEvery"], "\(path).updateEvery", range: 1...3600) ?? s.updateEvery
        // A horizon (`5m`), or `off`.
        if let f = m["forecast"] {
            if case .scalar(let text) = f, ["off", "false", "no"].contains(text.string.lowercased()) { s.forecast = nil }
            else if let horizon = r.duration(f, "\(path).forecast", range: 10...3600) { s.forecast = horizon }
        }
    }

    private static func readAnomaly(_ node: Node, _ path: String, _ r: NodeReader, into s: inout AnomalySettings) {
        guard let m = r.mapping(node, path, allowed: ["enabled", "runningSpeed", "minRunningPersons", "cooldown", "vehicles", "vehicleLearning"]) else { return }
        s.enabled = r.bool(m["enabled"], "\(path).enabled") ?? s.enabled
        s.runningSpeed = r.double(m["runningSpeed"], "\(path).runningSpeed", range: 0.5...20) ?? s.runningSpeed
        s.minRunningPersons = r.double(m["minRunningPersons"], "\(path).minRunningPersons", range: 0.1...100) ?? s.minRunningPersons
        s.cooldown = r.duration(m["cooldown"], "\(path).cooldown", range: 0...86_400) ?? s.cooldown
        s.vehicles = r.bool(m["vehicles"], "\(path).vehicles") ?? s.vehicles
        s.vehicleLearning = r.duration(m["vehicleLearning"], "\(path).vehicleLearning", range: 0...86_400) ?? s.vehicleLearning
    }

    private static func readPerception(_ node: Node, _ path: String, _ r: NodeReader, into s: inout PerceptionSettings) {
        guard let m = r.mapping(node, path, allowed: ["people", "rate", "tiles", "gate", "density", "densityEvery", "densityCheckEvery", "densityScale", "passDensity", "denseFrom", "lookalikes", "lookCloser", "followUp", "spareRate"]) else { return }
        s.people = r.bool(m["people"], "\(path).people") ?? s.people
        s.rate = passRate(m["rate"], "\(path).rate", r) ?? s.rate
        s.spareRate = passRate(m["spareRate"], "\(path).spareRate", r, offAllowed: true) ?? s.spareRate
        if let tiles = m["tiles"], let text = r.string(tiles, "\(path).tiles") {
            if let setting = TileSetting(text) { s.tiles = setting }
            else { r.fail(tiles, "\(path).tiles", "expected auto, 1 (the whole picture) or CxR tiles as well, 1 to 8 each (e.g. 2x2), got '\(text)'") }
        }
        s.gate = r.choice(m["gate"], "\(path).gate", PerceptionSettings.Gate.self) ?? s.gate
        s.density = r.bool(m["density"], "\(path).density") ?? s.density
        s.densityEvery = r.duration(m["densityEvery"], "\(path).densityEvery", range: PerceptionSettings.densityIntervals) ?? s.densityEvery
        s.densityCheckEvery = r.duration(m["densityCheckEvery"], "\(path).densityCheckEvery", range: PerceptionSettings.densityIntervals) ?? s.densityCheckEvery
        s.densityScale = r.choice(m["densityScale"], "\(path).densityScale", PerceptionSettings.DensityScale.self) ?? s.densityScale
        s.passDensity = r.bool(m["passDensity"], "\(path).passDensity") ?? s.passDensity
        if let n = r.double(m["denseFrom"], "\(path).denseFrom", range: 1...10_000) { s.denseFrom = Int(n.rounded()) }
        s.lookalikes = r.bool(m["lookalikes"], "\(path).lookalikes") ?? s.lookalikes
        s.lookCloser = r.bool(m["lookCloser"], "\(path).lookCloser") ?? s.lookCloser
        s.followUp = r.bool(m["followUp"], "\(path).followUp") ?? s.followUp
    }

    /// Passes a second: a number, or with its unit (`1/s`, `2 /s`); `off` (0) where allowed.
    private static func passRate(_ node: Node?, _ path: String, _ r: NodeReader, offAllowed: Bool = false) -> Double? {
        guard let node else { return nil }
        var text = r.string(node, path) ?? ""
        if offAllowed, text == "off" || text == "0" { return 0 }
        if text.hasSuffix("/s") { text = String(text.dropLast(2)).trimmingCharacters(in: .whitespaces) }
        let range = PerceptionSettings.rates
        if let v = Double(text), v.isFinite, range.contains(v) { return v }
        r.fail(node, path, "expected detection passes per second between \(range.lowerBound) and \(Int(range.upperBound)), "
               + "e.g. 1 or 0.5/s\(offAllowed ? ", or off" : ""), got '\(text)'")
        return nil
    }

    private static func readHome(_ node: Node, _ path: String, _ r: NodeReader) -> HomeSettings? {
        guard let m = r.mapping(node, path, allowed: ["subject", "rate", "inactivity", "stillFor", "activeHours", "keepClear"]) else { return nil }
        guard let subject = r.string(m["subject"], "\(path).subject", required: true) else { return nil }
        if subject.isEmpty || subject.count > 200 || subject.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            r.fail(m["subject"], "\(path).subject", "expected the resident's pseudonymous reference, e.g. resident-0412 (1 to 200 printable characters)")
        }
        var s = HomeSettings(subject: subject)
        s.rate = r.double(m["rate"], "\(path).rate", range: HomeSettings.rates) ?? s.rate
        s.inactivity = r.duration(m["inactivity"], "\(path).inactivity", range: 5...86_400) ?? s.inactivity
        if let still = m["stillFor"] {
            if case .scalar(let text) = still, ["off", "false", "no"].contains(text.string.lowercased()) { s.stillFor = nil }
            else { s.stillFor = r.duration(still, "\(path).stillFor", range: 60...7 * 86_400) }
        }
        s.activeHours = r.string(m["activeHours"], "\(path).activeHours")
        if let hours = s.activeHours, case .failure(let e) = DailySchedule.parse(hours) { r.fail(m["activeHours"], "\(path).activeHours", e.description) }
        s.keepClear = r.bool(m["keepClear"], "\(path).keepClear") ?? s.keepClear
        return s
    }

    private static func readClips(_ node: Node, _ path: String, _ r: NodeReader, into s: inout ClipSettings) {
        guard let m = r.mapping(node, path, allowed: ["enabled", "pre", "post", "ring", "maxBytes"]) else { return }
        s.enabled = r.bool(m["enabled"], "\(path).enabled") ?? s.enabled
        s.pre = r.duration(m["pre"], "\(path).pre", range: 0...300) ?? s.pre
        s.post = r.duration(m["post"], "\(path).post", range: 0...300) ?? s.post
        s.ring = r.duration(m["ring"], "\(path).ring", range: 1...600) ?? s.ring
        s.maxBytes = r.bytes(m["maxBytes"], "\(path).maxBytes", range: 1_000_000...4_000_000_000) ?? s.maxBytes
        // The ring must still hold the pre-event seconds when the event opens.
        if let ring = s.ring, ring < s.pre {
            r.fail(m["ring"] ?? m["pre"] ?? node, m["ring"] != nil ? "\(path).ring" : "\(path).pre",
                   "the ring (\(Int(ring)) s) must hold at least the pre-event seconds (\(Int(s.pre)) s)")
        }
    }

    /// blue/yellow/orange/red entry values, ascending.
    private static func readLevels(_ node: Node?, _ path: String, _ r: NodeReader) -> [Double]? {
        guard let node, let m = r.mapping(node, path, allowed: ["blue", "yellow", "orange", "red"]) else { return nil }
        var values: [Double] = []
        for key in ["blue", "yellow", "orange", "red"] {
            guard let v = r.double(m[key], "\(path).\(key)", range: 0...100_000) else {
                if m[key] == nil { r.fail(node, "\(path).\(key)", "is required: give all four levels (blue, yellow, orange, red)") }
                return nil
            }
            values.append(v)
        }
        if zip(values, values.dropFirst()).contains(where: { $0 >= $1 }) {
            r.fail(node, path, "levels must rise: blue < yellow < orange < red, got \(values.map { String($0) }.joined(separator: ", "))")
            return nil
        }
        return values
    }

    private static func readLocation(_ node: Node, _ path: String, _ r: NodeReader) -> Location? {
        guard let m = r.mapping(node, path, allowed: ["lat", "lon", "placeCode", "address", "building"]) else { return nil }
        return Location(lat: r.double(m["lat"], "\(path).lat", range: -90...90), lon: r.double(m["lon"], "\(path).lon", range: -180...180),
                        placeCode: r.string(m["placeCode"], "\(path).placeCode"), address: r.string(m["address"], "\(path).address"),
                        building: r.string(m["building"], "\(path).building"))
    }

    private static func readZones(_ node: Node, _ path: String, _ r: NodeReader) -> [ZoneConfig] {
        var ids: Set<String> = []
        return (r.sequence(node, path) ?? []).enumerated().compactMap { i, item in
            let p = "\(path)[\(i)]"
            guard let m = r.mapping(item, p, allowed: ["id", "polygon", "areaM2", "kind", "thresholds", "countThresholds",
                                                       "schedule", "loiterSeconds", "line"]) else { return nil }
            guard let id = r.string(m["id"], "\(p).id", required: true) else { return nil }
            if !ids.insert(id).inserted { r.fail(m["id"], "\(p).id", "zone id '\(id)' is used twice in this camera") }
            let kind = r.choice(m["kind"], "\(p).kind", ZoneConfig.Kind.self) ?? .watch
            var polygon: [(x: Double, y: Double)] = []
            if let pn = m["polygon"], let points = r.sequence(pn, "\(p).polygon") {
                for (j, pt) in points.enumerated() {
                    guard let xy = r.sequence(pt, "\(p).polygon[\(j)]"), xy.count == 2,
                          let x = r.double(xy[0], "\(p).polygon[\(j)][0]", range: 0...100_000),
                          let y = r.double(xy[1], "\(p).polygon[\(j)][1]", range: 0...100_000) else {
                        r.fail(pt, "\(p).polygon[\(j)]", "expected a point [x, y] in pixels")
                        continue
                    }
                    polygon.append((x, y))
                }
                if points.count < 3 { r.fail(pn, "\(p).polygon", "a polygon needs at least 3 points, got \(points.count)") }
                else if polygon.count == points.count, let problem = degenerateProblem(polygon) { r.fail(pn, "\(p).polygon", problem) }
            } else if m["polygon"] == nil {
                r.fail(item, "\(p).polygon", "is required: the zone's corners as [[x, y], …] in pixels of the full-resolution picture")
            }
            let area = r.double(m["areaM2"], "\(p).areaM2", range: 0.01...1_000_000)
            let density = readLevels(m["thresholds"], "\(p).thresholds", r)
            if density != nil && area == nil && m["areaM2"] == nil {
                r.fail(m["thresholds"], "\(p).thresholds", "are persons/m² and need the zone's areaM2 (or use countThresholds)")
            }
            let schedule = r.string(m["schedule"], "\(p).schedule")
            if let schedule, case .failure(let e) = DailySchedule.parse(schedule) { r.fail(m["schedule"], "\(p).schedule", e.description) }
            var line: [(x: Double, y: Double)]?
            if let ln = m["line"] {
                let points = (r.sequence(ln, "\(p).line") ?? []).compactMap { pt -> (x: Double, y: Double)? in
                    guard let xy = r.sequence(pt, "\(p).line"), xy.count == 2,
                          let x = r.double(xy[0], "\(p).line", range: 0...100_000), let y = r.double(xy[1], "\(p).line", range: 0...100_000) else { return nil }
                    return (x, y)
                }
                if points.count == 2, points[0] != points[1] { line = points }
                else { r.fail(ln, "\(p).line", "expected two different points [[x, y], [x, y]] in pixels across the zone's entrance") }
            }
            return ZoneConfig(id: id, polygon: polygon, areaM2: area, kind: kind, densityThresholds: density,
                              countThresholds: readLevels(m["countThresholds"], "\(p).countThresholds", r), schedule: schedule,
                              loiterSeconds: r.duration(m["loiterSeconds"], "\(p).loiterSeconds", range: 1...86_400), line: line)
        }
    }

    private static func readPerspective(_ node: Node, _ path: String, _ r: NodeReader) -> [PerspectiveSample] {
        let samples: [PerspectiveSample] = (r.sequence(node, path) ?? []).enumerated().compactMap { i, item in
            let p = "\(path)[\(i)]"
            guard let m = r.mapping(item, p, allowed: ["footY", "heightPx"]) else { return nil }
            guard let y = r.double(m["footY"], "\(p).footY", range: 0...100_000),
                  let h = r.double(m["heightPx"], "\(p).heightPx", range: 1...100_000) else {
                if m["footY"] == nil || m["heightPx"] == nil { r.fail(item, p, "needs footY and heightPx") }
                return nil
            }
            return PerspectiveSample(footY: y, heightPx: h)
        }
        if samples.count == 1 { r.fail(node, path, "needs at least two rows (a near and a far person) to model perspective") }
        return samples
    }

    /// A missing model would only fail when the worker builds the camera's detectors.
    private static func modelFileProblem(_ path: String, given: String) -> String? {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            return "no such file: \(path)" + (given.hasPrefix("/") ? "" : " (a relative path is read from the configuration file's folder)")
        }
        return isFolder.boolValue ? "is a folder, expected a model file (from retina calibrate): \(path)" : nil
    }

    /// A zone that covers no pixels would never see anything: a repeated or misplaced corner.
    private static func degenerateProblem(_ polygon: [(x: Double, y: Double)]) -> String? {
        let distinct = polygon.indices.filter { i in !polygon[..<i].contains { $0 == polygon[i] } }.count
        if distinct < 3 { return "needs at least 3 distinct points, got \(distinct)" }
        // Shoelace formula; under a square pixel is nothing at the full resolution.
        let twice = zip(polygon, polygon.dropFirst() + polygon.prefix(1)).reduce(0.0) { $0 + $1.0.x * $1.1.y - $1.1.x * $1.0.y }
        if abs(twice) / 2 < 1 {
            return String(format: "encloses no area (%.2f px²): its corners lie on one line, or its edges cross so that its parts cancel out", abs(twice) / 2)
        }
        return nil
    }

    static func checkIdentifier(_ id: String, _ node: Node?, _ path: String, _ r: NodeReader) {
        let ok = id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
        if !ok { r.fail(node, path, "'\(id)' may only contain letters, digits, '-', '_' and '.'") }
    }

    static func resolveURL(_ url: String, _ node: Node?, _ path: String, _ base: String, _ r: NodeReader) -> String {
        let lower = url.lowercased()
        if ["rtsp://", "rtsps://", "http://", "https://"].contains(where: { lower.hasPrefix($0) }) {
            if let problem = URLChecks.cameraProblem(url) { r.fail(node, path, problem) }
            return url
        }
        if lower.hasPrefix("file://") { return String(url.dropFirst(7)) }
        if let scheme = lower.range(of: "://") {
            r.fail(node, path, "unsupported scheme '\(lower[..<scheme.lowerBound])://' — use rtsp://, http(s):// or a file path")
            return url
        }
        // A file path: relative to the configuration file.
        return url.hasPrefix("/") || base.isEmpty ? url : (base as NSString).appendingPathComponent(url)
    }
}

private extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
