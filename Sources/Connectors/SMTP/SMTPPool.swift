import Logging
import NIOCore
import NIOPosix

/// Up to ``SMTPConfiguration/connections`` sessions with one server, opened as needed and reused across messages.
///
/// ``withConnection(_:)`` lends a connection to one sender at a time; when all are lent, callers wait their turn (in
/// order). A connection that failed in a way that leaves it unusable (silence, closed, 421) is closed and a new one is
/// opened for the next caller.
public actor SMTPPool {
    public let configuration: SMTPConfiguration
    let group: any EventLoopGroup
    let logger: Logger
    var idle: [SMTPConnection] = []
    /// Connections open or being opened, lent or idle.
    var open = 0
    var waiters: [(id: Int, continuation: CheckedContinuation<SMTPConnection?, any Error>)] = []
    var nextWaiter = 0
    var closed = false

    public init(_ configuration: SMTPConfiguration, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, logger: Logger) {
        self.configuration = configuration
        self.group = group
        self.logger = logger
    }

    /// Runs `body` with a connection of the pool, and takes it back afterwards (closing it when `body` threw an
    /// ``SMTPError`` that leaves it unusable, or any other error).
    public nonisolated func withConnection<T: Sendable>(_ body: (SMTPConnection) async throws -> T) async throws -> T {
        let connection = try await acquire()
        do {
            let result = try await body(connection)
            await release(connection)
            return result
        } catch let error as SMTPError where error.leavesConnectionUsable {
            await release(connection)
            throw error
        } catch {
            await discard(connection)
            throw error
        }
    }

    /// Closes the idle connections with QUIT; later calls fail.
    public func shutdown() async {
        closed = true
        let connections = idle
        idle = []
        open -= connections.count
        for connection in connections { await connection.quit() }
        for waiter in waiters { waiter.continuation.resume(throwing: CancellationError()) }
        waiters = []
    }

    /// How many connections are open (lent or idle) or being opened.
    public var openConnections: Int { open }

    func acquire() async throws -> SMTPConnection {
        while true {
            guard !closed else { throw SMTPError(.connect, .connectionLost("the pool is shut down"), server: configuration.server.address) }
            while let connection = idle.popLast() {
                if connection.isActive { return connection }
                open -= 1
            }
            if open < configuration.connections {
                open += 1
                do {
                    return try await SMTPConnection.connect(configuration, group: group, logger: logger)
                } catch {
                    open -= 1
                    wakeOne()
                    throw error
                }
            }
            if let connection = try await wait() { return connection }
        }
    }

    /// Waits for a connection handed over by ``release(_:)``, or nil: a slot was freed, try again.
    func wait() async throws -> SMTPConnection? {
        nextWaiter += 1
        let id = nextWaiter
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                if Task.isCancelled {
                    continuation.resume(throwing: CancellationError())
                } else {
                    waiters.append((id, continuation))
                }
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    func cancelWaiter(_ id: Int) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(throwing: CancellationError())
    }

    func release(_ connection: SMTPConnection) async {
        guard !closed, connection.isActive else {
            await discard(connection)
            return
        }
        if !waiters.isEmpty {
            waiters.removeFirst().continuation.resume(returning: connection)
        } else {
            idle.append(connection)
        }
    }

    func discard(_ connection: SMTPConnection) async {
        open -= 1
        wakeOne()
        await connection.close()
    }

    func wakeOne() {
        if !waiters.isEmpty { waiters.removeFirst().continuation.resume(returning: nil) }
    }
}
