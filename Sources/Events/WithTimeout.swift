import Foundation
import Synchronization

/// Fails with a clear message when `body` takes longer than `seconds` (an unreachable server
/// otherwise leaves the connection pool retrying quietly). It returns then without waiting for
/// `body`, which is cancelled: a query blocked in the server does not notice cancellation, and a task
/// group would wait for it.
func withTimeout<T: Sendable>(seconds: Double, what: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let once = ResumeOnce(continuation)
        let work = Task {
            do { once.resume(.success(try await body())) } catch { once.resume(.failure(error)) }
        }
        Task {
            try? await Task.sleep(for: .seconds(seconds))
            work.cancel()
            let shown = seconds.rounded() == seconds ? "\(Int(seconds))" : "\(seconds)"
            once.resume(.failure(StoreError.sql("timed out after \(shown) s \(what)")))
        }
    }
}

/// A continuation that the first of several racers resumes.
private final class ResumeOnce<T: Sendable>: Sendable {
    private let continuation: Mutex<CheckedContinuation<T, Error>?>
    init(_ c: CheckedContinuation<T, Error>) { continuation = Mutex(c) }
    func resume(_ result: Result<T, Error>) { continuation.withLock { c in c.take() }?.resume(with: result) }
}
