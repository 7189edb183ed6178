import Events
import Foundation

/// GA/T 1400 renderings (STANDARDS-NOTES §2.3–2.4, §7.1(b)) of exported events: one
/// `VideoLabelObject` per analysed event (what `POST /VIID/VideoLabels` takes) and one `Image`
/// per snapshot (`POST /VIID/Images`: Type 14 scene picture, FileHash MD5). Identity fields
/// (persons, faces, ID numbers) are never populated: a community worker has none to give.
public enum GAT1400 {
    /// EventSort (视频图像分析类型): 15 density, 14 flow counting, 20 intrusion, 21 counter-flow,
    /// 22 loitering, 4 fast running, 5 other moving-target detection; nil for events that are not
    /// video analysis (falls from a radar, camera outages).
    public static func eventSort(for event: Event) -> Int? {
        switch (event.type, event.anomalyKind) {
        case (.crowdDensity, _): return 15
        case (.crowdFlow, _): return 14
        case (.motionAnomaly, .intrusion?): return 20
        case (.motionAnomaly, .counterFlow?): return 21
        case (.motionAnomaly, .loitering?): return 22
        case (.motionAnomaly, .running?): return 4
        case (.motionAnomaly, _), (.motionDetected, _): return 5
        default: return nil
        }
    }

    /// `yyyyMMddHHmmss` in `timeZone` (GA/T 1400 times are local).
    public static func time(_ date: Date, timeZone: TimeZone) -> String {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = timeZone
        let d = c.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d%02d%02d%02d%02d%02d", d.year ?? 0, d.month ?? 0, d.day ?? 0, d.hour ?? 0, d.minute ?? 0, d.second ?? 0)
    }

    /// A 41-character source id: device (20) + kind (2) + time (14) + sequence (5); object ids add
    /// a kind (2) and a sequence (5) to it, 48 characters. [K: the usual GA/T 1400 id layout; confirm
    /// with the receiving 视图库.]
    static func sourceId(device: String, kind: String, at date: Date, seq: Int, timeZone: TimeZone) -> String {
        device + kind + time(date, timeZone: timeZone) + String(format: "%05d", seq % 100_000)
    }

    /// One `VideoLabelObject`; `imagePath` is the snapshot's path in the bag.
    public static func videoLabel(for event: Event, seq: Int, ivaDeviceId: String, imagePath: String?, timeZone: TimeZone) -> [String: JSONValue] {
        let device = ivaDeviceId.isEmpty ? String(repeating: "0", count: 20) : ivaDeviceId
        let source = sourceId(device: device, kind: "02", at: event.occurredAt, seq: seq, timeZone: timeZone)
        var o: [String: JSONValue] = [
            "VideoLabelID": .string(source + "99" + String(format: "%05d", seq % 100_000)),
            "EventSort": .number(Double(eventSort(for: event) ?? 0)),
            "IVADeviceID": .string(ivaDeviceId),
            "CameraID": .string(GB28181Alarm.deviceId(for: event) ?? ""),
            "CreateTimeAbs": .string(time(event.detectedAt, timeZone: timeZone)),
            "Desc": .string(GB28181Alarm.description(for: event)),
        ]
        if let zone = event.source.zone { o["EventRuleID"] = .string(zone) }
        let p = event.payload
        if let count = p["count"]?.doubleValue ?? p["persons"]?.doubleValue ?? p["runningPersons"]?.doubleValue ?? p["counterFlowPersons"]?.doubleValue {
            o["PersonNum"] = .number(count.rounded())
        }
        if let density = p["densityPerM2"]?.doubleValue { o["PersonDensityAbs"] = .number(density) }
        if let flow = p["flowRate"]?.doubleValue ?? p["flowPerMinute"]?.doubleValue { o["PersonFlowRate"] = .number(flow) }
        if let direction = p["flowDirection"] ?? p["direction"] { o["FlowDirection"] = direction }
        if let imagePath { o["ImagePath"] = .string(imagePath) }
        var behaviour: [String: JSONValue] = [
            "BehaviorBeginTime": .string(time(event.occurredAt, timeZone: timeZone)),
            "BehaviorEndTime": .string(time(event.lastSeenAt ?? event.occurredAt, timeZone: timeZone)),
        ]
        behaviour["EventLevel"] = .number(Double(GB28181Alarm.priority(for: event)))
        o["BehaviorAnalysisObject"] = .object(behaviour)
        return o
    }

    /// One `Image` (its `ImageInfo`) for a snapshot copied into the bag at `path`.
    public static func image(for event: Event, seq: Int, path: String, digest: FileDigest, size: (width: Int, height: Int)?,
                             timeZone: TimeZone) -> [String: JSONValue] {
        let camera = GB28181Alarm.deviceId(for: event) ?? ""
        let device = camera.isEmpty ? String(repeating: "0", count: 20) : camera
        var info: [String: JSONValue] = [
            "ImageID": .string(sourceId(device: device, kind: "02", at: event.occurredAt, seq: seq, timeZone: timeZone)),
            "InfoKind": .number(1),  // 自动采集
            "ImageSource": .string("99"),
            "EventSort": .number(Double(eventSort(for: event) ?? 0)),
            "DeviceID": .string(camera),
            "StoragePath": .string(path),
            "Type": .string("14"),  // 场景图
            "FileHash": .string(digest.md5),
            "FileFormat": .string("Jpeg"),
            "FileSize": .number(Double(digest.size)),
            "ShotTime": .string(time(event.occurredAt, timeZone: timeZone)),
            "Title": .string(event.typeLabel),
            "SecurityLevel": .string("5"),
        ]
        if let lon = event.location?.lon { info["ShotPlaceLongitude"] = .number(lon) }
        if let lat = event.location?.lat { info["ShotPlaceLatitude"] = .number(lat) }
        if let code = event.location?.placeCode { info["ShotPlaceCode"] = .string(code) }
        if let address = event.location?.address { info["ShotPlaceFullAdress"] = .string(address) }  // sic, as the standard spells it
        if let size {
            info["Width"] = .number(Double(size.width))
            info["Height"] = .number(Double(size.height))
        }
        return ["ImageInfo": .object(info)]
    }

    /// Width and height from a JPEG's first start-of-frame marker.
    static func jpegSize(_ data: Data) -> (width: Int, height: Int)? {
        let b = [UInt8](data)
        guard b.count > 4, b[0] == 0xFF, b[1] == 0xD8 else { return nil }
        var i = 2
        while i + 9 < b.count {
            guard b[i] == 0xFF else { return nil }
            let marker = b[i + 1]
            if marker == 0xFF { i += 1; continue }
            let length = Int(b[i + 2]) << 8 | Int(b[i + 3])
            if (0xC0...0xCF).contains(marker), marker != 0xC4, marker != 0xC8, marker != 0xCC {
                return (Int(b[i + 7]) << 8 | Int(b[i + 8]), Int(b[i + 5]) << 8 | Int(b[i + 6]))
            }
            i += 2 + length
        }
        return nil
    }
}

/// Writes `{"<List>":{"<Item>":[…]}}` one object at a time (exports of thousands of events never
/// hold the whole list).
final class JSONListStream {
    private let stream: BagFileStream
    private var count = 0
    private let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    private let closing: String

    convenience init(_ stream: BagFileStream, list: String, item: String) throws {
        try self.init(stream, opening: "{\"\(list)\":{\"\(item)\":[\n", closing: "\n]}}\n")
    }

    init(_ stream: BagFileStream, opening: String, closing: String) throws {
        self.stream = stream
        self.closing = closing
        try stream.write(opening)
    }

    func append(_ object: [String: JSONValue]) throws {
        try stream.write((count == 0 ? "" : ",\n") + String(decoding: try encoder.encode(object), as: UTF8.self))
        count += 1
    }

    func append<T: Encodable>(encodable: T) throws {
        try stream.write((count == 0 ? "" : ",\n") + String(decoding: try encoder.encode(encodable), as: UTF8.self))
        count += 1
    }

    @discardableResult
    func close() throws -> FileDigest {
        try stream.write(closing)
        return try stream.close()
    }
}
