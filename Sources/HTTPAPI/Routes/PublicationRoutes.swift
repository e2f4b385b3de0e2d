import Foundation
import HeraldCore
import HTTPTypes
import Hummingbird
import Jobs
import Logging
import NIOCore
import PostgresNIO
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

    /// A publication as the API shows it, with its tracking link and pixel.
    struct Item: Encodable {
        var id: UUID
        var variantID: VariantID
        var channel: String
        var scheduledAt: Date
        var status: String
        var trackingCode: String
        var clickURL: String
        var pixelURL: String

        enum CodingKeys: String, CodingKey {
            case id, channel, status
            case variantID = "variant_id"
            case scheduledAt = "scheduled_at"
            case trackingCode = "tracking_code"
            case clickURL = "click_url"
            case pixelURL = "pixel_url"
        }
    }

    func item(_ publication: Publication, base: String) -> Item {
        Item(
            id: publication.id, variantID: publication.variant, channel: publication.channel, scheduledAt: publication.scheduledAt,
            status: publication.status, trackingCode: publication.trackingCode,
            clickURL: "\(base)/r/\(publication.trackingCode)", pixelURL: "\(base)/p/\(publication.trackingCode).gif"
        )
    }

    struct Items: Encodable {
        var publications: [Item]
    }

    @Sendable func list(_ request: Request, context: APIContext) async throws -> Response {
        let workspace = try context.requirePrincipal().workspace
        let campaign = try await context.campaign(in: database)
        let publications = try await PublicationStore(database).list(workspace: workspace, campaign: campaign.id)
        return try JSONResponse.make(Items(publications: publications.map { item($0, base: settings.baseURL(for: request)) }))
    }

    /// Body: `{"variant": key or id, "channel", "scheduled_at"?, "idempotency_key"?}`; a repeated key returns the same publication.
    @Sendable func create(_ request: Request, context: APIContext) async throws -> Response {
        let body = try await JSONBody.object(
            of: request, limit: settings.maximumBodyBytes, allowed: ["variant", "channel", "scheduled_at", "idempotency_key"]
        )
        let workspace = try context.requirePrincipal().workspace
        let campaign = try await context.campaign(in: database)
        let reference = try body.requiredString("variant")
        guard let variant = campaign.variants.first(where: { $0.key == reference || $0.id.description == reference.lowercased() }) else {
            throw ValidationError(field: "variant", reason: "\"\(reference)\" is not a variant key or id of this campaign")
        }
        let channelName = try body.requiredString("channel")
        guard let channel = HeraldCore.Channel(rawValue: channelName), campaign.channels.contains(channel) else {
            throw ValidationError(
                field: "channel", reason: "\"\(channelName)\" is not one of the campaign's channels (\(campaign.channels.map(\.rawValue).joined(separator: ", ")))"
            )
        }
        let key = try body.string("idempotency_key") ?? UUID().uuidString.lowercased()
        guard !key.isEmpty, key.utf8.count <= 200 else {
            throw ValidationError(field: "idempotency_key", reason: "must be 1 to 200 bytes")
        }
        let publication = try await PublicationStore(database).create(
            workspace: workspace, campaign: campaign.id, variant: variant.id, channel: channel,
            scheduledAt: try body.timestamp("scheduled_at") ?? Date(), idempotencyKey: "api:\(workspace):\(key)"
        )
        return try JSONResponse.make(item(publication, base: settings.baseURL(for: request)), status: .created)
    }

    @Sendable func analyses(_ request: Request, context: APIContext) async throws -> Response {
        let workspace = try context.requirePrincipal().workspace
        let campaign = try await context.campaign(in: database)
        let stored = try await AnalysisStore(database, workspace: workspace).recent(campaign: campaign.id)
        // The stored result is JSON already: embed it as is.
        var body = Data(#"{"analyses":["#.utf8)
        for (index, analysis) in stored.enumerated() {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            body.append(contentsOf: #"{"id":"\#(analysis.id.uuidString.lowercased())","created_at":"\#(Timestamp.format(analysis.createdAt))","result":"#.utf8)
            body.append(contentsOf: analysis.resultJSON.utf8)
            body.append(UInt8(ascii: "}"))
        }
        body.append(contentsOf: "]}".utf8)
        return JSONResponse.raw(body)
    }

    /// Analyzes the campaign now from its rollups, stores the analysis and answers its score.
    @Sendable func analyze(_ request: Request, context: APIContext) async throws -> Response {
        let workspace = try context.requirePrincipal().workspace
        let campaign = try await context.campaign(in: database)
        let outcome = try await CampaignAnalysis(database: database, workspace: workspace).analyze(campaign, now: Date())
        return try JSONResponse.make(outcome.score, status: .created)
    }
}

