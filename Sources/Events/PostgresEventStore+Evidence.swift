import Foundation
import Logging
import PostgresNIO

/// Evidence added to events already in the PostgreSQL queue: an upload, or a clip completed after
/// its post-event seconds. Each is one transaction, with the event's row locked, and its history row.
extension PostgresEventStore {
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
    private func amend(_ id: UUID, followingAlias: Bool, rewrite: Bool = true, _ change: @escaping @Sendable (inout Event) -> HistoryEntry?) async throws {
        try await transaction(writingEvents: true) { db in
            var target = id.uuidString.lowercased()
            if followingAlias,
               let into = try await db.query("SELECT into_id FROM event_aliases WHERE id = \(target)", logger: logger).collect().first {
                target = try into.decode(String.self)
            }
            guard var event = try await Self.loadOne(db, logger, "SELECT doc::text FROM events WHERE id = \(target) FOR UPDATE") else {
                throw WorkflowError.notFound(id)
            }
            guard let entry = change(&event) else { return }
            if rewrite { try await Self.write(event, db, logger) }
            try await Self.record(event.id, entry, db, logger)
        }
    }
}
