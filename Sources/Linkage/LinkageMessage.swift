import Events
import Foundation

/// What a subscriber receives, the same JSON on MQTT and in a webhook's body: one version of an
/// event with the one before it (Frigate's layout: `type` new|update|end, `before`, `after`), and
/// the outbox's `seq`, which a receiver can use to drop a repeat (delivery is at least once).
public enum LinkageMessage {
    public static func change(_ entry: OutboxEntry) throws -> Data {
        try EventJSON.encoder().encode(Change(type: OutboxChange(entry), seq: entry.seq, at: entry.at, before: entry.before, after: entry.after))
    }

    /// `retina linkage test`: a message a receiver can tell from an event's.
    public static func test(sink: String, at: Date) throws -> Data {
        try EventJSON.encoder().encode(Test(sink: sink, at: at))
    }

    private struct Change: Encodable {
        var type: OutboxChange
        var seq: Int
        var at: Date
        var before: Event?
        var after: Event

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(type, forKey: .type)
            try c.encode(seq, forKey: .seq)
            try c.encode(at, forKey: .at)
            try c.encode(before, forKey: .before)  // null for a new event, as subscribers expect the key
            try c.encode(after, forKey: .after)
        }

        enum CodingKeys: String, CodingKey { case type, seq, at, before, after }
    }

    private struct Test: Encodable {
        var type = "test"
        var sink: String
        var at: Date
    }
}
