import Channels
import Foundation
import HeraldCore
import Hummingbird
import Jobs
import Logging
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
        group.patch("campaigns/{campaign}/variants/{variant}", use: editVariant)
        group.delete("campaigns/{campaign}/variants/{variant}", use: deleteVariant)
        group.get("campaigns/{campaign}/channels", use: channels)
        group.put("campaigns/{campaign}/channels", use: setChannels)
        group.post("campaigns/{campaign}/publish", use: publish)
        group.put("campaigns/{campaign}/split", use: setSplit)
        group.post("campaigns/{campaign}/winner", use: chooseWinner)
        for action in CampaignAction.allCases {
            group.post("campaigns/{campaign}/\(action.rawValue)") { request, context in
                try await apply(action, request: request, context: context)
            }
        }
    }

    /// How long this service's tracking links are, for the channel rules at creation.
    func trackingLinkLength(_ request: Request) -> Int {
        CampaignChannelCheck.linkLength(publicURL: settings.baseURL(for: request))
    }

    /// `POST /v1/campaigns/{campaign}/start|pause|resume|end|archive`: the campaign after the move (409 when its state
    /// does not allow it).
    func apply(_ action: CampaignAction, request: Request, context: APIContext) async throws -> CampaignResponse {
        let found = try await campaign(context)
        let store = try store(context)
        _ = try await CampaignSchedule.apply(action, to: found.id, in: store, now: Date())
        return CampaignResponse(try await store.find(found.id))
    }

    /// `PUT /v1/campaigns/{campaign}/split`: the campaign with its variants' new weights.
    @Sendable func setSplit(_ request: Request, context: APIContext) async throws -> CampaignResponse {
        let body = try await request.decode(as: SetSplitRequest.self, context: context)
        let found = try await campaign(context)
        return CampaignResponse(try await store(context).setSplit(found.id, weights: body.weights))
    }

    /// `POST /v1/campaigns/{campaign}/winner`: a person chooses a test-then-send campaign's winner, which is then sent to
    /// the rest of the audience; 201 with the winner. Recorded as chosen by the token's name (or "person" for a token
    /// without one). 409 when the campaign has no test share or already has a winner (naming who chose it and when);
    /// 422 for a variant key the campaign does not have.
    @Sendable func chooseWinner(_ request: Request, context: APIContext) async throws -> EditedResponse<WinnerResponse> {
        let body = try await request.decode(as: ChooseWinnerRequest.self, context: context)
        let found = try await campaign(context)
        let principal = try context.requirePrincipal()
        let name = try await TokenStore(database).list(workspace: principal.workspace).first { $0.id == principal.token }?.name ?? ""
        // A token named like the automatic choosers would read as one of them in the report.
        let chosenBy = name.isEmpty || name == WinnerChoice.byAnalysis || name == WinnerChoice.byDeadline ? WinnerChoice.byPerson : name
        let winner = try await store(context).chooseWinnerByHand(
            found.id,
            variantKey: body.variant,
            chosenBy: chosenBy,
            reason: body.reason,
            at: Date()
        )
        context.logger.info(
            "winner chosen by hand",
            metadata: [
                "herald.campaign.id": "\(found.id)", "herald.winner.variant": "\(winner.variantKey)", "herald.winner.chosen_by": "\(chosenBy)",
            ]
        )
        return EditedResponse(status: .created, response: WinnerResponse(winner, campaign: found.slug))
    }

    /// `POST /v1/campaigns/{campaign}/publish`: one fire now, as the schedule would; answers its publications.
    @Sendable func publish(_ request: Request, context: APIContext) async throws -> EditedResponse<PublicationsResponse> {
        let found = try await campaign(context)
        guard found.status.publishes else {
            throw ConflictError(
                "the campaign is \(found.status.rawValue) and publishes nothing; \(found.status == .draft ? "start" : "resume") it first"
            )
        }
        if let problem = try await store(context).publishingProblem(found) { throw problem }
        let base = settings.baseURL(for: request)
        let now = Date()
        let publications = try await CampaignFire(database: database, publicURL: base, logger: context.logger).fire(found, at: now, now: now)
        return EditedResponse(
            status: .created,
            response: PublicationsResponse(publications: publications.map { PublicationResponse($0, base: base) })
        )
    }

    func store(_ context: APIContext) throws -> CampaignStore {
        CampaignStore(database, workspace: try context.requirePrincipal().workspace)
    }

    func campaign(_ context: APIContext) async throws -> Campaign {
        try await context.campaign(in: database)
    }

    @Sendable func list(_ request: Request, context: APIContext) async throws -> CampaignPageResponse {
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
        return CampaignPageResponse(campaigns: page.campaigns.map(CampaignSummaryResponse.init), nextCursor: page.next?.token)
    }

    @Sendable func create(_ request: Request, context: APIContext) async throws -> EditedResponse<CampaignResponse> {
        let spec = try await request.decode(as: CreateCampaignRequest.self, context: context).spec
        let schedule = try CampaignSchedule.validate(spec)
        let images = try await ImageLoader(directory: nil, logger: context.logger).load(spec)
        let created = try await store(context).create(
            spec,
            images: images,
            schedule: schedule.map { CampaignSchedule.attachment($0, now: Date()) },
            trackingLinkLength: trackingLinkLength(request),
            author: try context.requirePrincipal().actor
        )
        return EditedResponse(status: .created, response: CampaignResponse(created))
    }

    @Sendable func show(_ request: Request, context: APIContext) async throws -> CampaignResponse {
        CampaignResponse(try await campaign(context))
    }

    @Sendable func update(_ request: Request, context: APIContext) async throws -> CampaignResponse {
        let body = try await request.decode(as: UpdateCampaignRequest.self, context: context)
        let found = try await campaign(context)
        let updated = try await store(context).update(found.id, name: body.name, destination: body.destination, primaryMetric: body.primaryMetric)
        return CampaignResponse(updated)
    }

    @Sendable func delete(_ request: Request, context: APIContext) async throws -> HTTPResponse.Status {
        let found = try await campaign(context)
        try await store(context).delete(found.id)
        return .noContent
    }

    @Sendable func variants(_ request: Request, context: APIContext) async throws -> VariantsResponse {
        VariantsResponse(variants: try await campaign(context).variants.map(VariantResponse.init))
    }

    @Sendable func addVariant(_ request: Request, context: APIContext) async throws -> EditedResponse<VariantResponse> {
        let body = try await request.decode(as: CreateVariantRequest.self, context: context)
        let found = try await campaign(context)
        let variant = try await store(context).addVariant(
            to: found.id,
            key: body.key,
            text: body.text,
            channels: body.channels,
            email: body.email,
            images: try await ImageLoader(directory: nil, logger: context.logger).load(body.images, field: ""),
            trackingLinkLength: trackingLinkLength(request),
            author: try context.requirePrincipal().actor
        )
        return EditedResponse(status: .created, response: VariantResponse(variant))
    }

    /// `PATCH /v1/campaigns/{campaign}/variants/{variant}`: the variant with its new content, back to pending review.
    @Sendable func editVariant(_ request: Request, context: APIContext) async throws -> VariantResponse {
        let body = try await request.decode(as: UpdateVariantRequest.self, context: context)
        let found = try await campaign(context)
        let reference = try context.parameters.require("variant")
        guard let current = found.variants.first(where: { $0.id.description == reference.lowercased() || $0.key == reference }) else {
            throw NotFoundError(kind: "variant", id: reference)
        }
        let edited = try await store(context).editVariant(
            current.id,
            of: found.id,
            text: body.text,
            email: try body.email(editing: current.email),
            editor: try context.requirePrincipal().actor,
            trackingLinkLength: trackingLinkLength(request)
        )
        return VariantResponse(edited)
    }

    @Sendable func deleteVariant(_ request: Request, context: APIContext) async throws -> HTTPResponse.Status {
        let found = try await campaign(context)
        let reference = try context.parameters.require("variant")
        guard let variant = VariantID(reference) ?? found.variants.first(where: { $0.key == reference })?.id else {
            throw NotFoundError(kind: "variant", id: reference)
        }
        try await store(context).deleteVariant(variant, of: found.id)
        return .noContent
    }

    @Sendable func channels(_ request: Request, context: APIContext) async throws -> ChannelsResponse {
        ChannelsResponse(channels: try await campaign(context).channels)
    }

    @Sendable func setChannels(_ request: Request, context: APIContext) async throws -> ChannelsResponse {
        let body = try await request.decode(as: SetChannelsRequest.self, context: context)
        let found = try await campaign(context)
        return ChannelsResponse(
            channels: try await store(context).setChannels(found.id, body.channels, trackingLinkLength: trackingLinkLength(request)).channels
        )
    }
}
