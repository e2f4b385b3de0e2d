import Foundation
import HeraldCore
import Hummingbird
import Jobs
import Storage

/// Publications with their tracking links, and analyses: `/v1/campaigns/{campaign}/publications|analyses`; the
/// workspace's publications (`GET /v1/publications?state=&campaign=`) and sending one again
/// (`POST /v1/publications/{publication}/retry`).
struct PublicationRoutes {
    let database: Database
    let settings: ServerSettings

    func add(to group: RouterGroup<APIContext>) {
        group.get("campaigns/{campaign}/publications", use: list)
        group.post("campaigns/{campaign}/publications", use: create)
        group.get("campaigns/{campaign}/analyses", use: analyses)
        group.post("campaigns/{campaign}/analyses", use: analyze)
        group.get("publications", use: listWorkspace)
        group.post("publications/{publication}/retry", use: retry)
    }

    /// The workspace's publications, newest first; `?state=failed` (one of the publication states) and
    /// `?campaign=<slug or id>` narrow them, `?limit=` (1 to 5000, default 500) caps them.
    @Sendable func listWorkspace(_ request: Request, context: APIContext) async throws -> PublicationsResponse {
        let workspace = try context.requirePrincipal().workspace
        let query = request.uri.queryParameters
        let state = try query["state"].map { text throws(ValidationError) in try PublicationState(parsing: String(text), field: "state") }
        var campaign: CampaignID?
        if let reference = query["campaign"] {
            campaign = try await CampaignStore(database, workspace: workspace).find(String(reference)).id
        }
        var limit = 500
        if let text = query["limit"] {
            guard let number = Int(String(text)), (1...5_000).contains(number) else {
                throw ValidationError(field: "limit", reason: "\"\(text)\" is not a whole number from 1 to 5000")
            }
            limit = number
        }
        let listed = try await PublicationStore(database).list(workspace: workspace, campaign: campaign, state: state, limit: limit)
        let base = settings.baseURL(for: request)
        return PublicationsResponse(publications: listed.map { PublicationResponse($0, base: base) })
    }

    /// Sends a failed or cancelled publication again: it goes back to `scheduled` with a new publish job (earlier
    /// attempts are reconciled before anything is posted, so never a second post). 409 when its state or its campaign's
    /// does not allow it.
    @Sendable func retry(_ request: Request, context: APIContext) async throws -> PublicationResponse {
        let workspace = try context.requirePrincipal().workspace
        let text = try context.parameters.require("publication")
        guard let id = UUIDText.parse(text.lowercased()) else { throw NotFoundError(kind: "publication", id: text) }
        let store = PublicationStore(database)
        try await store.retry(id, workspace: workspace)
        return PublicationResponse(try await store.listed(id, workspace: workspace), base: settings.baseURL(for: request))
    }

    @Sendable func list(_ request: Request, context: APIContext) async throws -> PublicationsResponse {
        let workspace = try context.requirePrincipal().workspace
        let campaign = try await context.campaign(in: database)
        let publications = try await PublicationStore(database).list(workspace: workspace, campaign: campaign.id)
        let base = settings.baseURL(for: request)
        return PublicationsResponse(publications: publications.map { PublicationResponse($0, base: base) })
    }

    /// Body: ``CreatePublicationRequest``; a repeated idempotency key returns the same publication.
    @Sendable func create(_ request: Request, context: APIContext) async throws -> EditedResponse<PublicationResponse> {
        let body = try await request.decode(as: CreatePublicationRequest.self, context: context)
        let workspace = try context.requirePrincipal().workspace
        let campaign = try await context.campaign(in: database)
        let reference = body.variant
        guard let variant = campaign.variants.first(where: { $0.key == reference || $0.id.description == reference.lowercased() }) else {
            throw ValidationError(field: "variant", reason: "\"\(reference)\" is not a variant key or id of this campaign")
        }
        let channelName = body.channel
        guard let channel = try? HeraldCore.Channel(parsing: channelName, field: "channel"), campaign.channels.contains(channel) else {
            throw ValidationError(
                field: "channel",
                reason: "\"\(channelName)\" is not one of the campaign's channels (\(campaign.channels.map(\.rawValue).joined(separator: ", ")))"
            )
        }
        let key = body.idempotencyKey ?? UUID().uuidString.lowercased()
        guard !key.isEmpty, key.utf8.count <= 200 else {
            throw ValidationError(field: "idempotency_key", reason: "must be 1 to 200 bytes")
        }
        let publication = try await CampaignFire(database: database, publicURL: settings.baseURL(for: request), logger: context.logger)
            .publication(of: variant, in: campaign, on: channel, at: body.scheduledAt ?? Date(), key: "api:\(workspace):\(key)")
        return EditedResponse(status: .created, response: PublicationResponse(publication, base: settings.baseURL(for: request)))
    }

    @Sendable func analyses(_ request: Request, context: APIContext) async throws -> AnalysesResponse {
        let workspace = try context.requirePrincipal().workspace
        let campaign = try await context.campaign(in: database)
        let stored = try await AnalysisStore(database, workspace: workspace).recent(campaign: campaign.id)
        return AnalysesResponse(analyses: stored.map(AnalysesResponse.Analysis.init))
    }

    /// Analyzes the campaign now from its rollups, stores the analysis and answers its score.
    @Sendable func analyze(_ request: Request, context: APIContext) async throws -> EditedResponse<AnalysisResponse> {
        let workspace = try context.requirePrincipal().workspace
        let campaign = try await context.campaign(in: database)
        let outcome = try await CampaignAnalysis(database: database, workspace: workspace).analyze(campaign, now: Date())
        return EditedResponse(status: .created, response: AnalysisResponse(score: outcome.score))
    }
}
