import Events
import Foundation

/// Turns a selection of events into a signed evidence bag (or a .zip of one). Memory stays
/// bounded whatever the selection's size: only event ids are collected, events are fetched and
/// written one at a time, files are streamed in 1 MiB chunks, and the lists are written as they
/// grow. File work runs on an I/O queue of its own, off Swift's cooperative pool.
///
/// Every selected event is put on legal hold (`WorkflowAction.hold`) before it is copied, so
/// retention cannot remove it or its evidence while or after it is exported.
public struct Exporter: Sendable {
    public let store: any EventQueue
    /// Events fetched per page while resolving a time window or an incident.
    public var pageSize = 500

    public init(store: any EventQueue) { self.store = store }

    public func export(_ request: ExportRequest, progress: @escaping @Sendable (ExportProgress) -> Void = { _ in }) async throws -> ExportSummary {
        try request.selection.validate()
        let out = URL(fileURLWithPath: request.out).standardizedFileURL.path
        let state = Files.directoryState(out)
        if state.exists {
            guard state.isDirectory else { throw ExportError.outNotEmpty(out, "it is a file") }
            guard state.isEmpty else { throw ExportError.outNotEmpty(out, "it is not empty") }
        }
        progress(ExportProgress(phase: "selecting", eventsDone: 0, eventsTotal: 0, bytesCopied: 0))
        let ids = try await select(request.selection, max: request.maxEvents)
        guard !ids.isEmpty else { throw ExportError.nothingSelected(request.selection.summary) }

        let exportId = request.id.map { SafeName.component($0) } ?? Self.newId()
        let bagRoot = request.zip ? out + "/.staging-\(exportId)/\(exportId)" : out
        let createdOut = !state.exists
        do {
            let session = try await EvidenceRoot.offPool { () throws -> ExportSession in
                try ExportSession(bag: try BagWriter(root: bagRoot), request: request, exportId: exportId)
            }
            for (i, id) in ids.enumerated() {
                _ = try await store.perform(.hold, on: id, by: request.actor, note: "export \(exportId)", lease: 0, now: Date())
                guard let event = try await store.event(id: id) else { throw ExportError.eventNotFound(id) }
                // A home camera's clear picture or clip leaving in a bag is a view of it, in the
                // event's history before the history is copied into the bag.
                for ref in event.evidence where ref.isRestricted {
                    try await store.recordEvidenceView(ref, of: id, by: request.actor, now: Date())
                }
                let history = try await store.history(of: id)
                try await EvidenceRoot.offPool { try session.add(event, history: history, seq: i + 1) }
                progress(ExportProgress(phase: "copying", eventsDone: i + 1, eventsTotal: ids.count, bytesCopied: session.bytesCopied))
            }
            progress(ExportProgress(phase: "sealing", eventsDone: ids.count, eventsTotal: ids.count, bytesCopied: session.bytesCopied))
            let fingerprint = try await EvidenceRoot.offPool { () throws -> String in
                let head = try session.finish()
                var info: [(String, String)] = [
                    ("Bag-Software-Agent", request.tool),
                    ("External-Identifier", exportId),
                    ("External-Description", "police-linkage evidence package: \(request.selection.summary)"),
                    ("Custody-Log-Head", head),
                    ("Retina-Events", String(session.events)),
                    ("Retina-Reason", request.reason),
                    ("Retina-Requester", request.requester),
                    ("Retina-Exported-By", request.actor),
                ]
                if let org = request.organization { info.insert(("Source-Organization", org), at: 0) }
                return try session.bag.seal(info: info, key: request.key).fingerprint
            }
            var path = bagRoot
            if request.zip {
                progress(ExportProgress(phase: "zipping", eventsDone: ids.count, eventsTotal: ids.count, bytesCopied: session.bytesCopied))
                path = out + "/\(exportId).zip"
                let zipPath = path
                try await EvidenceRoot.offPool {
                    try BagZip.write(bag: bagRoot, to: zipPath)
                    try FileManager.default.removeItem(atPath: out + "/.staging-\(exportId)")
                }
            }
            progress(ExportProgress(phase: "done", eventsDone: ids.count, eventsTotal: ids.count, bytesCopied: session.bytesCopied))
            return ExportSummary(id: exportId, path: path, events: session.events, snapshots: session.snapshots, clips: session.clips,
                                 files: session.bag.payload.count, bytes: session.bag.payload.reduce(0) { $0 + $1.digest.size },
                                 fingerprint: fingerprint, warnings: session.warnings)
        } catch {
            // A half-written bag must not look like evidence: remove what this export made.
            if createdOut {
                try? FileManager.default.removeItem(atPath: out)
            } else {
                for name in (try? FileManager.default.contentsOfDirectory(atPath: out)) ?? [] {
                    try? FileManager.default.removeItem(atPath: out + "/" + name)
                }
            }
            throw error
        }
    }

    /// The ids of the selected events (oldest first for windows and incidents; as given otherwise).
    func select(_ s: ExportSelection, max: Int) async throws -> [UUID] {
        if !s.events.isEmpty {
            var seen = Set<UUID>()
            let ids = s.events.filter { seen.insert($0).inserted }
            for id in ids where try await store.event(id: id) == nil { throw ExportError.eventNotFound(id) }
            if ids.count > max { throw ExportError.tooMany(ids.count, max: max) }
            return ids
        }
        var base = EventQuery(types: s.types, camera: s.camera, group: s.group, since: s.from, limit: pageSize)
        base.incidentId = s.incident
        // Newest first, page by page: the next page ends just after the oldest time seen (1 ms of
        // overlap, ids already taken are skipped), so events sharing a timestamp are never lost.
        var until = s.to
        var seen = Set<UUID>()
        var ids: [UUID] = []
        var limit = pageSize
        while true {
            var q = base
            q.until = until
            q.limit = limit
            let page = try await store.list(q)
            let fresh = page.filter { seen.insert($0.id).inserted }
            ids += fresh.map(\.id)
            if ids.count > max { throw ExportError.tooMany(ids.count, max: max) }
            guard page.count == limit, let oldest = page.last?.occurredAt else { break }
            if fresh.isEmpty { limit *= 2; continue }  // a page of one instant: widen it
            until = oldest.addingTimeInterval(0.001)
            limit = pageSize
        }
        return ids.reversed()
    }

    /// `EXP-20261123T110000-1a2b3c4d`: sortable, unique, safe as a file name.
    public static func newId(now: Date = Date()) -> String {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "UTC")!
        let d = c.dateComponents([.year, .month, .day, .hour, .minute, .second], from: now)
        let stamp = String(format: "%04d%02d%02dT%02d%02d%02dZ", d.year ?? 0, d.month ?? 0, d.day ?? 0, d.hour ?? 0, d.minute ?? 0, d.second ?? 0)
        return "EXP-\(stamp)-\(UUID().uuidString.prefix(8).lowercased())"
    }
}
