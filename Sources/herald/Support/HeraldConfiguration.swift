import Foundation
import Scheduling

#if canImport(Glibc)
import Glibc
#endif

/// Herald's settings, read once from the environment at the edge and passed down.
struct HeraldConfiguration: Sendable {
    /// `DATABASE_URL`: an existing PostgreSQL server; when nil, Herald runs its own cluster.
    var databaseURL: String?
    /// `HERALD_HOME`: where Herald keeps its own cluster (`pg/`).
    /// Defaults to `~/.herald`, or `/var/lib/herald` as root (the `postgres` user cannot enter `/root`).
    var home: URL
    /// `HERALD_WORKSPACE`: the workspace the CLI works in (default `default`).
    var workspace: String
    /// `HERALD_LOG_LEVEL`: trace, debug, info, notice, warning (default), error, critical.
    var logLevel: String
    /// `HERALD_CLOCK`: `scaled:<origin epoch>:<start ISO 8601>:<rate>` runs time fast-forwarded
    /// (shared by every process given the same value); the wall clock otherwise.
    var clock: any HeraldClock
    /// `HERALD_FAULT_PUBLISH_PAUSE_MS`: fault injection for crash tests, a pause inside publishing.
    var publishPause: Duration?

    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        let url = environment["DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
        databaseURL = url
        if let home = environment["HERALD_HOME"], !home.isEmpty {
            self.home = URL(fileURLWithPath: home)
        } else if getuid() == 0 {
            home = URL(fileURLWithPath: "/var/lib/herald")
        } else {
            home = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".herald")
        }
        workspace = environment["HERALD_WORKSPACE"].flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        logLevel = environment["HERALD_LOG_LEVEL"] ?? "warning"
        clock = ScaledClock(environment: environment["HERALD_CLOCK"]) ?? SystemClock()
        publishPause = environment["HERALD_FAULT_PUBLISH_PAUSE_MS"].flatMap(Int.init).map { .milliseconds($0) }
    }

    /// The folder of the embedded cluster.
    var clusterDirectory: URL { home.appendingPathComponent("pg") }
}
