import Events
import Foundation
import Logging
import ServiceLifecycle
import Vocabulary

/// A process's linkage out as a service: one relay per sink, and the cameras' statuses on the
/// broker. Started by `retina serve --config` and `retina run --config`; a graceful shutdown stops
/// the relays between deliveries (the cursor is where the last acknowledged entry left it) and
/// marks this process `offline` on the broker.
public struct LinkageService: Service {
    public var webhooks: [WebhookSink]
    public var mqtt: MQTTSink?
    public var store: any EventStore
    public var logger: Logger
    /// Who holds the relays' leases: this host and process.
    public var holder: String
    /// How often camera health is read for the broker's status topics.
    public var statusEvery: Double = 5

    public init(webhooks: [WebhookSink], mqtt: MQTTSink?, store: any EventStore, logger: Logger) {
        self.webhooks = webhooks
        self.mqtt = mqtt
        self.store = store
        self.logger = logger
        holder = "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier):\(UUID().uuidString.prefix(8))"
    }

    public var sinks: [any LinkageSink] { (mqtt.map { [$0] } ?? []) + webhooks }

    public func run() async throws {
        guard !sinks.isEmpty else { return }
        for sink in sinks { logger.info("linkage: relaying the queue to \(sink.name)") }
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                for sink in sinks {
                    let relay = LinkageRelay(sink: sink, store: store, holder: holder, logger: logger)
                    group.addTask { await relay.run() }
                }
                if let mqtt {
                    group.addTask { await publishCameraStatuses(to: mqtt) }
                }
            }
        }
        await mqtt?.close()
    }

    /// `PREFIX/CAMERA/status`: `online` while the camera streams and its worker reports (health
    /// younger than a minute), `offline` otherwise.
    func publishCameraStatuses(to mqtt: MQTTSink) async {
        while !Task.isCancelled {
            do {
                let now = Date()
                for record in try await store.health() {
                    let fresh = now.timeIntervalSince(record.reportedAt) < 60
                    await mqtt.publish(camera: record.camera, status: record.state == .streaming && fresh ? "online" : "offline")
                }
            } catch {
                logger.warning("linkage mqtt: camera health not read: \(error)")
            }
            try? await Task.sleep(for: .seconds(statusEvery))
        }
    }
}
