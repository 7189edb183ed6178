import ArgumentParser
import Events
import Foundation

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show camera health as the workers last reported it, and which node serves each group."
    )

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        let store = try storeOptions.open()
        let records = try await store.health()
        let leases = try await store.leases()
        await store.close()
        if json {
            struct Status: Encodable { let cameras: [CameraHealthRecord]; let groups: [GroupLease] }
            print(String(decoding: try EventJSON.encoder(pretty: true).encode(Status(cameras: records, groups: leases)), as: UTF8.self))
            return
        }
        if !leases.isEmpty {
            let now = Date()
            printTable(header: ["GROUP", "NODE", "EPOCH", "LEASE"], rows: leases.map { l in
                let left = l.expiresAt.timeIntervalSince(now)
                return [l.group, l.node.isEmpty ? "-" : l.node, "\(l.epoch)",
                        l.node.isEmpty ? "released" : left > 0 ? "\(Int(left.rounded()))s left" : "expired \(Int(-left))s ago"]
            })
            print()
        }
        if records.isEmpty { print("no camera has reported to \(storeOptions.url()) yet"); return }
        let rows = records.map { r -> [String] in
            let age = Int(Date().timeIntervalSince(r.reportedAt))
            // A camera with two streams: the analysed one's state, then the main stream's.
            let state = r.state.rawValue + (r.mainStream.map { " (main: \($0.state.rawValue))" } ?? "")
            return [r.group ?? "-", r.camera, state, String(format: "%.1f", r.decodedFps), String(format: "%.1f", r.analysedFps),
                    "\(r.droppedFrames)", "\(r.reconnectsLastHour)", "\(r.stallsLastHour)", Self.learned(r.learned), "\(age)s ago",
                    r.state == .streaming ? (r.mainStream.flatMap { $0.state == .streaming ? nil : $0.lastError.map { "main: " + $0 } } ?? "") : (r.lastError ?? "")]
        }
        printTable(header: ["GROUP", "CAMERA", "STATE", "DEC FPS", "ANA FPS", "DROPPED", "RECONN/H", "STALLS/H", "LEARNED (SKIPPED) MS WAIT",
                            "REPORTED", "LAST ERROR"], rows: rows)
    }

    /// "120+30 (4) 21.5 w3.0 ×1.53": detection + density passes, skipped ones, ms per pass, ms waited
    /// for a free inference thread, the scale learned for the passes' own density; "-" where none run.
    static func learned(_ l: CameraHealthRecord.LearnedPasses?) -> String {
        guard let l else { return "-" }
        return "\(l.passes)+\(l.densityPasses) (\(l.skipped)) " + String(format: "%.1f", l.msPerPass) + (l.waitMs.map { String(format: " w%.1f", $0) } ?? "")
            + (l.densityScale.map { String(format: " ×%.2f", $0) } ?? "")
    }
}
