import Foundation

/// Opens a store from its URL: `sqlite:PATH` (also a bare path ending in .db) or `postgres://…`.
public enum StoreURL {
    public static let defaultURL = "sqlite:retina.db"

    public static func open(_ url: String) throws -> any EventStore {
        if url.hasPrefix("sqlite:") {
            var path = String(url.dropFirst("sqlite:".count))
            if path.hasPrefix("//") { path = String(path.dropFirst(2)) }
            guard !path.isEmpty else { throw StoreError.badURL(url) }
            return try SQLiteEventStore(path: path)
        }
        if url.hasSuffix(".db") || url.hasSuffix(".sqlite") { return try SQLiteEventStore(path: url) }
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            return try PostgresEventStore(url: url)
        }
        throw StoreError.badURL(url)
    }
}
