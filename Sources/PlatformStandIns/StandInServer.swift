import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// Runs a local stand-in for a platform (a Hummingbird router on a free loopback port) for the length of a closure.
///
/// Stand-ins follow their platform's published API (endpoints, auth headers, error bodies, rate-limit headers,
/// idempotency) so connectors can be tested and benchmarked without the real service, which this machine cannot reach.
public enum StandInServer {
    /// Serves `router` on 127.0.0.1 (port 0: a free one), runs `body` with the base URL (`http://127.0.0.1:<port>`),
    /// then shuts the server down gracefully.
    public static func run<T: Sendable>(
        _ router: Router<BasicRequestContext>,
        logger: Logger = Logger(label: "herald.stand-in"),
        _ body: (String) async throws -> T
    ) async throws -> T {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let application = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "herald-stand-in"),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) },
            logger: logger
        )
        let services = ServiceGroup(configuration: .init(services: [application], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await services.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next(), port > 0 else {
                await services.triggerGracefulShutdown()
                throw StandInError("the stand-in server did not start")
            }
            let result: T
            do {
                result = try await body("http://127.0.0.1:\(port)")
            } catch {
                await services.triggerGracefulShutdown()
                try? await group.waitForAll()
                throw error
            }
            await services.triggerGracefulShutdown()
            try await group.waitForAll()
            return result
        }
    }
}

/// A stand-in that could not do what a test asked.
public struct StandInError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
