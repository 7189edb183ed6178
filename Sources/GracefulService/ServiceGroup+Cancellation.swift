import ServiceLifecycle

extension ServiceGroup {
    /// Runs the group until it ends; cancelling the calling task shuts it down gracefully (open
    /// requests finish, connections close) instead of cutting requests off, because the group runs
    /// in a task of its own and only sees the cancellation as a shutdown request.
    public func runShuttingDownOnCancel() async throws {
        let runner = Task { try await run() }
        try await withTaskCancellationHandler {
            try await runner.value
        } onCancel: {
            Task { await triggerGracefulShutdown() }
        }
    }
}
