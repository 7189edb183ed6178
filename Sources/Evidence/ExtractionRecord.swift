import Foundation

/// One row of the extraction list (电子数据提取清单, 法发〔2016〕22号 Art. 14): what the file is,
/// its format and size, the time it covers, the device it came from, and its integrity hashes.
public struct ExtractionItem: Codable, Sendable, Equatable {
    /// 序号
    public var seq: Int
    /// 名称: what it is, e.g. "snapshot of crowd.density at gate-1".
    public var name: String
    /// 类别: `clip` (视频), `snapshot` (图片), `event` (事件记录), `alarm` (GB/T 28181 报警报文), `gat1400` (视图库对象).
    public var category: String
    /// The file's path in the bag.
    public var file: String
    /// 文件格式: MIME type.
    public var format: String
    /// 大小, bytes.
    public var size: Int
    /// 起止时间 (RFC 3339).
    public var startTime: String?
    public var endTime: String?
    /// 来源设备: 20-digit GB/T 28181 code where known, else the camera id.
    public var sourceDevice: String?
    /// 完整性校验值.
    public var sha256: String
    public var md5: String

    static let csvHeader = "序号 seq,名称 name,类别 category,文件 file,文件格式 format,大小 size (bytes),开始时间 start,结束时间 end,来源设备 source device,SHA-256,MD5\n"

    var csvLine: String {
        [String(seq), name, category, file, format, String(size), startTime ?? "", endTime ?? "", sourceDevice ?? "", sha256, md5]
            .map(Self.csv).joined(separator: ",") + "\n"
    }

    /// RFC 4180 quoting; a leading `=`, `+`, `-` or `@` is prefixed with `'` so that a spreadsheet
    /// never runs a cell taken from event data as a formula.
    static func csv(_ s: String) -> String {
        var v = s
        if let f = v.first, "=+-@".contains(f) { v = "'" + v }
        if v.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) { v = "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        return v
    }
}

/// The extraction record (提取笔录, Art. 14): 案由/事由, 对象, 内容, time, place, method and process,
/// who extracted and at whose request; the witness signs on paper.
public struct ExtractionRecordDocument: Codable, Sendable, Equatable {
    public var exportId: String
    /// 案由/事由
    public var reason: String
    /// Who asked for it (a police unit, a case officer).
    public var requester: String
    /// 提取人
    public var extractedBy: String
    /// 见证人 (filled in on the signed paper copy).
    public var witness: String
    public var time: String
    /// 地点: the host the export ran on.
    public var place: String
    /// 对象: the selection.
    public var object: String
    /// 内容: what the bag holds.
    public var content: String
    /// 方法
    public var method: String
    /// 过程
    public var process: String
    public var tool: String
    public var signingKeyFingerprint: String
}
