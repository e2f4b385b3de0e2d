import Foundation

/// When a failed job runs again: exponential backoff with jitter.
///
/// The delay before attempt n + 1 is min(cap, base · 2^(n−1)) scaled by a random factor in
/// [1 − jitter, 1], so a burst of failures does not retry in lockstep ("equal jitter").
public struct RetryPolicy: Sendable, Equatable {
    /// The delay after the first failure, before jitter.
    public var base: TimeInterval
    /// The longest delay.
    public var cap: TimeInterval
    /// The fraction of the delay that is random, 0...1.
    public var jitter: Double

    public init(base: TimeInterval = 2, cap: TimeInterval = 3_600, jitter: Double = 0.5) {
        precondition(base > 0 && cap >= base && (0...1).contains(jitter))
        self.base = base
        self.cap = cap
        self.jitter = jitter
    }

    /// The delay after `attempt` (1-based) has failed.
    public func delay(afterAttempt attempt: Int, using generator: inout some RandomNumberGenerator) -> TimeInterval {
        let exponent = Double(max(0, min(attempt - 1, 62)))
        let full = min(cap, base * pow(2, exponent))
        return full * (1 - jitter * Double.random(in: 0...1, using: &generator))
    }
}
