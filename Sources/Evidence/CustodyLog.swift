import Crypto
import Events
import Foundation

/// One line of the custody log (STANDARDS-NOTES §7.1(c)): who did what to which object, the
/// object's hash before and after, with which tool on which host, and the SHA-256 of the previous
/// line, so that editing, removing or reordering any line breaks the chain.
public struct CustodyEntry: Codable, Sendable, Equatable {
    public var seq: Int
    public var ts: String
    public var actor: String
    public var role: String
    /// `create`, `copy`, `write`, `hold`, `verify`.
    public var action: String
    public var object: String
    public var sha256Before: String?
    public var sha256After: String?
    public var tool: String
    public var host: String
    public var note: String?
    public var prevLineSha256: String

    enum CodingKeys: String, CodingKey {
        case seq, ts, actor, role, action, object, tool, host, note
        case sha256Before = "sha256_before", sha256After = "sha256_after", prevLineSha256 = "prev_line_sha256"
    }
}

/// Appends custody lines to a stream (the bag's `data/custody.jsonl`), chaining each to the last.
final class CustodyLogWriter {
    static let genesis = String(repeating: "0", count: 64)
    private let sink: (Data) throws -> Void
    private let actor, role, tool, host: String
    private(set) var seq = 0
    /// SHA-256 of the last line written (without its newline): bag-info's `Custody-Log-Head`.
    private(set) var head = CustodyLogWriter.genesis
    private let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    init(actor: String, role: String, tool: String, host: String, sink: @escaping (Data) throws -> Void) {
        self.actor = actor
        self.role = role
        self.tool = tool
        self.host = host
        self.sink = sink
    }

    func append(_ action: String, object: String, before: String? = nil, after: String? = nil, note: String? = nil, at: Date = Date()) throws {
        seq += 1
        let entry = CustodyEntry(seq: seq, ts: RFC3339Local.format(at), actor: actor, role: role, action: action, object: object,
                                 sha256Before: before, sha256After: after, tool: tool, host: host, note: note, prevLineSha256: head)
        let line = try encoder.encode(entry)
        head = Checksum.hex(SHA256.hash(data: line))
        try sink(line + Data([0x0A]))
    }
}

/// A break in a custody log, with its 1-based line number.
public struct CustodyProblem: Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var message: String
    public var description: String { "custody line \(line): \(message)" }
}

/// Checks a custody log's chain: every line parses, `seq` counts 1, 2, 3…, each line's
/// `prev_line_sha256` is the SHA-256 of the line before it, and the last line's hash is `head`.
public enum CustodyLogVerifier {
    public static func verify(_ data: Data, head expectedHead: String?) -> [CustodyProblem] {
        var problems: [CustodyProblem] = []
        var previous = CustodyLogWriter.genesis
        var number = 0
        let decoder = JSONDecoder()
        var lines = data.split(separator: 0x0A, omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        if lines.isEmpty { return [CustodyProblem(line: 0, message: "the custody log is empty")] }
        for raw in lines {
            number += 1
            let line = Data(raw)
            let hash = Checksum.hex(SHA256.hash(data: line))
            defer { previous = hash }
            guard let entry = try? decoder.decode(CustodyEntry.self, from: line) else {
                problems.append(CustodyProblem(line: number, message: "not a custody entry (JSON with seq, ts, actor, action, object, prev_line_sha256)"))
                continue
            }
            if entry.seq != number { problems.append(CustodyProblem(line: number, message: "seq is \(entry.seq), expected \(number)")) }
            if entry.prevLineSha256 != previous {
                let what = number == 1 ? "the start of the log (\(CustodyLogWriter.genesis.prefix(8))…)" : "line \(number - 1) hashes to \(previous)"
                problems.append(CustodyProblem(line: number, message: "prev_line_sha256 is \(entry.prevLineSha256) but \(what): line \(number - 1) was changed, removed or reordered"))
            }
        }
        if let expectedHead, previous != expectedHead {
            problems.append(CustodyProblem(line: number, message: "the last line hashes to \(previous) but bag-info.txt Custody-Log-Head is \(expectedHead): line \(number) was changed or lines were added or removed at the end"))
        }
        return problems
    }
}

/// RFC 3339 in the machine's zone, e.g. `2026-11-23T11:00:00.120+08:00` (what Chinese evidence
/// rules expect people to read), parseable by `RFC3339.parse`.
enum RFC3339Local {
    static func format(_ date: Date, timeZone: TimeZone = .current) -> String {
        // +08:00 as RFC 3339 has it (the default writes +0800).
        let style = Date.ISO8601FormatStyle(timeZoneSeparator: .colon, includingFractionalSeconds: true, timeZone: timeZone)
        return date.formatted(style)
    }
}
