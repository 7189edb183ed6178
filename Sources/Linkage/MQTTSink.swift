import Events
import Foundation
import Logging
import Redaction
import Vocabulary

/// The broker subscriber (Frigate's topic layout, so the tools of a property office's home
/// automation and a police platform's MQTT bridge read it as they read Frigate's):
/// - `PREFIX/events`: every change of an event, `{"type": "new"|"update"|"end", "before", "after"}`, QoS 1;
/// - `PREFIX/CAMERA/status`: `online` or `offline`, retained (`CameraStatusPublisher`);
/// - `PREFIX/available`: `online` retained on each connect, `offline` as the will and on a clean stop.
public final class MQTTSink: LinkageSink, @unchecked Sendable {
    // @unchecked: `client` is set once in init; MosquittoClient is thread-safe.
    public struct Settings: Sendable, Equatable {
        public var host: String
        public var port: Int
        public var username: String?
        public var password: String?
        public var topicPrefix: String
        public var clientId: String

        public init(host: String, port: Int = 1883, username: String? = nil, password: String? = nil, topicPrefix: String = "retina",
                    clientId: String = "retina-\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)") {
            self.host = host
            self.port = port
            self.username = username
            self.password = password
            self.topicPrefix = topicPrefix
            self.clientId = clientId
        }

        /// `mqtt://[user[:password]@]host[:port]`; the error never shows the password.
        public static func parse(url: String, topicPrefix: String) -> Result<Settings, LinkageSettingsError> {
            guard let c = URLComponents(string: url), let scheme = c.scheme?.lowercased() else {
                return .failure(LinkageSettingsError("'\(URLCredentials.mask(url))' is not a URL: expected mqtt://HOST[:PORT]"))
            }
            if scheme == "mqtts" {
                return .failure(LinkageSettingsError("mqtts:// (TLS) is not supported yet: use mqtt:// on a trusted network or a local bridge"))
            }
            guard scheme == "mqtt", let host = c.host, !host.isEmpty else {
                return .failure(LinkageSettingsError("'\(URLCredentials.mask(url))': expected mqtt://HOST[:PORT]"))
            }
            return .success(Settings(host: host, port: c.port ?? 1883, username: c.user?.removingPercentEncoding,
                                     password: c.password?.removingPercentEncoding, topicPrefix: topicPrefix))
        }

        public var display: String { "mqtt://\(host):\(port) (\(topicPrefix)/…)" }
    }

    public let settings: Settings
    public let client: MosquittoClient
    private let statuses: RetainedStatuses

    public init(_ settings: Settings) throws {
        self.settings = settings
        let statuses = RetainedStatuses()
        self.statuses = statuses
        let prefix = settings.topicPrefix
        client = try MosquittoClient(
            clientId: settings.clientId, host: settings.host, port: settings.port, username: settings.username, password: settings.password,
            will: .init(topic: "\(prefix)/available", payload: "offline")
        ) { client in
            // After every (re)connect: this process is available, and the broker has each camera's
            // last status again (it may have restarted without them).
            _ = try? client.publishNow(topic: "\(prefix)/available", payload: Data("online".utf8), retain: true)
            for (camera, status) in statuses.all() {
                _ = try? client.publishNow(topic: "\(prefix)/\(camera)/status", payload: Data(status.utf8), retain: true)
            }
        }
    }

    public var name: String { "mqtt" }
    public var maxAge: Double? { nil }
    public func wants(_ entry: OutboxEntry) -> Bool { true }

    public func deliver(_ entry: OutboxEntry) async -> Delivery {
        let body: Data
        do { body = try LinkageMessage.change(entry) } catch { return .refused("cannot encode the event: \(error)") }
        do {
            try await client.publish(topic: "\(settings.topicPrefix)/events", payload: body, retain: false)
            return .delivered
        } catch {
            return .retry(error.description)
        }
    }

    /// Publishes a camera's status (retained) when it changed; false when the broker did not take it
    /// (it is published again after the next connect).
    @discardableResult
    public func publish(camera: String, status: String) async -> Bool {
        guard statuses.set(camera, status) else { return true }
        do {
            try await client.publish(topic: "\(settings.topicPrefix)/\(camera)/status", payload: Data(status.utf8), retain: true)
            return true
        } catch {
            return false
        }
    }

    /// A clean stop: `available` is `offline` (a clean disconnect sends no will), then disconnect.
    public func close() async {
        try? await client.publish(topic: "\(settings.topicPrefix)/available", payload: Data("offline".utf8), retain: true, timeout: 3)
        await client.close()
    }

    /// The last status sent per camera, for change detection and for republishing on reconnect.
    final class RetainedStatuses: @unchecked Sendable {
        private let lock = NSLock()
        private var byCamera: [String: String] = [:]
        /// True when `status` is new for `camera`.
        func set(_ camera: String, _ status: String) -> Bool {
            lock.withLock { byCamera.updateValue(status, forKey: camera) != status }
        }
        func all() -> [(String, String)] { lock.withLock { byCamera.sorted { $0.key < $1.key } } }
    }
}

/// A configuration problem of the linkage, said without its secrets.
public struct LinkageSettingsError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
