import Events
import Foundation
import Linkage
import Logging
import RetinaTestSupport
import Testing
import Vocabulary

/// Webhooks against a real HTTP receiver: signed, filtered, in order, at least once through the
/// receiver being down and the relay restarting, refusals kept as dead letters, one sender at a time.
@Suite struct WebhookTests {
    static func store() throws -> (any EventStore, String) {
        let place = "sqlite:" + Fixtures.temporaryDirectory("linkage") + "/events.db"
        return (try StoreURL.open(place), place)
    }

    static func event(_ type: String = "crowd.density", priority: Priority = .p2, camera: String = "cam1", group: String = "compound-7") -> Event {
        Event(type: EventType(rawValue: type), priority: priority, source: EventSource(producer: "retina", camera: camera, group: group),
              occurredAt: Date())
    }

    static func relay(_ sink: WebhookSink, _ store: any EventStore, holder: String = "test", lease: Double = 30) -> LinkageRelay {
        var logger = Logger(label: "relay")
        logger.logLevel = .critical
        var relay = LinkageRelay(sink: sink, store: store, holder: holder, logger: logger)
        relay.poll = 0.05
        relay.firstBackoff = 0.1
        relay.maxBackoff = 0.3
        relay.lease = lease
        return relay
    }

    /// What the receiver got, by outbox seq (the delivery header), first arrivals in order.
    static func seqs(_ requests: [HookReceiver.Request]) -> [Int] {
        requests.compactMap { $0.headers[WebhookSignature.deliveryHeader.lowercased()]?.split(separator: ":").last.flatMap { Int($0) } }
    }

    static func waitFor(_ timeout: Double = 20, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return try await condition()
    }

    @Test func theSignatureIsTheHMACAReceiverComputes() {
        // Python's hmac.new(b"s3cret", b'1700000000.{"a":1}', hashlib.sha256).hexdigest()
        let body = Data(#"{"a":1}"#.utf8)
        let signature = WebhookSignature.sign(body: body, timestamp: 1_700_000_000, secret: "s3cret")
        #expect(signature == "sha256=1698a50bc74d1ff1db85c4e0a5297c2ad9fdba245d5737cdb789e4cc6e098940")
        let now = Date(timeIntervalSince1970: 1_700_000_100)
        #expect(WebhookSignature.verify(body: body, timestamp: "1700000000", signature: signature, secret: "s3cret", now: now))
        #expect(!WebhookSignature.verify(body: Data(#"{"a":2}"#.utf8), timestamp: "1700000000", signature: signature, secret: "s3cret", now: now))
        #expect(!WebhookSignature.verify(body: body, timestamp: "1700000000", signature: signature, secret: "other", now: now))
        // A replay an hour later is refused.
        #expect(!WebhookSignature.verify(body: body, timestamp: "1700000000", signature: signature, secret: "s3cret",
                                         now: now.addingTimeInterval(3600)))
    }

    @Test func changesArriveSignedFilteredAndInOrder() async throws {
        let (store, _) = try Self.store()
        let receiver = HookReceiver()
        try await receiver.start()
        let sink = WebhookSink(.init(name: "property-7", url: receiver.url, secret: "s3cret",
                                     filter: SubscriptionFilter(minPriority: .p2, groups: ["compound-7"])))
        let relay = Task { await Self.relay(sink, store).run() }
        defer { relay.cancel() }
        try await Task.sleep(for: .milliseconds(200))  // the subscriber starts at the outbox's end

        let fall = Self.event("fall.detected", priority: .p1)
        _ = try await store.publish([fall, Self.event(priority: .p3), Self.event(group: "compound-9"), Self.event("crowd.density", priority: .p2)])
        _ = try await store.perform(.claim, on: fall.id, by: "wang")
        _ = try await store.perform(.resolve, on: fall.id, by: "wang")
        #expect(try await Self.waitFor { receiver.requests.count >= 4 })
        try await Task.sleep(for: .milliseconds(300))
        let requests = receiver.requests
        #expect(requests.count == 4)  // the P3 and the other group's event were not for this subscriber
        for r in requests {
            #expect(r.headers["content-type"] == "application/json")
            #expect(WebhookSignature.verify(body: r.body, timestamp: r.headers["x-retina-timestamp"] ?? "",
                                            signature: r.headers["x-retina-signature"] ?? "", secret: "s3cret"))
        }
        let bodies = try requests.map { try JSONSerialization.jsonObject(with: $0.body) as? [String: Any] ?? [:] }
        #expect(bodies.map { $0["type"] as? String } == ["new", "new", "update", "end"])
        #expect(bodies.map { ($0["after"] as? [String: Any])?["type"] as? String } == ["fall.detected", "crowd.density", "fall.detected", "fall.detected"])
        #expect(bodies[0]["before"] is NSNull)
        #expect((bodies[3]["before"] as? [String: Any])?["state"] as? String == "claimed")
        let seqs = Self.seqs(requests)
        #expect(seqs == seqs.sorted() && Set(seqs).count == 4)
        let state = try #require(try await store.relays().first { $0.sink == "webhook:property-7" })
        #expect(state.delivered == 4 && state.end == state.seq)
        await receiver.stop()
        await store.close()
    }

    @Test func aReceiverThatWasDownGetsEverythingAndARestartedRelayGoesOnWhereItStopped() async throws {
        let (store, place) = try Self.store()
        let receiver = HookReceiver()  // not started: its port refuses connections
        let sink = WebhookSink(.init(name: "police", url: receiver.url, secret: "never-in-a-message", timeout: 2))
        let first = Task { await Self.relay(sink, store, holder: "process-1", lease: 2).run() }
        try await Task.sleep(for: .milliseconds(200))
        for _ in 0..<5 { _ = try await store.publish([Self.event()]) }
        // It keeps trying, and says why.
        #expect(try await Self.waitFor { try await store.relays().first?.lastError != nil })
        let error = try #require(try await store.relays().first?.lastError)
        #expect(error.contains("127.0.0.1:\(receiver.port)") && !error.contains("never-in-a-message"))
        try await Task.sleep(for: .milliseconds(500))
        try await receiver.start()
        #expect(try await Self.waitFor { Set(Self.seqs(receiver.requests)).count == 5 })
        // Delivery is at least once: a relay stopped after the receiver answered but before it
        // recorded the answer sends that one again. Stop it once all five are recorded.
        #expect(try await Self.waitFor { try await store.relays().first?.delivered == 5 })
        // The relay process stops (a restart); three events come while none runs.
        first.cancel()
        _ = await first.result
        let delivered = receiver.requests.count
        let reopened = try StoreURL.open(place)
        for _ in 0..<3 { _ = try await reopened.publish([Self.event()]) }
        // The next process takes the subscriber once the first one's lease has run out, where it left it.
        let second = Task { await Self.relay(sink, reopened, holder: "process-2", lease: 2).run() }
        defer { second.cancel() }
        #expect(try await Self.waitFor { Set(Self.seqs(receiver.requests)).count == 8 })
        let seqs = Self.seqs(receiver.requests)
        #expect(Array(seqs.dropFirst(delivered)).count == 3)  // nothing from before the restart sent again
        var firstArrivals: [Int] = []
        for s in seqs where !firstArrivals.contains(s) { firstArrivals.append(s) }
        #expect(firstArrivals == firstArrivals.sorted())
        #expect(try await reopened.relays().first?.holder == "process-2")
        await receiver.stop()
        await store.close()
        await reopened.close()
    }

    @Test func aRefusedMessageIsADeadLetterAndTheOthersGoOn() async throws {
        let (store, _) = try Self.store()
        let receiver = HookReceiver()
        receiver.answer = { r in String(decoding: r.body, as: UTF8.self).contains("intrusion.unknown") ? 422 : 200 }
        try await receiver.start()
        let sink = WebhookSink(.init(name: "property-7", url: receiver.url, secret: "s3cret"))
        let relay = Task { await Self.relay(sink, store).run() }
        defer { relay.cancel() }
        try await Task.sleep(for: .milliseconds(200))
        let bad = Self.event("intrusion.unknown"), good = Self.event()
        _ = try await store.publish([bad, good])
        #expect(try await Self.waitFor { receiver.requests.count >= 2 })
        #expect(try await Self.waitFor { !(try await store.deadLetters(limit: 10)).isEmpty })
        let dead = try await store.deadLetters(limit: 10)
        #expect(dead.count == 1 && dead[0].eventId == bad.id && dead[0].error.hasPrefix("HTTP 422") && dead[0].sink == "webhook:property-7")
        #expect(try await Self.waitFor { try await store.relays().first?.delivered == 1 })
        await receiver.stop()
        await store.close()
    }

    @Test func twoProcessesOnOneStoreSendEachMessageOnce() async throws {
        let (a, place) = try Self.store()
        let b = try StoreURL.open(place)
        let receiver = HookReceiver()
        try await receiver.start()
        let sink = WebhookSink(.init(name: "property-7", url: receiver.url, secret: "s3cret"))
        let one = Task { await Self.relay(sink, a, holder: "node-a").run() }
        let two = Task { await Self.relay(sink, b, holder: "node-b").run() }
        defer { one.cancel(); two.cancel() }
        try await Task.sleep(for: .milliseconds(300))
        for _ in 0..<10 { _ = try await a.publish([Self.event()]) }
        #expect(try await Self.waitFor { receiver.requests.count >= 10 })
        try await Task.sleep(for: .milliseconds(500))
        let seqs = Self.seqs(receiver.requests)
        #expect(seqs.count == 10 && Set(seqs).count == 10)
        await receiver.stop()
        await a.close()
        await b.close()
    }
}
