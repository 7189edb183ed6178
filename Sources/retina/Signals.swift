import Foundation

/// Waits for SIGINT or SIGTERM (or a time limit) so a command can stop gracefully.
enum Signals {
    /// Signal sources live as long as the process does.
    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []

    /// Returns the name of the signal that arrived, or nil when `limit` seconds passed first.
    static func waitForTermination(limit: Double?) async -> String? {
        let (stream, continuation) = AsyncStream<String?>.makeStream()
        let queue = DispatchQueue(label: "retina.signals")
        for (number, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { continuation.yield(name) }
            source.resume()
            sources.append(source)
        }
        if let limit {
            queue.asyncAfter(deadline: .now() + limit) { continuation.yield(nil) }
        }
        for await name in stream { return name }
        return nil
    }
}
