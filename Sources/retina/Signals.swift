import Foundation

/// Waits for SIGINT or SIGTERM (or a time limit) so a command can stop gracefully.
enum Signals {
    /// Signal sources live as long as the process does.
    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []
    nonisolated(unsafe) private static var timers: [any DispatchSourceTimer] = []

    /// Returns the name of the signal that arrived, or nil when `limit` seconds passed first, or
    /// what `check` (asked every 250 ms) said first: a reason to stop that is not a signal.
    static func waitForTermination(limit: Double?, check: (@Sendable () -> String?)? = nil) async -> String? {
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
        if let check {
            let timer = DispatchSource.makeTimerSource(queue: queue)
            timer.schedule(deadline: .now() + 0.25, repeating: 0.25)
            timer.setEventHandler { if let reason = check() { continuation.yield(reason) } }
            timer.resume()
            timers.append(timer)
        }
        for await name in stream { return name }
        return nil
    }

    /// SIGHUP as a stream of reload requests. Installed when called, so from then on a SIGHUP
    /// reloads instead of ending the process; several arriving during one reload make one more.
    static func reloadRequests() -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        signal(SIGHUP, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: DispatchQueue(label: "retina.signals.reload"))
        source.setEventHandler { continuation.yield() }
        source.resume()
        sources.append(source)
        return stream
    }
}
