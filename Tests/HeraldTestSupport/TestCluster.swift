import EmbeddedPostgres
import Foundation
import Logging
import Storage

/// A PostgreSQL cluster of one test's own, that the test may stop, start and move while servers use it (the shared
/// throwaway cluster of ``TestDatabase`` must stay up for every other test).
///
/// It holds one migrated database, `herald`. Stopped and removed by ``with(_:)`` when the test ends.
public struct TestCluster: Sendable {
    /// The cluster.
    public let cluster: EmbeddedCluster

    /// Where its `herald` database is now (the cluster's current port).
    public func configuration() throws -> DatabaseConfiguration {
        try DatabaseConfiguration(url: try cluster.url(database: "herald"), maximumConnections: 8)
    }

    /// Reads the cluster's address as `herald serve` does, for ``Database/withDatabase(_:logger:address:_:)``.
    public var address: @Sendable () async -> DatabaseConfiguration? {
        let cluster = self.cluster
        return { try? DatabaseConfiguration(url: try cluster.url(database: "herald")) }
    }

    /// The port clients use now: the running server's, else the one in `cluster.json`.
    public func port() throws -> Int {
        try configuration().port
    }

    /// Starts the server (on its port unless another program holds it).
    public func start() async throws {
        try await cluster.start()
    }

    /// Stops the server (fast shutdown: sessions are ended).
    public func stop() async throws {
        try await cluster.stop()
    }

    /// Runs `body` with a new cluster whose `herald` database is migrated; stops and removes it afterwards.
    public static func with<Result: Sendable>(_ body: (TestCluster) async throws -> Result) async throws -> Result {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("herald-cluster-\(UUID().uuidString.prefix(8))")
        let cluster = EmbeddedCluster(
            directory: directory,
            binaries: try await PostgresBinaries.locate(),
            options: .init(unsafeFastWrites: true, maxConnections: 60),
            logger: TestDatabase.logger
        )
        let testCluster = TestCluster(cluster: cluster)
        do {
            try await cluster.start()
            let configuration = try testCluster.configuration()
            try await Database.createDatabaseIfMissing(configuration, logger: TestDatabase.logger)
            try await Database.withDatabase(configuration, logger: TestDatabase.logger) { database in
                _ = try await Migrator(migrations: try Migration.bundled()).migrate(database)
            }
            let result = try await body(testCluster)
            try? await cluster.stop()
            try? FileManager.default.removeItem(at: directory)
            return result
        } catch {
            try? await cluster.stop()
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
    }
}
