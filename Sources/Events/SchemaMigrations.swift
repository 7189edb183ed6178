import Foundation

/// One named step of a store's schema. Its statements run once, in a transaction, together with
/// the row that records the step as applied.
struct Migration: Sendable {
    let name: String
    let statements: [String]
}

/// A store's schema as one ordered list of named migrations, in the shape of GRDB's
/// `DatabaseMigrator`: the database keeps the names of the migrations applied to it
/// (`retina_migrations`), each backend runs the ones it lacks in order, and a database that names a
/// migration this Retina does not know was made by a newer Retina and is refused.
///
/// Before the named list, a store kept a schema version number (SQLite's `PRAGMA user_version`,
/// PostgreSQL's `retina_schema` table); `legacy[v]` names the migrations that version had applied,
/// so an existing database is adopted without running anything twice.
struct MigrationList: Sendable {
    let migrations: [Migration]
    let legacy: [Int: [String]]

    /// Written over the old version number once the list is adopted: a Retina from before named
    /// migrations refuses the database as "made by a newer Retina" instead of re-creating tables.
    static let adoptedVersion = 100
    /// The table of applied migrations (the same name in both backends).
    static let table = "retina_migrations"

    init(_ migrations: [Migration], legacy: [Int: [String]]) {
        precondition(Set(migrations.map(\.name)).count == migrations.count, "migration names must be unique")
        precondition(legacy.values.joined().allSatisfy { name in migrations.contains { $0.name == name } }, "legacy names a migration not in the list")
        self.migrations = migrations
        self.legacy = legacy
    }

    /// The migrations a database of old version `version` had applied (0: a new database, or one
    /// already adopted). Any other version was made by a newer Retina.
    func adopted(fromVersion version: Int) throws -> [String] {
        if version == 0 || version == Self.adoptedVersion { return [] }
        guard let names = legacy[version] else {
            throw StoreError.unsupported("made by a newer Retina (schema version \(version); this one knows up to \(legacy.keys.max() ?? 0))")
        }
        return names
    }

    /// The first migration not yet applied; nil when the schema is complete. Throws when `applied`
    /// names a migration this Retina does not know.
    func next(applied: [String]) throws -> Migration? {
        let unknown = applied.filter { name in !migrations.contains { $0.name == name } }
        guard unknown.isEmpty else {
            throw StoreError.unsupported("made by a newer Retina (it applied migrations this one does not know: \(unknown.joined(separator: ", ")))")
        }
        return migrations.first { !applied.contains($0.name) }
    }
}
