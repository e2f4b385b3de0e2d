import Logging
import ServiceLifecycle
import UnixSignals

extension ServiceGroup {
    /// Runs `services` together until SIGTERM/SIGINT, then shuts them down gracefully.
    static func runUntilSignalled(_ services: [any Service], logger: Logger) async throws {
        let group = ServiceGroup(
            configuration: .init(
                services: services.map { .init(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await group.run()
    }
}
