import Foundation

/// Evidence added to events already in the SQLite queue: an upload, or a clip completed after its
/// post-event seconds. Each is one IMMEDIATE transaction with its history row.
extension SQLiteEventStore {
    public func addEvidence(_ refs: [EvidenceRef], to id: UUID, by actor: String, now: Date) async throws {
        try await amend(id, followingAlias: false) { event in Transitions.addEvidence(refs, to: &event, by: actor, now: now) }
    }

    public func completeEvidence(eventId: UUID, _ completion: EvidenceCompletion, by actor: String, now: Date) async throws {
        try await amend(eventId, followingAlias: true) { event in
            Transitions.completeEvidence(completion, for: eventId, on: &event, by: actor, now: now)
        }
    }

    public func recordEvidenceView(_ ref: EvidenceRef, of id: UUID, by actor: String, now: Date) async throws {
        // Only the history row: the event itself is not rewritten.
        try await amend(id, followingAlias: false, rewrite: false) { event in Transitions.viewed(ref, of: event, by: actor, now: now) }
    }

    /// Applies `change` to the stored event `id` (or, `followingAlias`, to the event it was folded
    /// into) and records its history row; nothing is written when `change` returns nil.
    private func amend(_ id: UUID, followingAlias: Bool, rewrite: Bool = true,
                       _ change: @escaping @Sendable (inout Event) -> HistoryEntry?) async throws {
        try await onQueue { db in
            try db.transaction {
                var target = id.uuidString.lowercased()
                if followingAlias,
                   let into = try db.prepare("SELECT into_id FROM event_aliases WHERE id = ?").rows([.text(target)], { $0.text(0) }).first ?? nil {
                    target = into
                }
                guard let doc = try db.prepare("SELECT doc FROM events WHERE id = ?").rows([.text(target)], { $0.text(0) ?? "{}" }).first else {
                    throw WorkflowError.notFound(id)
                }
                var event = try EventJSON.decoder().decode(Event.self, from: Data(doc.utf8))
                guard let entry = change(&event) else { return }
                if rewrite { try Self.write(event, db) }
                try Self.record(event.id, entry, db)
            }
        }
    }
}
