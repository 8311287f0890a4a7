import ServiceLifecycle

extension ClientPortServer: Service {
    /// Serves until the service group shuts down gracefully, then drains open calls.
    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await self.serve()
        } onGracefulShutdown: {
            self.beginGracefulShutdown()
        }
    }
}
