import Events
import Foundation

// Seeds a SQLite store for Benchmarks/export.sh: one crowd.density event per JPEG in a folder,
// each referencing its own snapshot (file URL, size, SHA-256) as the worker records it, spread
// over ten cameras of group `bench` within one hour.
//
//   ExportBench STORE.db SNAPSHOT_DIR [--start RFC3339]

let args = CommandLine.arguments
guard args.count >= 3 else {
    FileHandle.standardError.write(Data("usage: ExportBench STORE.db SNAPSHOT_DIR [--start RFC3339]\n".utf8))
    exit(2)
}
let storePath = args[1], snapshots = args[2]
var start = RFC3339.parse("2026-11-23T08:00:00+08:00")!
if let i = args.firstIndex(of: "--start"), i + 1 < args.count, let d = RFC3339.parse(args[i + 1]) { start = d }

let files = try FileManager.default.contentsOfDirectory(atPath: snapshots).filter { $0.hasSuffix(".jpg") }.sorted()
let store = try SQLiteEventStore(path: storePath)
let began = Date()
var batch: [Event] = []
for (i, name) in files.enumerated() {
    let path = (snapshots as NSString).appendingPathComponent(name)
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    let camera = "bench-cam-\(i % 10)"
    let level = CrowdLevel.warnings[i % 4]
    batch.append(Event(type: "crowd.density", priority: level == .red ? .p1 : .p3, level: level,
                       source: EventSource(producer: "retina", camera: camera, deviceId: String(format: "310115000013200%05d", i % 10),
                                           group: "bench", zone: "plaza"),
                       location: EventLocation(lat: 31.2304, lon: 121.4737),
                       occurredAt: start.addingTimeInterval(Double(i) * 3600 / Double(max(files.count, 1))),
                       dedupKey: "bench:\(i)",
                       payload: .object(["count": .number(Double(20 + i % 80)), "densityPerM2": .number(Double(i % 60) / 10), "areaM2": .number(45)]),
                       evidence: [EvidenceRef(kind: .snapshot, uri: URL(fileURLWithPath: path).absoluteString, mime: "image/jpeg",
                                              size: data.count, sha256: Checksum.sha256Hex(data))]))
    if batch.count == 100 {
        _ = try await store.publish(batch)
        batch.removeAll()
    }
}
if !batch.isEmpty { _ = try await store.publish(batch) }
await store.close()
print("seeded \(files.count) events with snapshots in \(String(format: "%.2f", Date().timeIntervalSince(began))) s")
