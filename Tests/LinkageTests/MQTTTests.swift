import Events
import Foundation
import Linkage
import Logging
import RetinaTestSupport
import Testing
import Vocabulary

/// MQTT against a real Mosquitto broker, read by `mosquitto_sub` as a subscriber's tools would:
/// every change on PREFIX/events, cameras' statuses retained, this process's availability with a
/// last will, and nothing lost while the broker is down.
@Suite(.serialized, .disabled(if: !MosquittoBroker.available, "mosquitto is not installed: run scripts/install-deps.sh"))
struct MQTTTests {
    static func service(_ broker: MosquittoBroker, _ store: any EventStore) throws -> LinkageService {
        guard case .success(let settings) = MQTTSink.Settings.parse(url: broker.url, topicPrefix: "site") else {
            throw FixtureError("bad broker URL")
        }
        var logger = Logger(label: "linkage")
        logger.logLevel = .critical
        var service = LinkageService(webhooks: [], mqtt: try MQTTSink(settings), store: store, logger: logger)
        service.statusEvery = 0.2
        return service
    }

    static func decoded(_ payload: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(payload.utf8))) as? [String: Any] ?? [:]
    }

    static func events(_ messages: [(topic: String, payload: String)]) -> [[String: Any]] {
        messages.filter { $0.topic == "site/events" }.map { decoded($0.payload) }
    }

    static func health(_ camera: String, _ state: CameraState) -> CameraHealthRecord {
        CameraHealthRecord(camera: camera, group: "compound-7", state: state, since: Date(), lastError: nil, decodedFps: 25, analysedFps: 5,
                           droppedFrames: 0, reconnectsLastHour: 0, stallsLastHour: 0, reportedAt: Date())
    }

    @Test func everyChangeAndEachCameraStatusReachTheBroker() async throws {
        let broker = MosquittoBroker()
        try await broker.start()
        let subscriber = try MQTTSubscriber(broker: broker, topic: "site/#")
        let (store, _) = try WebhookTests.store()
        try await store.reportHealth([Self.health("gate-1", .streaming), Self.health("gate-2", .stalled)])
        let service = try Self.service(broker, store)
        let running = Task { try await service.run() }
        #expect(await subscriber.wait { m in m.contains { $0 == ("site/available", "online") } })
        #expect(await subscriber.wait { m in m.contains { $0 == ("site/gate-1/status", "online") } && m.contains { $0 == ("site/gate-2/status", "offline") } })
        try await Task.sleep(for: .milliseconds(300))  // the relay starts at the outbox's end

        let fall = WebhookTests.event("fall.detected", priority: .p1)
        _ = try await store.publish([fall])
        _ = try await store.perform(.claim, on: fall.id, by: "wang")
        _ = try await store.perform(.resolve, on: fall.id, by: "wang")
        #expect(await subscriber.wait { Self.events($0).count >= 3 })
        let events = Self.events(subscriber.messages)
        #expect(events.map { $0["type"] as? String } == ["new", "update", "end"])
        #expect(events.allSatisfy { ($0["after"] as? [String: Any])?["id"] as? String == fall.id.uuidString.lowercased() })
        #expect((events[2]["after"] as? [String: Any])?["state"] as? String == "resolved")

        // A camera that comes back is online again.
        try await store.reportHealth([Self.health("gate-2", .streaming)])
        #expect(await subscriber.wait { m in m.filter { $0.topic == "site/gate-2/status" }.last?.payload == "online" })
        // A clean stop says so.
        running.cancel()
        _ = await running.result
        #expect(await subscriber.wait { m in m.last { $0.topic == "site/available" }?.payload == "offline" })
        await store.close()
    }

    @Test func nothingIsLostWhileTheBrokerIsDown() async throws {
        let broker = MosquittoBroker()
        try await broker.start()
        let subscriber = try MQTTSubscriber(broker: broker, topic: "site/events")
        let (store, _) = try WebhookTests.store()
        let service = try Self.service(broker, store)
        let running = Task { try await service.run() }
        defer { running.cancel() }
        try await Task.sleep(for: .milliseconds(500))
        for _ in 0..<3 { _ = try await store.publish([WebhookTests.event()]) }
        #expect(await subscriber.wait { Self.events($0).count >= 3 })

        broker.stop()  // the site's broker restarts; events keep coming meanwhile
        var ids = try await store.list(EventQuery()).map(\.id)
        for _ in 0..<3 { _ = try await store.publish([WebhookTests.event()]) }
        try await Task.sleep(for: .seconds(1))
        try await broker.start()
        ids = try await store.list(EventQuery()).map(\.id)
        let want = Set(ids.map { $0.uuidString.lowercased() })
        #expect(await subscriber.wait(timeout: 40) { m in
            Set(Self.events(m).compactMap { ($0["after"] as? [String: Any])?["id"] as? String }) == want
        })
        let seqs = Self.events(subscriber.messages).compactMap { $0["seq"] as? Int }
        #expect(Set(seqs).count == 6)
        await store.close()
    }

    @Test func theLastWillSaysOfflineWhenTheProcessVanishes() async throws {
        let broker = MosquittoBroker()
        try await broker.start()
        let subscriber = try MQTTSubscriber(broker: broker, topic: "site/available")
        guard case .success(let settings) = MQTTSink.Settings.parse(url: broker.url, topicPrefix: "site") else { return }
        var sink: MQTTSink? = try MQTTSink(settings)
        #expect(await subscriber.wait { $0.last?.payload == "online" })
        // Dropped without a clean disconnect, as a killed process would: the broker sends the will.
        sink = nil
        _ = sink
        #expect(await subscriber.wait { $0.last?.payload == "offline" })
    }
}
