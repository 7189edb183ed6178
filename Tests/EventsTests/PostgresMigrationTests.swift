@testable import Events
import Foundation
import Logging
import PostgresNIO
import RetinaTestSupport
import Synchronization
import Testing

/// Opening a PostgreSQL store: its first connection makes the schema, under an advisory lock on the
/// schema's name (two nodes starting on one schema wait for each other, a store on another schema
/// does not wait at all), and a server that never answers is an error, not a hang.
@Suite struct PostgresMigrationTests {
    @Test func aServerThatNeverAnswersIsAConnectTimeoutNotAHang() async throws {
        let (fd, port) = Fixtures.silentListener()
        defer { close(fd) }
        let store = try PostgresEventStore(url: "postgres://retina@127.0.0.1:\(port)/retina?sslmode=disable")
        do {
            _ = try await store.list(EventQuery())
            Issue.record("a silent server answered")
        } catch {
            #expect("\(error)".contains("Connect timeout (5 s)"), "got \(error)")
        }
        await store.close()
    }

    final class Finished: Sendable { let flag = Mutex(false) }

    @Test func theDeadlineDoesNotWaitForWorkThatIgnoresCancellation() async throws {
        // A query blocked in the server does not notice cancellation; the deadline must not wait for
        // it. The body ends on a dispatch timer, off the cooperative pool, so the order is what is
        // checked, not a wall time that other suites' use of the pool could stretch.
        let finished = Finished()
        do {
            try await withTimeout(seconds: 0.2, what: "testing") {
                await withCheckedContinuation { c in
                    DispatchQueue.global().asyncAfter(deadline: .now() + 120) { finished.flag.withLock { $0 = true }; c.resume() }
                }
            }
            Issue.record("finished before its deadline")
        } catch {
            #expect("\(error)".contains("timed out after 0.2 s testing"))
        }
        #expect(finished.flag.withLock { $0 } == false)  // returned while the body still ran
    }

    @Test(.disabled(if: StoreKind.postgresURL == nil, "needs RETINA_TEST_POSTGRES"))
    func aSchemaBeingMadeHoldsUpOnlyItself() async throws {
        let busy = StoreKind.postgres.newPlace(), other = StoreKind.postgres.newPlace()
        let logger = Logger(label: "test.migration")
        // Another node in the middle of making `busy`'s schema: it holds that schema's lock.
        let (url, holder) = try await StoreKind.connect(to: busy, id: 1, logger: logger)
        let waiting = try StoreKind.postgres.open(busy), free = try StoreKind.postgres.open(other)
        do {
            try await holder.query("BEGIN", logger: logger)
            _ = try await holder.query("SELECT pg_advisory_xact_lock(\(PostgresEventStore.migrationLockKey), hashtext(\(url.schema)))", logger: logger).collect()
            let listed = Task { (count: try await waiting.list(EventQuery()).count, at: Date()) }
            #expect(try await free.list(EventQuery()).isEmpty)  // not queued behind `busy`
            try await Task.sleep(for: .milliseconds(300))
            let released = Date()
            try await holder.query("COMMIT", logger: logger)
            let result = try await listed.value
            #expect(result.count == 0)
            #expect(result.at >= released)  // `busy`'s store waited for the other node to finish
        } catch {
            Issue.record(error)
        }
        try await holder.close()
        await waiting.close()
        await free.close()
    }

    /// Another node making the schema on a loaded server may hold its lock longer than one wait:
    /// the store waits again, up to its patience; a session that never lets go is an error then.
    @Test(.disabled(if: StoreKind.postgresURL == nil, "needs RETINA_TEST_POSTGRES"))
    func aStoreWaitsOutAnotherNodesSlowMigrationButNotAStuckSession() async throws {
        let place = StoreKind.postgres.newPlace(), logger = Logger(label: "test.migration")
        let (url, holder) = try await StoreKind.connect(to: place, id: 1, logger: logger)
        do {
            try await holder.query("BEGIN", logger: logger)
            _ = try await holder.query("SELECT pg_advisory_xact_lock(\(PostgresEventStore.migrationLockKey), hashtext(\(url.schema)))", logger: logger).collect()
            // Stuck: three waits of 0.3 s, then an error that says what holds it up.
            do {
                try await PostgresEventStore.migrate(url, logger: logger, lockTimeout: .milliseconds(300), patience: .seconds(1))
                Issue.record("migrated past a held lock")
            } catch {
                #expect("\(error)".contains("migration lock for 1 s"), "got \(error)")
            }
            // Slow: the other node finishes after 1 s, three of this store's waits.
            let release = Task {
                try await Task.sleep(for: .seconds(1))
                try await holder.query("COMMIT", logger: logger)
            }
            try await PostgresEventStore.migrate(url, logger: logger, lockTimeout: .milliseconds(300), patience: .seconds(20))
            try await release.value
            let store = try StoreKind.postgres.open(place)
            #expect(try await store.list(EventQuery()).isEmpty)
            await store.close()
        } catch {
            Issue.record(error)
        }
        try await holder.close()
    }
}
