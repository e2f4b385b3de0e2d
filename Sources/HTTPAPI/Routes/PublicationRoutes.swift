import Foundation
import HeraldCore
import Hummingbird
import Jobs
import Storage

/// Publications with their tracking links, and analyses: `/v1/campaigns/{campaign}/publications|analyses`.
struct PublicationRoutes {
    let database: Database
    let settings: ServerSettings

    func add(to group: RouterGroup<APIContext>) {
        group.get("campaigns/{campaign}/publications", use: list)
        group.post("campaigns/{campaign}/publications", use: create)
        group.get("campaigns/{campaign}/analyses", use: analyses)
        group.post("campaigns/{campaign}/analyses", use: analyze)
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
