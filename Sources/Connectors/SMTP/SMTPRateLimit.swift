/// A token bucket per server: at most `perSecond` messages a second on average, `burst` at once after a quiet
/// spell (the generic cell rate algorithm: each caller reserves the next free instant, then sleeps until it).
///
/// ```swift
/// let limit = SMTPRateLimit(perSecond: 50, burst: 10)
/// try await limit.acquire()  // before each message
/// ```
public actor SMTPRateLimit<C: Clock> where C.Duration == Duration {
    let clock: C
    let interval: Duration
    let tolerance: Duration
    /// The theoretical arrival time of the next message.
    var next: C.Instant?

    public init(perSecond: Double, burst: Int = 1, clock: C) {
        precondition(perSecond > 0, "a rate limit needs a positive rate")
        let interval = Duration.nanoseconds(Int64(1e9 / perSecond))
        self.clock = clock
        self.interval = interval
        self.tolerance = interval * max(0, burst - 1)
    }

    /// Waits until one more message may go (honours cancellation).
    public func acquire() async throws {
        let now = clock.now
        let due = max(next ?? now, now)
        let allowed = due.advanced(by: .zero - tolerance)
        next = due.advanced(by: interval)
        if allowed > now {
            try await clock.sleep(until: allowed, tolerance: nil)
        }
    }

    /// Takes the slot of one more message if it may go now, without waiting; false when it would have to wait.
    public func tryAcquire() -> Bool {
        let now = clock.now
        let due = max(next ?? now, now)
        guard due.advanced(by: .zero - tolerance) <= now else { return false }
        next = due.advanced(by: interval)
        return true
    }
}

extension SMTPRateLimit where C == ContinuousClock {
    public init(perSecond: Double, burst: Int = 1) {
        self.init(perSecond: perSecond, burst: burst, clock: ContinuousClock())
    }
}
