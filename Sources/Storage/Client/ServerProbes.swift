import Logging

/// One probe of a server at a time for the whole process, its result shared for ``PoolSupervisor/probeInterval``.
///
/// Every pool whose operations wait for a connection probes its server; a process with many pools on one server (a
/// test suite, a bench) would otherwise open a probe connection per pool every interval, and on a busy server those
/// connections are what makes it busier. Only a success or a connection-level failure (refused, no answer) is shared:
/// a failure about one database (dropped, wrong credentials) says nothing about the others on the server.
actor ServerProbes {
    static let shared = ServerProbes()

    private var recent: [String: (at: ContinuousClock.Instant, outage: DatabaseUnavailable?)] = [:]
    private var running: [String: Task<DatabaseUnavailable?, Never>] = [:]

    /// The server's state: a recent shared result, the probe running now, or a new probe.
    func probe(_ configuration: DatabaseConfiguration, logger: Logger) async -> DatabaseUnavailable? {
        let key = "\(configuration.host):\(configuration.port)"
        if let last = recent[key], ContinuousClock.now - last.at < PoolSupervisor.probeInterval { return last.outage }
        if let task = running[key] {
            let outage = await task.value
            // Another database's own failure is no answer for this one: probe it then.
            guard let outage, !Self.isServerWide(outage) else { return outage }
            return await PoolSupervisor.probe(configuration, logger: logger)
        }
        let task = Task { await PoolSupervisor.probe(configuration, logger: logger) }
        running[key] = task
        let outage = await task.value
        running[key] = nil
        if outage == nil || outage.map(Self.isServerWide) == true { recent[key] = (.now, outage) }
        return outage
    }

    /// Whether a probe's failure is about the server (it refuses, does not answer, or is full), not one database.
    static func isServerWide(_ outage: DatabaseUnavailable) -> Bool {
        outage.isOverload || outage.reason.contains("refuses connections") || PoolSupervisor.isTimeout(outage)
    }
}
