import CSQLite
import Foundation

/// A thin, synchronous wrapper over one sqlite3 connection. Not thread-safe: the store serialises
/// every use on its own queue.
final class SQLiteConnection {
    private var db: OpaquePointer?
    let path: String

    init(path: String) throws {
        self.path = path
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "error \(rc)"
            sqlite3_close(db)
            db = nil
            throw StoreError.open(path: path, reason: message)
        }
        // Several processes (workers, the fall system, the CLI) write the same file: wait for the
        // writer lock instead of failing with "database is locked".
        // Waiting for the write lock: retry every millisecond for up to 10 s. SQLite's own busy
        // timeout sleeps in growing steps (up to 100 ms), which let a fall's claim wait hundreds of
        // milliseconds behind a storm of crowd events although each transaction takes a few.
        sqlite3_busy_handler(db, { _, attempts in
            guard attempts < 10_000 else { return 0 }
            usleep(1000)
            return 1
        }, nil)
    }

    deinit { sqlite3_close_v2(db) }

    func execute(_ sql: String) throws {
        var error: UnsafeMutablePointer<CChar>?
        if sqlite3_exec(db, sql, nil, nil, &error) != SQLITE_OK {
            let message = error.map { String(cString: $0) } ?? lastError
            sqlite3_free(error)
            throw StoreError.sql(message)
        }
    }

    var lastError: String { String(cString: sqlite3_errmsg(db)) }
    var changes: Int { Int(sqlite3_changes(db)) }

    func prepare(_ sql: String) throws -> Statement {
        var stmt: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &stmt, nil) == SQLITE_OK, let stmt else {
            throw StoreError.sql("\(lastError) in: \(sql)")
        }
        return Statement(stmt, connection: self)
    }

    /// Runs `body` in an IMMEDIATE transaction (takes the write lock up front, so the busy timeout
    /// applies at BEGIN and a transaction never fails half-way on lock upgrade).
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    final class Statement {
        private let stmt: OpaquePointer
        private unowned let connection: SQLiteConnection

        init(_ stmt: OpaquePointer, connection: SQLiteConnection) {
            self.stmt = stmt
            self.connection = connection
        }

        deinit { sqlite3_finalize(stmt) }

        func bind(_ values: [SQLValue]) throws {
            sqlite3_reset(stmt)
            sqlite3_clear_bindings(stmt)
            for (i, v) in values.enumerated() {
                let idx = Int32(i + 1)
                let rc: Int32
                switch v {
                case .null: rc = sqlite3_bind_null(stmt, idx)
                case .int(let n): rc = sqlite3_bind_int64(stmt, idx, Int64(n))
                case .double(let d): rc = sqlite3_bind_double(stmt, idx, d)
                case .text(let s): rc = sqlite3_bind_text(stmt, idx, s, -1, retina_sqlite_transient())
                }
                guard rc == SQLITE_OK else { throw StoreError.sql(connection.lastError) }
            }
        }

        /// Executes a statement that returns no rows.
        func run(_ values: [SQLValue] = []) throws {
            try bind(values)
            let rc = sqlite3_step(stmt)
            guard rc == SQLITE_DONE || rc == SQLITE_ROW else { throw StoreError.sql(connection.lastError) }
            sqlite3_reset(stmt)
        }

        /// Executes a query and maps each row.
        func rows<T>(_ values: [SQLValue] = [], _ map: (Row) throws -> T) throws -> [T] {
            try bind(values)
            var out: [T] = []
            while true {
                let rc = sqlite3_step(stmt)
                if rc == SQLITE_DONE { break }
                guard rc == SQLITE_ROW else { throw StoreError.sql(connection.lastError) }
                out.append(try map(Row(stmt: stmt)))
            }
            sqlite3_reset(stmt)
            return out
        }
    }

    struct Row {
        let stmt: OpaquePointer
        func text(_ i: Int32) -> String? {
            guard let p = sqlite3_column_text(stmt, i) else { return nil }
            return String(cString: p)
        }
        func int(_ i: Int32) -> Int { Int(sqlite3_column_int64(stmt, i)) }
        func double(_ i: Int32) -> Double { sqlite3_column_double(stmt, i) }
        func optionalDouble(_ i: Int32) -> Double? { sqlite3_column_type(stmt, i) == SQLITE_NULL ? nil : double(i) }
    }
}

enum SQLValue {
    case null
    case int(Int)
    case double(Double)
    case text(String)

    init(_ s: String?) { self = s.map { .text($0) } ?? .null }
}
