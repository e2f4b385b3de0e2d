import Foundation
import HeraldCore
import HTTPTypes
import Hummingbird
import Jobs
import Logging
import NIOCore
import PostgresNIO
import Scheduling
import Storage

/// `/v1/campaigns`, their variants and channels: every query scoped to the token's workspace.
struct CampaignRoutes {
    let database: Database
    let settings: ServerSettings

    func add(to group: RouterGroup<APIContext>) {
        group.get("campaigns", use: list)
        group.post("campaigns", use: create)
        group.get("campaigns/{campaign}", use: show)
        group.patch("campaigns/{campaign}", use: update)
        group.delete("campaigns/{campaign}", use: delete)
        group.get("campaigns/{campaign}/variants", use: variants)
        group.post("campaigns/{campaign}/variants", use: addVariant)
        group.delete("campaigns/{campaign}/variants/{variant}", use: deleteVariant)
        group.get("campaigns/{campaign}/channels", use: channels)
        group.put("campaigns/{campaign}/channels", use: setChannels)
    }

    func store(_ context: APIContext) throws -> CampaignStore {
        CampaignStore(database, workspace: try context.requirePrincipal().workspace)
    }

    func campaign(_ context: APIContext) async throws -> Campaign {
        try await context.campaign(in: database)
    }

    struct Page: Encodable {
        var campaigns: [CampaignStore.Summary]
        var nextCursor: String?

        enum CodingKeys: String, CodingKey {
            case campaigns
            case nextCursor = "next_cursor"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(campaigns, forKey: .campaigns)
            try container.encode(nextCursor, forKey: .nextCursor)
        }
    }

    @Sendable func list(_ request: Request, context: APIContext) async throws -> Response {
        let query = request.uri.queryParameters
        var limit = 50
        if let text = query["limit"] {
            guard let value = Int(text), (1...200).contains(value) else {
                throw ValidationError(field: "limit", reason: "\"\(text)\" must be a whole number from 1 to 200")
            }
            limit = value
        }
        let cursor = try query["cursor"].map { text throws(ValidationError) in try CampaignStore.Cursor(token: String(text)) }
        let page = try await store(context).page(limit: limit, after: cursor)
        return try JSONResponse.make(Page(campaigns: page.campaigns, nextCursor: page.next?.token))
    }

    @Sendable func create(_ request: Request, context: APIContext) async throws -> Response {
        let text = try await JSONBody.text(of: request, limit: settings.maximumBodyBytes)
        let trimmed = text.drop(while: { $0.isWhitespace })
        guard trimmed.first == "{" else { throw APIError.badRequest("the request body must be a JSON object describing the campaign") }
        guard (try? JSONSerialization.jsonObject(with: Data(text.utf8))) != nil else {
            throw APIError.badRequest("the request body is not valid JSON")
        }
        let spec = try CampaignSpec(parsing: text, source: "")
        let schedule = try CampaignSchedule.validate(spec)
        let created = try await store(context).create(spec, schedule: schedule.map { CampaignSchedule.attachment($0, now: Date()) })
        return try JSONResponse.make(created, status: .created)
    }

    @Sendable func show(_ request: Request, context: APIContext) async throws -> Response {
        try JSONResponse.make(try await campaign(context))
    }

    @Sendable func update(_ request: Request, context: APIContext) async throws -> Response {
        let body = try await JSONBody.object(
            of: request, limit: settings.maximumBodyBytes, allowed: ["name", "destination", "primary_metric"]
        )
        let found = try await campaign(context)
        let destination: String?? = body.has("destination") ? .some(body.isNull("destination") ? nil : try body.string("destination")) : .none
        let metric = try body.string("primary_metric").map { text throws(ValidationError) in
            guard let kind = EventKind(rawValue: text), kind != .impression else {
                throw ValidationError(field: "primary_metric", reason: "\"\(text)\" is not one of click, like, share, comment, conversion")
            }
            return kind
        }
        let updated = try await store(context).update(found.id, name: try body.string("name"), destination: destination, primaryMetric: metric)
        return try JSONResponse.make(updated)
    }

    @Sendable func delete(_ request: Request, context: APIContext) async throws -> Response {
        let found = try await campaign(context)
        try await store(context).delete(found.id)
        return Response(status: .noContent)
    }

    struct Variants: Encodable {
        var variants: [Campaign.Variant]
    }

    @Sendable func variants(_ request: Request, context: APIContext) async throws -> Response {
        try JSONResponse.make(Variants(variants: try await campaign(context).variants))
    }

    @Sendable func addVariant(_ request: Request, context: APIContext) async throws -> Response {
        let body = try await JSONBody.object(of: request, limit: settings.maximumBodyBytes, allowed: ["key", "text"])
        let found = try await campaign(context)
        let variant = try await store(context).addVariant(to: found.id, key: try body.string("key"), text: try body.requiredString("text"))
        return try JSONResponse.make(variant, status: .created)
    }

    @Sendable func deleteVariant(_ request: Request, context: APIContext) async throws -> Response {
        let found = try await campaign(context)
        let reference = try context.parameters.require("variant")
        guard let variant = VariantID(reference) ?? found.variants.first(where: { $0.key == reference })?.id else {
            throw NotFoundError(kind: "variant", id: reference)
        }
        try await store(context).deleteVariant(variant, of: found.id)
        return Response(status: .noContent)
    }

    struct Channels: Encodable {
        var channels: [HeraldCore.Channel]
    }

    @Sendable func channels(_ request: Request, context: APIContext) async throws -> Response {
        try JSONResponse.make(Channels(channels: try await campaign(context).channels))
    }

    @Sendable func setChannels(_ request: Request, context: APIContext) async throws -> Response {
        let body = try await JSONBody.object(of: request, limit: settings.maximumBodyBytes, allowed: ["channels"])
        guard let names = try body.strings("channels") else { throw ValidationError(field: "channels", reason: "is required") }
        var channels: [HeraldCore.Channel] = []
        for (index, name) in names.enumerated() {
            guard let channel = HeraldCore.Channel(rawValue: name) else {
                throw ValidationError(
                    field: "channels[\(index)]",
                    reason: "\"\(name)\" is not one of \(HeraldCore.Channel.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            channels.append(channel)
        }
        let found = try await campaign(context)
        return try JSONResponse.make(Channels(channels: try await store(context).setChannels(found.id, channels).channels))
    }
}
