import PostgresNIO
import Synchronization

/// Hands a leased connection from the task that holds the lease to the task that uses it, and back.
///
/// The pool lends a connection for a closure's lifetime. So that waiting for the lease can be given up (when the
/// database turns out to be unreachable) while the work itself runs in the caller's task, a child task holds the lease
/// and waits inside it until the caller has finished: ``deliver(_:)`` passes the connection over,
/// ``waitUntilReturned()`` keeps the lease until ``returned()``. Whichever of ``deliver(_:)`` and ``fail(_:)`` comes
/// first decides what ``connection()`` gives.
final class ConnectionHandoff: Sendable {
    private enum State {
        case waiting(CheckedContinuation<PostgresConnection, any Error>?)
        case delivered(PostgresConnection)
        case failed(any Error)
        case taken
    }

    private let state = Mutex<State>(.waiting(nil))
    private let done = Mutex<(returned: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))

    /// Offers the leased connection; false when the caller gave up meanwhile (the holder then returns the lease at once).
    func deliver(_ connection: PostgresConnection) -> Bool {
        let resume = state.withLock { state -> (CheckedContinuation<PostgresConnection, any Error>?, Bool) in
            switch state {
            case .waiting(let continuation):
                if let continuation {
                    state = .taken
                    return (continuation, true)
                }
                state = .delivered(connection)
                return (nil, true)
            case .delivered, .failed, .taken:
                return (nil, false)
            }
        }
        resume.0?.resume(returning: connection)
        return resume.1
    }

    /// Ends the wait with `error`, unless a connection was delivered first.
    func fail(_ error: any Error) {
        let continuation = state.withLock { state -> CheckedContinuation<PostgresConnection, any Error>? in
            guard case .waiting(let continuation) = state else { return nil }
            state = continuation == nil ? .failed(error) : .taken
            return continuation
        }
        continuation?.resume(throwing: error)
    }

    /// The connection, once delivered; throws what ``fail(_:)`` was given, or `CancellationError` when the caller's task
    /// is cancelled first.
    func connection() async throws -> PostgresConnection {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let outcome = state.withLock { state -> Result<PostgresConnection, any Error>? in
                    switch state {
                    case .waiting:
                        state = .waiting(continuation)
                        return nil
                    case .delivered(let connection):
                        state = .taken
                        return .success(connection)
                    case .failed(let error):
                        state = .taken
                        return .failure(error)
                    case .taken:
                        return .failure(CancellationError())
                    }
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            fail(CancellationError())
        }
    }

    /// Keeps the lease until ``returned()`` (cancellation does not end this wait: the caller may still use the connection).
    func waitUntilReturned() async {
        await withCheckedContinuation { continuation in
            let returnedAlready = done.withLock { done -> Bool in
                if done.returned { return true }
                done.waiter = continuation
                return false
            }
            if returnedAlready { continuation.resume() }
        }
    }

    /// The caller has finished with the connection: the holder may return it to the pool.
    func returned() {
        let waiter = done.withLock { done -> CheckedContinuation<Void, Never>? in
            done.returned = true
            defer { done.waiter = nil }
            return done.waiter
        }
        waiter?.resume()
    }
}
