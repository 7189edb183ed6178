import Foundation

/// A whole store, as `StoreURL.open` gives it: the event queue, the office's tokens, camera health
/// and the camera-group leases and the outbox of linkage and the zones' crowd series, in one database. A caller that needs one of these jobs takes only
/// its protocol.
public protocol EventStore: EventQueue, TokenStore, CameraHealthStore, GroupLeaseStore, OutboxStore, ZoneSampleStore {
    /// Waits for work in flight and lets go of the database.
    func close() async
}
