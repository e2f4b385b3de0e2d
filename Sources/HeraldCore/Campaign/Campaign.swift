import Foundation

/// A stored campaign with its variants; encodes as the `campaigns show --json` contract.
public struct Campaign: Sendable, Equatable, Codable {
    /// A stored content variant.
    public struct Variant: Sendable, Equatable, Codable {
        public var id: VariantID
        public var key: String
        /// The content (for an email variant, the plain-text body).
        public var text: String
        /// The channels it goes to (its own, or every channel of the campaign), in the campaign's order.
        public var channels: [Channel]
        /// An email variant's subject, preheader and body.
        public var email: EmailContent?
        /// Its share of the split among the variants of a channel; nil: equal shares.
        public var weight: Double?
        /// The images it carries, in order, with their alt text.
        public var media: [VariantMedia]
        /// Where it is in review; only an approved variant is published.
        public var review: ReviewState

        public init(
            id: VariantID,
            key: String,
            text: String,
            channels: [Channel] = [],
            email: EmailContent? = nil,
            weight: Double? = nil,
            media: [VariantMedia] = [],
            review: ReviewState = .approved
        ) {
            self.id = id
            self.key = key
            self.text = text
            self.channels = channels
            self.email = email
            self.weight = weight
            self.media = media
            self.review = review
        }

        enum CodingKeys: String, CodingKey {
            case id, key, text, channels, subject, preheader, body, weight, review
            case media = "images"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            id = try container.decode(VariantID.self, forKey: .id)
            key = try container.decode(String.self, forKey: .key)
            text = try container.decode(String.self, forKey: .text)
            channels = try container.decodeIfPresent([Channel].self, forKey: .channels) ?? []
            weight = try container.decodeIfPresent(Double.self, forKey: .weight)
            media = try container.decodeIfPresent([VariantMedia].self, forKey: .media) ?? []
            review = try container.decodeIfPresent(ReviewState.self, forKey: .review) ?? .approved
            if let subject = try container.decodeIfPresent(String.self, forKey: .subject) {
                email = EmailContent(
                    subject: subject,
                    preheader: try container.decodeIfPresent(String.self, forKey: .preheader) ?? "",
                    body: try container.decodeIfPresent(String.self, forKey: .body) ?? text
                )
            }
        }

        /// `{"id", "key", "text", "channels", "review", "weight"?, "subject"?, "preheader"?, "body"?, "images"?}` (images only when it
        /// has some).
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(key, forKey: .key)
            try container.encode(text, forKey: .text)
            try container.encode(channels, forKey: .channels)
            try container.encode(review, forKey: .review)
            try container.encodeIfPresent(weight, forKey: .weight)
            try container.encodeIfPresent(email?.subject, forKey: .subject)
            try container.encodeIfPresent(email?.preheader, forKey: .preheader)
            try container.encodeIfPresent(email?.body, forKey: .body)
            if !media.isEmpty { try container.encode(media, forKey: .media) }
        }

        /// Whether the variant goes to `channel`.
        public func goes(to channel: Channel) -> Bool { channels.contains(channel) }
    }

    public var id: CampaignID
    public var workspaceID: WorkspaceID
    public var slug: String
    public var name: String
    public var primaryMetric: Metric
    public var channels: [Channel]
    public var destination: String?
    public var schedule: CampaignSpec.Schedule?
    public var variants: [Variant]
    /// Where the campaign is in its life.
    public var status: CampaignStatus
    public var createdAt: Date
    /// A rehearsal: its posts go to the dry-run sink only ("dry run: nothing was posted").
    public var dryRun: Bool
    /// The account (by name) each channel publishes through, where the campaign names one.
    public var accounts: [Channel: String]
    /// Who an email or SMS campaign sends to; nil for a campaign that only posts.
    public var audience: CampaignAudience?
    /// The planned test; nil: analyses use an always-valid test.
    public var design: CampaignDesign?

    public init(
        id: CampaignID,
        workspaceID: WorkspaceID,
        slug: String,
        name: String,
        primaryMetric: Metric,
        channels: [Channel],
        destination: String?,
        schedule: CampaignSpec.Schedule?,
        variants: [Variant],
        status: CampaignStatus = .scheduled,
        createdAt: Date,
        dryRun: Bool = false,
        accounts: [Channel: String] = [:],
        audience: CampaignAudience? = nil,
        design: CampaignDesign? = nil
    ) {
        self.audience = audience
        self.design = design
        self.dryRun = dryRun
        self.accounts = accounts
        self.id = id
        self.workspaceID = workspaceID
        self.slug = slug
        self.name = name
        self.primaryMetric = primaryMetric
        self.channels = channels
        self.destination = destination
        self.schedule = schedule
        self.variants = variants
        self.status = status
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, slug, name, channels, destination, schedule, variants, status, accounts, audience, design
        case workspaceID = "workspace_id"
        case dryRun = "dry_run"
        case primaryMetric = "primary_metric"
        case createdAt = "created_at"
    }
}

extension Campaign {
    /// The variants that go to `channel`, in the campaign's order.
    public func variants(for channel: Channel) -> [Variant] { variants.filter { $0.goes(to: channel) } }
}
