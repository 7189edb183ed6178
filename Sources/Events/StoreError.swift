import Foundation

/// Errors from the store, saying what to do.
public enum StoreError: Error, Sendable, CustomStringConvertible {
    case badURL(String)
    case open(path: String, reason: String)
    case sql(String)
    case unsupported(String)
    /// The worker's node no longer holds its camera group: another node serves it now.
    case fenced(LeaseFence)
    /// Another process took over delivering to this subscriber (this one's lease ran out).
    case relayLost(sink: String)

    public var description: String {
        switch self {
        case .badURL(let u):
            return "store URL '\(u)' not understood — use sqlite:PATH (e.g. sqlite:retina.db) or postgres://user@host/db"
        case .open(let path, let reason): return "cannot open store \(path): \(reason)"
        case .sql(let m): return "store: \(m)"
        case .unsupported(let m): return m
        case .fenced(let f): return "lease lost (\(f)): another node serves this group now; nothing was published"
        case .relayLost(let sink): return "linkage '\(sink)': another process delivers to it now (this one's lease ran out)"
        }
    }
}
