import AsyncHTTPClient
import Events
import Foundation
import NIOCore
import NIOHTTP1
import Redaction
import Vocabulary

/// One webhook subscriber (a property management office, the police platform): each wanted outbox
/// entry is POSTed as JSON, signed (`WebhookSignature`). A 2xx is delivered; a 4xx other than 408
/// and 429 is refused for good; anything else is tried again. The secret is in no message.
public struct WebhookSink: LinkageSink {
    public struct Settings: Sendable, Equatable {
        public var name: String
        public var url: String
        public var secret: String
        public var filter: SubscriptionFilter
        public var timeout: Double
        public var maxAge: Double

        public init(name: String, url: String, secret: String, filter: SubscriptionFilter = SubscriptionFilter(),
                    timeout: Double = 10, maxAge: Double = 86_400) {
            self.name = name
            self.url = url
            self.secret = secret
            self.filter = filter
            self.timeout = timeout
            self.maxAge = maxAge
        }
    }

    /// The answer to one POST, for `retina linkage test` and the relay.
    public struct Answer: Sendable {
        public var status: Int
        public var body: String
    }

    public let settings: Settings
    private let client: HTTPClient

    public init(_ settings: Settings, client: HTTPClient = .shared) {
        self.settings = settings
        self.client = client
    }

    public var name: String { "webhook:\(settings.name)" }
    public var maxAge: Double? { settings.maxAge }

    public func wants(_ entry: OutboxEntry) -> Bool {
        let e = entry.after
        return settings.filter.matches(type: e.type, priority: e.priority, group: e.source.group, camera: e.source.camera)
    }

    public func deliver(_ entry: OutboxEntry) async -> Delivery {
        let body: Data
        do { body = try LinkageMessage.change(entry) } catch { return .refused("cannot encode the event: \(error)") }
        do {
            let answer = try await post(body, delivery: "\(settings.name):\(entry.seq)")
            return Self.delivery(of: answer)
        } catch {
            return .retry(describe(error))
        }
    }

    /// Sends `body` signed now; throws when no answer came (unreachable, timed out).
    public func post(_ body: Data, delivery: String, now: Date = Date()) async throws -> Answer {
        let timestamp = Int(now.timeIntervalSince1970)
        var request = HTTPClientRequest(url: settings.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "retina-linkage")
        request.headers.add(name: WebhookSignature.timestampHeader, value: String(timestamp))
        request.headers.add(name: WebhookSignature.signatureHeader,
                            value: WebhookSignature.sign(body: body, timestamp: timestamp, secret: settings.secret))
        request.headers.add(name: WebhookSignature.deliveryHeader, value: delivery)
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await client.execute(request, timeout: .milliseconds(Int64(settings.timeout * 1000)))
        let answer = try await response.body.collect(upTo: 64 * 1024)
        return Answer(status: Int(response.status.code), body: String(buffer: answer))
    }

    static func delivery(of answer: Answer) -> Delivery {
        switch answer.status {
        case 200..<300: return .delivered
        case 408, 425, 429: return .retry("HTTP \(answer.status)")
        case 400..<500: return .refused("HTTP \(answer.status): \(answer.body.prefix(200))")
        default: return .retry("HTTP \(answer.status)")
        }
    }

    /// An HTTP client's error without the URL's password.
    private func describe(_ error: any Error) -> String {
        let text = "\(error)".replacingOccurrences(of: settings.secret, with: "***")
        return "\(URLCredentials.mask(settings.url)): \(text)"
    }
}
