import Foundation
import HeraldCore
import Synchronization

/// The time source of schedulers and workers, injected so tests and the demo can fast-forward.
public protocol HeraldClock: Sendable {
    /// The current instant.
    func now() -> Date
    /// Suspends until `instant` (or returns at once if it has passed); throws on cancellation.
    func sleep(until instant: Date) async throws
}

extension HeraldClock {
    /// Suspends for `seconds` of this clock's time.
    public func sleep(seconds: TimeInterval) async throws {
        try await sleep(until: now().addingTimeInterval(seconds))
    }
}

/// Wall-clock time.
public struct SystemClock: HeraldClock {
    public init() {}

    public func now() -> Date { Date() }

    public func sleep(until instant: Date) async throws {
        let wait = instant.timeIntervalSinceNow
        if wait > 0 { try await Task.sleep(for: .milliseconds(Int64((wait * 1000).rounded(.up)))) }
    }
}

/// Time that runs `rate` times faster than the wall clock from a shared origin, so several
/// processes that agree on `origin`, `start` and `rate` see the same fast-forwarded time.
///
/// now = start + (wall − origin) × rate
public struct ScaledClock: HeraldClock {
    /// The wall-clock instant at which this clock reads `start`.
    public let origin: Date
    /// What the clock reads at `origin`.
    public let start: Date
    /// How many seconds of this clock pass per wall-clock second.
    public let rate: Double

    public init(origin: Date, start: Date, rate: Double) {
        precondition(rate > 0, "a clock must move forward")
        self.origin = origin
        self.start = start
        self.rate = rate
    }

    /// Reads `HERALD_CLOCK` = `scaled:<origin epoch seconds>:<start ISO 8601>:<rate>`; nil when unset.
    public init?(environment value: String?) {
        guard let value, value.hasPrefix("scaled:") else { return nil }
        let parts = value.dropFirst(7).split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let origin = Double(parts[0]) else { return nil }
        let rest = parts[1]
        guard let split = rest.lastIndex(of: ":"), let rate = Double(rest[rest.index(after: split)...]), rate > 0,
            let start = try? Timestamp.parse(rest[..<split])
        else { return nil }
        self.init(origin: Date(timeIntervalSince1970: origin), start: start, rate: rate)
    }

    public func now() -> Date {
        start.addingTimeInterval(Date().timeIntervalSince(origin) * rate)
    }

    public func sleep(until instant: Date) async throws {
        let wait = instant.timeIntervalSince(now()) / rate
        if wait > 0 { try await Task.sleep(for: .microseconds(Int64((wait * 1_000_000).rounded(.up)))) }
    }
}

/// A clock that moves only when told to: for tests that step through time.
public final class ManualClock: HeraldClock {
    private struct State {
        var now: Date
        var sleepers: [(until: Date, continuation: CheckedContinuation<Void, Never>)] = []
    }
    private let state: Mutex<State>

    public init(now: Date) {
        state = Mutex(State(now: now))
    }

    public func now() -> Date { state.withLock { $0.now } }

    /// Moves the clock to `instant` and wakes every sleeper whose time has come.
    public func advance(to instant: Date) {
        let woken = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.now = max(state.now, instant)
            let due = state.sleepers.filter { $0.until <= state.now }
            state.sleepers.removeAll { $0.until <= state.now }
            return due.map(\.continuation)
        }
        for continuation in woken { continuation.resume() }
    }

    public func sleep(until instant: Date) async throws {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Bool in
                if instant <= state.now { return true }
                state.sleepers.append((instant, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
        try Task.checkCancellation()
    }
}
