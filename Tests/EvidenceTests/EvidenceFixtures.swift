import Events
import Evidence
import Foundation
import RetinaTestSupport

/// A real SQLite store in a temp folder with events whose snapshots (JPEG) and clips (MP4) were
/// made by ffmpeg, as the worker records them: paths relative to the evidence folder (`media/`),
/// with size and SHA-256.
struct EvidenceWorld {
    let dir: String
    let store: SQLiteEventStore
    let key = SiteKey()

    init(_ name: String = "evidence") throws {
        dir = Fixtures.temporaryDirectory(name)
        store = try SQLiteEventStore(path: dir + "/events.db")
        try FileManager.default.createDirectory(atPath: dir + "/media", withIntermediateDirectories: true)
    }

    /// A JPEG of ffmpeg's test pattern (one per call: evidence files are never shared).
    func jpeg(_ name: String, size: String = "320x240") throws -> String {
        let path = dir + "/media/\(name).jpg"
        guard let ffmpeg = Fixtures.which("ffmpeg") else { throw FixtureError("ffmpeg is not installed") }
        let r = try Fixtures.run(ffmpeg, ["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=\(size)", "-frames:v", "1", path])
        guard r.status == 0 else { throw FixtureError("ffmpeg: \(r.output)") }
        return path
    }

    func mp4(_ name: String) throws -> String {
        let path = dir + "/media/\(name).mp4"
        try Fixtures.makeClip(path, seconds: 1, width: 320, height: 240)
        return path
    }

    /// The server's evidence folder.
    var evidence: EvidenceRoot { EvidenceRoot(path: dir + "/media") }

    /// Where a stored reference's file is.
    func path(of ref: EvidenceRef) -> String { dir + "/media/" + ref.uri }

    /// The reference the worker would store: the path relative to the evidence folder, size, SHA-256 of the bytes.
    static func ref(_ kind: EvidenceKind, _ path: String, mime: String) throws -> EvidenceRef {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return EvidenceRef(kind: kind, uri: (path as NSString).lastPathComponent, mime: mime, size: data.count, sha256: Checksum.sha256Hex(data))
    }

    /// A red crowd-density event at gate-1 with a snapshot and (when `clip`) a clip, published.
    @discardableResult
    func publishCrowd(camera: String = "gate-1", deviceId: String? = "31011500001320000001", group: String = "compound-7",
                      at: Date = Date(timeIntervalSince1970: 1_795_000_000), clip: Bool = true, incident: String? = nil,
                      zone: String = "plaza") async throws -> Event {
        let id = UUID()
        var evidence = [try Self.ref(.snapshot, try jpeg("snap-\(id.uuidString.prefix(8))"), mime: "image/jpeg")]
        if clip { evidence.append(try Self.ref(.clip, try mp4("clip-\(id.uuidString.prefix(8))"), mime: "video/mp4")) }
        let event = Event(id: id, type: "crowd.density", priority: .p1, level: .red,
                          source: EventSource(producer: "retina", camera: camera, deviceId: deviceId, cameraName: "North <gate> & \"co\"", group: group, zone: zone),
                          location: EventLocation(lat: 31.2304, lon: 121.4737, address: "7 North Road"), occurredAt: at,
                          dedupKey: "retina:\(camera):crowd.density:\(id)", incidentId: incident,
                          payload: .object(["count": .number(152), "densityPerM2": .number(3.4), "areaM2": .number(45),
                                            "walkwayLOS": .string("F"), "trendPerMinute": .number(0.6), "dwellSeconds": .number(90)]),
                          evidence: evidence)
        _ = try await store.publish([event])
        return event
    }

    func request(_ selection: ExportSelection, out: String, zip: Bool = false) -> ExportRequest {
        ExportRequest(selection: selection, out: out, zip: zip, reason: "Case 2026-118", requester: "Huangpu PSB",
                      actor: "Li Na", role: "liaison", key: key, evidence: evidence, ivaDeviceId: "31011500005030000001",
                      timeZone: TimeZone(identifier: "Asia/Shanghai")!, tool: "retina test")
    }

    func export(_ selection: ExportSelection, out: String? = nil, zip: Bool = false) async throws -> ExportSummary {
        try await Exporter(store: store).export(request(selection, out: out ?? dir + "/out-\(UUID().uuidString.prefix(6))", zip: zip))
    }
}

extension VerificationReport {
    var messages: String { failures.map(\.message).joined(separator: "\n") }
}

/// Every regular file under `root`, as paths relative to it.
func files(under root: String) -> [String] {
    (FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? []).filter { rel in
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: root + "/" + rel, isDirectory: &isDir) && !isDir.boolValue
    }.sorted()
}

/// A copy of a bag to tamper with.
func copyBag(_ bag: String) throws -> String {
    let copy = bag + "-copy-\(UUID().uuidString.prefix(6))"
    try FileManager.default.copyItem(atPath: bag, toPath: copy)
    return copy
}
