/// Waits until `condition` holds, checking every `interval`, for at most `timeout`.
///
/// The timeout is an upper bound for a test that would otherwise hang, not a speed requirement: keep it
/// generous (machines running the suite can be very busy).
///
/// - Returns: Whether the condition held before the timeout.
@discardableResult
public func waitUntil(
    timeout: Duration = .seconds(120),
    every interval: Duration = .milliseconds(50),
    _ condition: () async throws -> Bool
) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: interval)
    }
    return false
}
