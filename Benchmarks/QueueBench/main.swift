// The dispatch queue under load, on a real store: STORE is a store URL (sqlite:FILE or
// postgres://…) or a bare .db path (Benchmarks/queue.sh runs it on both):
//   QueueBench throughput STORE [--events N] [--batch B]     one producer: events/s
//   QueueBench producers STORE [--processes P] [--events N]   P producer processes at once: events/s, errors
//   QueueBench storm STORE [--events N] [--probes K]          a storm of N P4 crowd events while a fall (P1)
//                                                             is published every 50 ms and claimed at once:
//                                                             claim latency p50/p99
//   QueueBench produce STORE N SEED                           (a child of `producers`)
import Events
import Foundation

var args = Array(CommandLine.arguments.dropFirst())
@MainActor func option(_ name: String, _ fallback: Int) -> Int {
    guard let i = args.firstIndex(of: name), i + 1 < args.count, let v = Int(args[i + 1]) else { return fallback }
    args.removeSubrange(i...(i + 1))
    return v
}
func seconds(since start: UInt64) -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
func crowdEvent(_ i: Int, producer: String = "bench") -> Event {
    Event(type: "crowd.density", priority: .p4, level: .blue,
          source: EventSource(producer: producer, camera: "cam-\(i % 200)", group: "g\(i % 20)", zone: "plaza"),
          occurredAt: Date(), payload: .object(["count": .number(Double(i % 50))]))
}
func percentile(_ values: [Double], _ p: Double) -> Double {
    let s = values.sorted()
    return s.isEmpty ? 0 : s[min(s.count - 1, Int((Double(s.count - 1) * p).rounded()))]
}

let events = option("--events", 10_000), batch = option("--batch", 100), processes = option("--processes", 4), probes = option("--probes", 40)
guard args.count >= 2 else {
    FileHandle.standardError.write(Data("usage: QueueBench throughput|producers|storm|produce FILE [options]\n".utf8))
    exit(2)
}
let mode = args[0], file = args[1]

switch mode {
case "throughput":
    let store = try StoreURL.open(file)
    let start = DispatchTime.now().uptimeNanoseconds
    for b in stride(from: 0, to: events, by: batch) {
        _ = try await store.publish((b..<min(b + batch, events)).map { crowdEvent($0) })
    }
    let s = seconds(since: start)
    print(String(format: "throughput: %d events in batches of %d in %.2f s: %.0f events/s", events, batch, s, Double(events) / s))
    await store.close()

case "produce":
    // One producer process: publishes N events in batches of 20 (what a worker's publisher does).
    let n = Int(args[2]) ?? 1000
    let store = try StoreURL.open(file)
    var failures = 0
    for b in stride(from: 0, to: n, by: 20) {
        do { _ = try await store.publish((b..<min(b + 20, n)).map { crowdEvent($0, producer: "p\(args[3])") }) } catch {
            failures += 1
            FileHandle.standardError.write(Data("producer \(args[3]): \(error)\n".utf8))
        }
    }
    await store.close()
    exit(failures == 0 ? 0 : 1)

case "producers":
    _ = try StoreURL.open(file)  // create the schema once, before the race
    let each = events / processes
    let start = DispatchTime.now().uptimeNanoseconds
    let children = try (0..<processes).map { i -> Process in
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        p.arguments = ["produce", file, String(each), String(i)]
        try p.run()
        return p
    }
    for c in children { c.waitUntilExit() }
    let s = seconds(since: start)
    let failed = children.filter { $0.terminationStatus != 0 }.count
    let store = try StoreURL.open(file)
    let stored = try await store.list(EventQuery(limit: 10 * events)).count
    print(String(format: "producers: %d processes × %d events in %.2f s: %.0f events/s; %d stored; %d producer(s) saw errors",
                 processes, each, s, Double(each * processes) / s, stored, failed))
    await store.close()

case "storm":
    let store = try StoreURL.open(file)
    // The storm: N crowd events published as fast as one worker's publisher can (batches of 50).
    let storm = Task.detached {
        for b in stride(from: 0, to: events, by: 50) { _ = try? await store.publish((b..<min(b + 50, events)).map { crowdEvent($0) }) }
    }
    var latencies: [Double] = [], wrong = 0
    let operatorStore = try StoreURL.open(file)  // the office: a second connection, as in production
    for k in 0..<probes {
        try await Task.sleep(for: .milliseconds(50))
        let fall = Event(type: "fall.detected", priority: .p1, source: EventSource(producer: "fall-detection"), occurredAt: Date(),
                         payload: .object(["subjectRef": .string("resident-\(k)"), "deviceType": .string("radar")]))
        let start = DispatchTime.now().uptimeNanoseconds
        _ = try await operatorStore.publish([fall])
        let claimed = try await operatorStore.claimNext(by: "op", lease: 60, now: Date())
        latencies.append(seconds(since: start) * 1000)
        if claimed?.id != fall.id { wrong += 1 }
        if let claimed { _ = try await operatorStore.perform(.acknowledge, on: claimed.id, by: "op", note: nil, lease: 60, now: Date()) }
    }
    await storm.value
    let stored = try await store.list(EventQuery(types: ["crowd.density"], limit: 10 * events)).count
    print(String(format: "storm: %d crowd events (%d stored) while %d falls were published and claimed: publish+claim p50 %.1f ms, p99 %.1f ms, max %.1f ms; %d claims returned something else",
                 events, stored, probes, percentile(latencies, 0.5), percentile(latencies, 0.99), latencies.max() ?? 0, wrong))
    await store.close()
    await operatorStore.close()

default:
    FileHandle.standardError.write(Data("QueueBench: unknown mode \(mode)\n".utf8))
    exit(2)
}
