import Foundation
import HeraldCore
import Logging
import Storage

/// Loads an events CSV into the database: parse and validate every row, then one atomic COPY.
struct EventImporter {
    let database: Database
    let workspace: WorkspaceID

    /// Imports `file`; nothing is written when any row is bad.
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
        let known = try await store.knownVariantIDs()
        let events = try EventCSV.parse(
            bytes: [UInt8](data),
            source: name,
            policy: EventAcceptancePolicy(now: now),
            isKnownVariant: { known.contains($0) },
            progress: { if showProgress { Terminal.progress("checking ", $0) } }
        )
        let parsed = ContinuousClock.now
        let result = try await store.ingest(events) { fraction in
            if showProgress { Terminal.progress("importing", fraction) }
        }
        database.logger.debug(
            "imported events",
            metadata: [
                "herald.rows": "\(events.count)", "herald.parse": "\(parsed - started)", "herald.store": "\(ContinuousClock.now - parsed)",
            ]
        )
        return result
    }
}
