import Events
import Foundation

/// Writes one export's payload into a `BagWriter`, event by event: the event with its history,
/// its GB/T 28181 alarm, its snapshots and clips (copied, never transcoded, checked against the
/// hashes recorded at capture), rows of the GA/T 1400 lists and the extraction list, and a
/// custody line for every file. Blocking: the exporter drives it from its I/O queue, serially.
final class ExportSession: @unchecked Sendable {
    let bag: BagWriter
    let request: ExportRequest
    let exportId: String
    let host: String
    private let custody: CustodyLogWriter
    private let custodyStream: BagFileStream
    private let videoLabels: JSONListStream
    private let images: JSONListStream
    private let listJSON: JSONListStream
    private let listCSV: BagFileStream
    private var itemSeq = 0
    private var labelSeq = 0
    private var imageSeq = 0
    private(set) var events = 0
    private(set) var snapshots = 0
    private(set) var clips = 0
    private(set) var bytesCopied = 0
    private(set) var warnings: [String] = []
    private var cameras: [String: (deviceId: String?, offsetMs: Double?)] = [:]
    private var firstTime: Date?
    private var lastTime: Date?
    private let eventEncoder = EventJSON.encoder(pretty: true)

    init(bag: BagWriter, request: ExportRequest, exportId: String) throws {
        self.bag = bag
        self.request = request
        self.exportId = exportId
        host = ProcessInfo.processInfo.hostName
        custodyStream = try bag.openStream(BagFiles.custodyLog)
        let stream = custodyStream
        custody = CustodyLogWriter(actor: request.actor, role: request.role, tool: request.tool, host: host) { try stream.write($0) }
        videoLabels = try JSONListStream(try bag.openStream("data/gat1400/video-labels.json"), list: "VideoLabelListObject", item: "VideoLabelObject")
        images = try JSONListStream(try bag.openStream("data/gat1400/images.json"), list: "ImageListObject", item: "Image")
        listJSON = try JSONListStream(try bag.openStream("data/extraction_list.json"), opening: "[\n", closing: "\n]\n")
        listCSV = try bag.openStream("data/extraction_list.csv")
        try listCSV.write(ExtractionItem.csvHeader)
        if request.ivaDeviceId.isEmpty {
            warnings.append("no IVA device id (--iva-device-id): GA/T 1400 IVADeviceID is empty and object ids start with 20 zeros")
        }
        try custody.append("create", object: exportId, note: "export of \(request.selection.summary); reason: \(request.reason.isEmpty ? "-" : request.reason); requested by \(request.requester.isEmpty ? "-" : request.requester); signing key \(request.key.publicKey.fingerprint)")
    }

    /// Adds one event; `seq` counts from 1.
    func add(_ event: Event, history: [HistoryEntry], seq: Int) throws {
        let id = event.id.uuidString.lowercased()
        let camera = event.source.camera.map { SafeName.component($0) } ?? SafeName.component(event.source.producer)
        let device = GB28181Alarm.deviceId(for: event)
        let end = event.lastSeenAt ?? event.occurredAt
        firstTime = min(firstTime ?? event.occurredAt, event.occurredAt)
        lastTime = max(lastTime ?? end, end)
        if let cam = event.source.camera, cameras[cam] == nil {
            cameras[cam] = (event.source.deviceId, event.payload["clockOffsetMs"]?.doubleValue)
        }
        try custody.append("hold", object: "event \(id)", note: "legal hold set in the store: retention keeps the event and its evidence")

        // The event in the shared schema, with its full history.
        struct Record: Encodable { let event: Event; let history: [HistoryEntry] }
        let eventPath = "data/events/\(SafeName.component(id)).json"
        let eventDigest = try bag.write(try eventEncoder.encode(Record(event: event, history: history)), to: eventPath)
        try custody.append("write", object: eventPath, after: eventDigest.sha256, note: "event and its \(history.count) history rows")
        try item(name: "event \(event.type) \(id)", category: "event", file: eventPath, format: "application/json", digest: eventDigest, event: event)

        // Evidence: copied as stored, checked against the hash recorded at capture.
        var snapshotPath: String?
        var counts: [String: Int] = [:]
        for ref in event.evidence {
            let kind = SafeName.component(ref.kind.rawValue)
            counts[kind, default: 0] += 1
            let ext = Self.fileExtension(ref)
            let path = "data/native/\(camera)/\(SafeName.component(id))-\(kind)-\(counts[kind]!).\(ext)"
            // Only files the server stored in its evidence folder, each with the hash it recorded
            // at capture and of the media type its kind says: nothing else can enter a bag.
            let (fd, source): (Int32, String)
            let digest: FileDigest
            do {
                guard let recorded = ref.sha256?.lowercased() else { throw EvidenceFileError.unhashed(ref.uri) }
                (fd, source) = try request.evidence.open(uri: ref.uri)
                defer { _ = posixClose(fd) }
                try Self.checkMedia(fd: fd, path: source, kind: ref.kind)
                digest = try bag.copy(fd: fd, sourcePath: source, to: path)
                if digest.holdsPrivateKey { throw EvidenceFileError.notMedia(source, kind: ref.kind) }
                guard recorded == digest.sha256 else {
                    throw ExportError.evidenceHashMismatch(event: event.id, file: source, expected: recorded, actual: digest.sha256)
                }
            } catch let e as EvidenceFileError {
                throw ExportError.evidence(event: event.id, e.description)
            }
            if let size = ref.size, size != digest.size {
                throw ExportError.evidenceSizeMismatch(event: event.id, file: source, expected: size, actual: digest.size)
            }
            bytesCopied += digest.size
            try custody.append("copy", object: path, before: ref.sha256?.lowercased(), after: digest.sha256,
                               note: "from \(ref.uri) in the evidence folder; matches the hash recorded at capture")
            let mime = ref.mime ?? (ext == "jpg" ? "image/jpeg" : ext == "mp4" ? "video/mp4" : "application/octet-stream")
            try item(name: "\(ref.kind) of \(event.type) at \(event.source.camera ?? event.source.producer)", category: ref.kind.rawValue,
                     file: path, format: mime, digest: digest, event: event)
            switch ref.kind {
            case .snapshot:
                snapshots += 1
                if snapshotPath == nil { snapshotPath = path }
                if GAT1400.eventSort(for: event) != nil || mime == "image/jpeg" {
                    imageSeq += 1
                    let size = Files.head(of: bag.root + "/" + path, limit: 65_536).flatMap(GAT1400.jpegSize)
                    try images.append(GAT1400.image(for: event, seq: imageSeq, path: path, digest: digest, size: size, timeZone: request.timeZone))
                }
            case .clip: clips += 1
            }
        }

        // The GB/T 28181 alarm notification.
        if device == nil {
            warnings.append("event \(id): camera \(event.source.camera ?? "-") has no 20-digit GB/T 28181 device id: DeviceID is empty in its alarm XML (set deviceId in cameras.yaml)")
        }
        let xmlPath = "data/gb28181/\(SafeName.component(id)).xml"
        let xmlDigest = try bag.write(Data(GB28181Alarm.xml(for: event, sn: seq, timeZone: request.timeZone).utf8), to: xmlPath)
        try custody.append("write", object: xmlPath, after: xmlDigest.sha256, note: "GB/T 28181 alarm notification (Notify/Alarm)")
        try item(name: "GB/T 28181 alarm of \(id)", category: "alarm", file: xmlPath, format: "application/xml", digest: xmlDigest, event: event)

        if GAT1400.eventSort(for: event) != nil {
            labelSeq += 1
            try videoLabels.append(GAT1400.videoLabel(for: event, seq: labelSeq, ivaDeviceId: request.ivaDeviceId, imagePath: snapshotPath, timeZone: request.timeZone))
        }
        events += 1
    }

    /// Closes the lists, writes the clock notes and the extraction record, checks the copies and
    /// closes the custody log. Returns the custody log's head.
    func finish() throws -> String {
        for (stream, name) in [(videoLabels, "data/gat1400/video-labels.json"), (images, "data/gat1400/images.json")] {
            let digest = try stream.close()
            try custody.append("write", object: name, after: digest.sha256, note: "GA/T 1400 list")
            try item(name: name.hasSuffix("images.json") ? "GA/T 1400 ImageListObject" : "GA/T 1400 VideoLabelListObject",
                     category: "gat1400", file: name, format: "application/json", digest: digest, event: nil)
        }
        let clockDigest = try bag.write(try clockNotes(), to: "data/clock.json")
        try custody.append("write", object: "data/clock.json", after: clockDigest.sha256, note: "clock source and camera offsets")
        try item(name: "clock source and offsets", category: "clock", file: "data/clock.json", format: "application/json", digest: clockDigest, event: nil)
        let listDigest = try listJSON.close()
        let csvDigest = try listCSV.close()
        try custody.append("write", object: "data/extraction_list.json", after: listDigest.sha256, note: "\(itemSeq) items")
        try custody.append("write", object: "data/extraction_list.csv", after: csvDigest.sha256, note: "\(itemSeq) items")

        let record = ExtractionRecordDocument(
            exportId: exportId, reason: request.reason, requester: request.requester, extractedBy: request.actor, witness: "",
            time: RFC3339Local.format(Date(), timeZone: request.timeZone), place: host, object: request.selection.summary,
            content: "\(events) events, \(snapshots) snapshots, \(clips) clips, their GB/T 28181 alarms and GA/T 1400 objects",
            method: "copy of the stored files, never transcoded; SHA-256 and MD5 computed while copying and compared with the SHA-256 recorded at capture; BagIt (RFC 8493) manifests; Ed25519 signature over the tag manifest",
            process: "events selected in the store and put on legal hold; each event written with its history; each evidence file copied and checked; lists and this record written; custody log closed; bag sealed and signed",
            tool: request.tool, signingKeyFingerprint: request.key.publicKey.fingerprint)
        let recordData = try eventEncoder.encode(record)
        let recordDigest = try bag.write(recordData, to: "data/extraction_record.json")
        try custody.append("write", object: "data/extraction_record.json", after: recordDigest.sha256, note: "extraction record (提取笔录)")
        try custody.append("verify", object: exportId, note: "\(events) events; \(snapshots + clips) evidence files copied, each matching the hash recorded at capture; \(bytesCopied) bytes")
        try custodyStream.close()
        return custody.head
    }

    private func item(name: String, category: String, file: String, format: String, digest: FileDigest, event: Event?) throws {
        itemSeq += 1
        let row = ExtractionItem(seq: itemSeq, name: name, category: category, file: file, format: format, size: digest.size,
                                 startTime: event.map { RFC3339Local.format($0.occurredAt, timeZone: request.timeZone) },
                                 endTime: event.map { RFC3339Local.format($0.lastSeenAt ?? $0.occurredAt, timeZone: request.timeZone) },
                                 sourceDevice: event.flatMap { GB28181Alarm.deviceId(for: $0) ?? $0.source.camera ?? $0.source.producer },
                                 sha256: digest.sha256, md5: digest.md5)
        try listJSON.append(encodable: row)
        try listCSV.write(row.csvLine)
    }

    /// `data/clock.json`: the export host's clock and, per camera, the offset where the worker measured one.
    private func clockNotes() throws -> Data {
        let synced = FileManager.default.fileExists(atPath: "/run/systemd/timesync/synchronized")
        var cams: [JSONValue] = []
        for (camera, info) in cameras.sorted(by: { $0.key < $1.key }) {
            cams.append(.object([
                "camera": .string(camera),
                "deviceId": info.deviceId.map { .string($0) } ?? .null,
                "offsetMs": info.offsetMs.map { .number($0) } ?? .null,
                "note": .string(info.offsetMs == nil ? "not measured: event times are the worker's clock at frame arrival" : "measured by the worker"),
            ]))
        }
        let doc: JSONValue = .object([
            "exportHost": .string(host),
            "exportTime": .string(RFC3339Local.format(Date(), timeZone: request.timeZone)),
            "timeZone": .string(request.timeZone.identifier),
            "clockSource": .string(synced ? "system clock, NTP-synchronised (systemd-timesyncd)" : "system clock (NTP synchronisation not confirmed)"),
            "ntpSynchronized": synced ? .bool(true) : .null,
            "eventsFrom": firstTime.map { .string(RFC3339Local.format($0, timeZone: request.timeZone)) } ?? .null,
            "eventsTo": lastTime.map { .string(RFC3339Local.format($0, timeZone: request.timeZone)) } ?? .null,
            "cameras": .array(cams),
        ])
        return try eventEncoder.encode(doc)
    }

    /// A snapshot is a JPEG or PNG and a clip an MP4, by their first bytes.
    static func checkMedia(fd: Int32, path: String, kind: EvidenceKind) throws {
        var head = Data(count: 16)
        let n = head.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, 16, 0) }
        let mime = n > 0 ? MediaSniff.mime(of: head.prefix(n)) : nil
        let ok = switch kind {
        case .snapshot: mime == "image/jpeg" || mime == "image/png"
        case .clip: mime == "video/mp4"
        }
        if !ok { throw EvidenceFileError.notMedia(path, kind: kind) }
    }

    static func fileExtension(_ ref: EvidenceRef) -> String {
        switch ref.mime?.lowercased() {
        case "image/jpeg": return "jpg"
        case "video/mp4": return "mp4"
        case "image/png": return "png"
        default:
            let ext = (URL(string: ref.uri)?.pathExtension ?? "").lowercased().filter { $0.isASCII && ($0.isLetter || $0.isNumber) }
            return ext.isEmpty || ext.count > 5 ? "bin" : ext
        }
    }
}
