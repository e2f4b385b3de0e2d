import Foundation

/// A stored campaign with its variants; encodes as the `campaigns show --json` contract.
public struct Campaign: Sendable, Equatable, Codable {
    /// A stored content variant.
    public struct Variant: Sendable, Equatable, Codable {
        public var id: VariantID
        public var key: String
        public var text: String

        public init(id: VariantID, key: String, text: String) {
            self.id = id
            self.key = key
            self.text = text
        }
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
    public var createdAt: Date

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
        createdAt: Date
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.slug = slug
        self.name = name
        self.primaryMetric = primaryMetric
        self.channels = channels
        self.destination = destination
        self.schedule = schedule
        self.variants = variants
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, slug, name, channels, destination, schedule, variants
        case workspaceID = "workspace_id"
        case primaryMetric = "primary_metric"
        case createdAt = "created_at"
    }
}
