/// How many failed bearer-token attempts are allowed before further attempts are refused with `429`: at most
/// ``failures`` per ``window``, counted apart per client address and per token prefix.
public struct TokenAttemptLimit: Sendable, Equatable {
    /// Failed attempts allowed in a window, from one client address (an IPv6 client counts by its /64) or for one token
    /// prefix (`hrld_` and six characters); zero turns the limit off.
    public var failures: Int
    /// The window the failures are counted over; the allowance refills evenly across it.
    public var window: Duration

    /// A limit of `failures` failed attempts per `window` (by default 20 a minute).
    public init(failures: Int = 20, window: Duration = .seconds(60)) {
        self.failures = failures
        self.window = window
    }
}
