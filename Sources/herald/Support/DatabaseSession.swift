import EmbeddedPostgres
import Foundation
import HeraldCore
import Logging
import Storage

/// Opens Herald's database for a command: `DATABASE_URL` if set, else the embedded cluster
/// (started on demand), migrated, with the CLI's workspace.
struct DatabaseSession {
    let configuration: HeraldConfiguration
    let logger: Logger

    /// The database to connect to, starting the embedded cluster when there is no `DATABASE_URL`.
    func resolve() async throws -> DatabaseConfiguration {
        if let url = configuration.databaseURL {
            return try DatabaseConfiguration(url: url)
        }
        let cluster = try await embeddedCluster()
        try await cluster.start()
        let database = try DatabaseConfiguration(url: try cluster.url(database: "herald"))
        try await Database.createDatabaseIfMissing(database, logger: logger)
        return database
    }

    /// The embedded cluster under `HERALD_HOME`.
    func embeddedCluster() async throws -> EmbeddedCluster {
        EmbeddedCluster(
            directory: configuration.clusterDirectory,
            binaries: try await PostgresBinaries.locate(),
            logger: logger
        )
    }

    /// Where the database is now, read again before a pool reconnects after an outage: the embedded cluster's current
    /// address (`postmaster.pid`, else `cluster.json`), since a restart may have moved it to another port; nil with
    /// `DATABASE_URL`, which does not move.
    func address() async throws -> (@Sendable () async -> DatabaseConfiguration?)? {
        guard configuration.databaseURL == nil else { return nil }
        let cluster = try await embeddedCluster()
        return { try? DatabaseConfiguration(url: try cluster.url(database: "herald")) }
    }

    /// Runs `body` with the migrated database and the CLI workspace's id.
    func run<Result: Sendable>(_ body: (Database, WorkspaceID) async throws -> Result) async throws -> Result {
        let target = try await resolve()
        return try await Database.withDatabase(target, logger: logger, address: try await address()) { database in
            try await Migrator(migrations: try Migration.bundled()).migrate(database)
            let workspaces = WorkspaceStore(database)
            let workspace = try await workspaces.ensure(slug: configuration.workspace)
            do {
                return try await body(database, workspace)
            } catch let error as NotFoundError where error.kind == "campaign" {
                // The campaign may be in another workspace: say which, and how to name it.
                let elsewhere = try await workspaces.slugs(havingCampaign: error.id).filter { $0 != configuration.workspace }
                guard let other = elsewhere.first else { throw error }
                throw CommandFailure(
                    message: "campaign \"\(error.id)\" is not in workspace \"\(configuration.workspace)\"; it is in "
                        + (elsewhere.count == 1 ? "workspace \"\(other)\"" : "workspaces \(elsewhere.map { "\"\($0)\"" }.joined(separator: ", "))")
                        + ": pass --workspace \(other) (or set HERALD_WORKSPACE=\(other))"
                )
            } catch let errors as ValidationErrors where errors.errors.contains(where: { $0.field == "variant_id" }) {
                throw try await Self.namingWorkspaces(of: errors, in: workspaces, current: configuration.workspace)
            }
        }
    }

    /// `errors` with each unknown `variant_id` that is a variant of another workspace named with that workspace and how
    /// to reach it (the reason of such an error begins with the variant's id).
    static func namingWorkspaces(of errors: ValidationErrors, in workspaces: WorkspaceStore, current: String) async throws -> ValidationErrors {
        func variant(_ error: ValidationError) -> UUID? {
            guard error.field == "variant_id", let first = error.reason.split(separator: " ").first else { return nil }
            return UUID(uuidString: String(first))
        }
        let elsewhere = try await workspaces.slugs(havingVariants: errors.errors.compactMap(variant)).filter { $0.value != current }
        var named = errors
        named.errors = errors.errors.map { error in
            guard let id = variant(error), let other = elsewhere[id] else { return error }
            var error = error
            error.reason =
                "\(id.uuidString.lowercased()) is not a variant of workspace \"\(current)\"; it is in workspace \"\(other)\": "
                + "pass --workspace \(other) (or set HERALD_WORKSPACE=\(other))"
            return error
        }
        return named
    }
}
