/// The payload of a `generate_variants` job: `{"campaign_id", "workspace_id", "brief": {…} or "YAML text",
/// "channel": "x", "count": 4, "seed": 7}` (count default 4, seed default 0).
public struct GenerateVariantsPayload: CampaignJobPayload {
    public static let kind = JobKind.generateVariants

    public var campaign: CampaignID
    public var workspace: WorkspaceID
    /// The channel's name; the handler checks it (so a stored job with a bad one fails with a clear message).
    public var channel: String
    /// How many variants (nil: 4).
    public var count: Int?
    /// The generator's seed (nil: 0).
    public var seed: UInt64?
    /// The brief: an object, or YAML/JSON text; nil when the payload has none (the handler refuses it).
    public var brief: JSONValue?
    /// Write challengers of this variant (its key) instead of new variants: each changes one thing of it.
    public var challengerOf: String?

    /// A job generating `count` variants for `channel` from `brief`.
    public init(campaign: CampaignID, workspace: WorkspaceID, brief: JSONValue, channel: Channel, count: Int? = nil, seed: UInt64? = nil) {
        self.campaign = campaign
        self.workspace = workspace
        self.brief = brief
        self.channel = channel.rawValue
        self.count = count
        self.seed = seed
    }

    enum CodingKeys: String, CodingKey {
        case campaign = "campaign_id"
        case workspace = "workspace_id"
        case channel, count, seed, brief
        case challengerOf = "challenger_of"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        campaign = try container.decode(CampaignID.self, forKey: .campaign)
        workspace = try container.decode(WorkspaceID.self, forKey: .workspace)
        channel = try container.decode(String.self, forKey: .channel)
        count = try container.decodeIfPresent(Int.self, forKey: .count)
        seed = try container.decodeIfPresent(UInt64.self, forKey: .seed)
        challengerOf = try container.decodeIfPresent(String.self, forKey: .challengerOf)
        // `"brief": null` is kept as `.null` (not a brief), apart from a missing brief.
        brief = container.contains(.brief) ? try container.decode(JSONValue.self, forKey: .brief) : nil
    }
}
