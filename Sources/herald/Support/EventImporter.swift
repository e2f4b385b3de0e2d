import Foundation
import HeraldCore
import Logging
import Storage

/// Loads an events CSV into the database, all rows or none: rows are checked while the checked ones travel
/// by COPY (see ``EventStore/ingest(chunks:campaigns:progress:)``).
struct EventImporter {
    let database: Database
    let workspace: WorkspaceID

    /// Imports `file`; nothing is written when any row is bad.
    ///
    /// Rows are read and checked a chunk at a time while the ids already checked travel to the database
    /// (see ``EventStore/ingest(chunks:campaigns:progress:)``), so reading overlaps with writing.
    ///
    /// - Parameters:
    ///   - file: The CSV file.
    ///   - now: The current time, which bounds `occurred_at`.
    ///   - showProgress: Draw progress bars on a terminal.
    /// - Throws: ``ValidationErrors`` naming bad rows by line (`events.csv:17: ...`).
    func importFile(_ file: URL, now: Date, showProgress: Bool) async throws -> EventStore.IngestResult {
        let name = file.lastPathComponent
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw HeraldCore.ValidationError(location: file.path, field: "", reason: "cannot read the file (does it exist?)")
        }
        let store = EventStore(database, workspace: workspace)
        let started = ContinuousClock.now
        let campaigns = try await store.variantCampaigns()
        var reader = try EventCSV.Reader(
            bytes: [UInt8](data), source: name, policy: EventAcceptancePolicy(now: now), isKnownVariant: { campaigns[$0] != nil }
        )
        let result = try await store.ingest(
            chunks: {
                let chunk = try reader.next(upTo: 8_192)
                if showProgress { Terminal.progress("checking ", reader.progress) }
                return chunk
            },
            campaigns: campaigns,
            progress: { fraction in if showProgress { Terminal.progress("importing", fraction) } }
        )
        database.logger.debug(
            "imported events",
            metadata: ["herald.rows": "\(result.accepted + result.duplicates)", "herald.seconds": "\(ContinuousClock.now - started)"]
        )
        return result
    }
}
