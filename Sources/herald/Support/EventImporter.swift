import Foundation
import HeraldCore
import Logging
import Storage

/// Loads an events CSV file through the ``EventIngestor``, all rows or none, with progress bars on a terminal.
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
    func importFile(_ file: URL, now: Date, showProgress: Bool) async throws -> IngestResult {
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw HeraldCore.ValidationError(location: file.path, field: "", reason: "cannot read the file (does it exist?)")
        }
        let started = ContinuousClock.now
        let result = try await EventIngestor(database, workspace: workspace).ingest(
            csv: [UInt8](data),
            source: file.lastPathComponent,
            now: now,
            checking: { fraction in if showProgress { Terminal.progress("checking ", fraction) } },
            sending: { fraction in if showProgress { Terminal.progress("importing", fraction) } }
        )
        database.logger.debug(
            "imported events",
            metadata: ["herald.rows": "\(result.accepted + result.duplicates)", "herald.seconds": "\(ContinuousClock.now - started)"]
        )
        return result
    }
}
