import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// SIGHUP as a service: each one runs `reload`; several arriving during one reload make one more.
/// Made (`trappingHangups`) before the services it reloads start: from then on SIGHUP reloads
/// instead of ending the process.
public struct HangupService: Service {
    private let signals: UnixSignalsSequence
    private let reload: @Sendable () async -> Void

    public static func trappingHangups(reload: @escaping @Sendable () async -> Void) async -> HangupService {
        signal(SIGHUP, SIG_IGN)
        return HangupService(signals: await UnixSignalsSequence(trapping: .sighup), reload: reload)
    }

    public func run() async {
        let (requests, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let forward = Task { [signals] in
            for await _ in signals { continuation.yield() }
        }
        defer { forward.cancel() }
        for await _ in requests.cancelOnGracefulShutdown() { await reload() }
    }
}

/// `--duration`: shuts the group down gracefully after `seconds` (unless it is shutting down already).
public struct TimeLimit: Service {
    public let seconds: Double
    let logger: Logger

    public init(seconds: Double, logger: Logger) {
        self.seconds = seconds
        self.logger = logger
    }

    public func run() async {
        let seconds = seconds
        let reached: Bool = await cancelWhenGracefulShutdown {
            do { try await Task.sleep(for: .seconds(seconds)) } catch { return false }
            return true
        }
        if reached { logger.info("time limit reached (\(seconds) s)") }
    }
}

/// A server whose `run` stops gracefully when its task is cancelled (the office, metrics), as a
/// service of a group: a graceful shutdown of the group cancels it.
public struct CancellingService: Service, CustomStringConvertible {
    public let description: String
    private let body: @Sendable () async throws -> Void

    public init(_ name: String, _ body: @escaping @Sendable () async throws -> Void) {
        description = name
        self.body = body
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown(body)
    }
}

extension ServiceGroup {
    /// The services of one process, shut down gracefully on SIGINT or SIGTERM, last one first: each
    /// entry says what its ending (successful or not) does to the rest.
    public static func process(_ services: [ServiceGroupConfiguration.ServiceConfiguration], logger: Logger) -> ServiceGroup {
        var configuration = ServiceGroupConfiguration(services: services, logger: logger)
        configuration.gracefulShutdownSignals = [.sigterm, .sigint]
        return ServiceGroup(configuration: configuration)
    }
}
