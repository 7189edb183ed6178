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
        let url = try PostgresURL(busy)
        let logger = Logger(label: "test.migration")
        let config = PostgresConnection.Configuration(host: url.host, port: url.port, username: url.user, password: url.password,
                                                      database: url.database, tls: .disable)
        // Another node in the middle of making `busy`'s schema: it holds that schema's lock.
        let holder = try await PostgresConnection.connect(configuration: config, id: 1, logger: logger)
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
}
