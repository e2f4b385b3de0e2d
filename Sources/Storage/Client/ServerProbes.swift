import Synchronization

/// When each server last answered a probe, for the whole process.
///
/// Every pool whose operations wait for a connection probes its server; a process with many pools on one server (a
/// test suite, a bench) would otherwise open a probe connection per pool every interval, and on a busy server those
/// connections are what makes it busier. A pool that finds a success on its server younger than
/// ``PoolSupervisor/probeInterval`` takes it instead of probing. Only successes are shared: a failure may be about one
/// database (dropped, wrong credentials), and each pool's own probe runs in that pool's task, so that closing a pool
/// leaves no probe connection behind (one on a template database would block `CREATE DATABASE … TEMPLATE`).
enum ServerProbes {
    private static let successes = Mutex<[String: ContinuousClock.Instant]>([:])

    /// Whether a server answered a probe within ``PoolSupervisor/probeInterval``.
    static func answeredRecently(_ configuration: DatabaseConfiguration) -> Bool {
        let key = key(configuration)
        return successes.withLock { successes in
            guard let at = successes[key] else { return false }
            return ContinuousClock.now - at < PoolSupervisor.probeInterval
        }
    }

    /// Records that a server answered a probe now.
    static func answered(_ configuration: DatabaseConfiguration) {
        let key = key(configuration)
        successes.withLock { $0[key] = .now }
    }

    private static func key(_ configuration: DatabaseConfiguration) -> String {
        "\(configuration.host):\(configuration.port)"
    }
}
