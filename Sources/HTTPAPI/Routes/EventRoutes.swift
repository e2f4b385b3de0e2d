import Foundation
import HeraldCore
import Hummingbird
import NIOCore
import Storage

/// `POST /v1/events`: a JSON array or NDJSON of engagement events, atomic per batch, idempotent by event id.
struct EventRoutes {
    let database: Database
    let settings: ServerSettings
    let metrics: ServiceMetrics

    func add(to group: RouterGroup<APIContext>) {
        group.post("events", use: ingest)
    }

    /// Answers 202 `{"accepted", "duplicates"}` only after the batch is committed; a batch with any
    /// bad row is refused whole (422, every bad row named) and writes nothing. When the database cannot be reached or
    /// does not finish within ``ServerSettings/ingestDeadline``, answers 503 with `Retry-After` having written nothing.
    @Sendable func ingest(_ request: Request, context: APIContext) async throws -> Response {
        let workspace = try context.requirePrincipal().workspace
        let buffer = try await JSONBody.bytes(of: request, limit: settings.maximumBodyBytes)
        let result: IngestResult
        do {
            // Bound by a deadline: past it the batch is rolled back and answered 503, so it is never written after
            // the client was answered (or gave up).
            result = try await EventIngestor(database.limited(by: settings.ingestDeadline), workspace: workspace)
                .ingest(json: Array(buffer.readableBytesView), maximumRows: settings.maximumBatchRows, now: Date())
        } catch let unreadable as EventIngestor.UnreadableBody {
            throw APIError.badRequest(unreadable.description)
        } catch let rejected as EventIngestor.RejectedBatch {
            metrics.recordRejected(rejected.rows)
            throw rejected.errors
        }
        metrics.recordIngest(accepted: result.accepted, duplicates: result.duplicates)
        return try JSONResponse.make(IngestResponse(result), status: .accepted)
    }
}
