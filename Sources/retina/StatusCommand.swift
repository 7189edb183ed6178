import ArgumentParser
import Events
import Foundation

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show camera health as the workers last reported it to the store."
    )

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        let store = try storeOptions.open()
        let records = try await store.health()
        await store.close()
        if json {
            print(String(decoding: try EventJSON.encoder(pretty: true).encode(records), as: UTF8.self))
            return
        }
        if records.isEmpty { print("no camera has reported to \(storeOptions.url()) yet"); return }
        let rows = records.map { r -> [String] in
            let age = Int(Date().timeIntervalSince(r.reportedAt))
            return [r.group ?? "-", r.camera, r.state, String(format: "%.1f", r.decodedFps), String(format: "%.1f", r.analysedFps),
                    "\(r.droppedFrames)", "\(r.reconnectsLastHour)", "\(r.stallsLastHour)", "\(age)s ago", r.state == "streaming" ? "" : (r.lastError ?? "")]
        }
        printTable(header: ["GROUP", "CAMERA", "STATE", "DEC FPS", "ANA FPS", "DROPPED", "RECONN/H", "STALLS/H", "REPORTED", "LAST ERROR"], rows: rows)
    }
}
