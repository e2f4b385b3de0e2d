import Foundation
import HeraldCore
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import PostgresNIO
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
    /// bad row is refused whole (422, every bad row named) and writes nothing.
    @Sendable func ingest(_ request: Request, context: APIContext) async throws -> Response {
        let workspace = try context.requirePrincipal().workspace
        let buffer = try await JSONBody.bytes(of: request, limit: settings.maximumBodyBytes)
        let rows: [EventJSON.Row]
        do {
            rows = try EventJSON.rows(from: Array(buffer.readableBytesView), maximumRows: settings.maximumBatchRows)
        } catch let errors as ValidationErrors {
            // The body as a whole is unreadable (not JSON, not UTF-8): a bad request, not a bad row.
            throw APIError.badRequest("the request body \(errors.errors.first?.reason ?? "is not readable")")
        }
        let store = EventStore(database, workspace: workspace)
        let campaigns = try await store.campaigns(among: EventJSON.variantIDs(in: rows))
        let events: [EngagementEvent]
        do {
            events = try EventJSON.events(rows, policy: EventAcceptancePolicy(now: Date()), isKnownVariant: { campaigns[$0] != nil })
        } catch {
            metrics.recordRejected(rows.count)
            throw error
        }
        let result = try await store.ingest(events, campaigns: campaigns)
        metrics.recordIngest(accepted: result.accepted, duplicates: result.duplicates)
        return try JSONResponse.make(result, status: .accepted)
    }
}
