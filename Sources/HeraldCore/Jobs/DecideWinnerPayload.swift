import Foundation

/// The payload of a `decide_winner` job, one look at a test-then-send campaign's test phase:
/// `{"campaign_id": "<uuid>", "workspace_id": "<uuid>", "look": 1, "test_started_at": <seconds since 2001>}`.
public struct DecideWinnerPayload: CampaignJobPayload {
    public static let kind = JobKind.decideWinner

    public var campaign: CampaignID
    public var workspace: WorkspaceID
    /// Which look this is (1 for the first): named in the reason of the winner it records.
    public var look: Int
    /// When the test phase was sent (its fan-out), carried from look to look: the deadline counts from it when the test
    /// made no message at all (nil in looks queued before it was recorded).
    public var testStartedAt: Date?

    public init(campaign: CampaignID, workspace: WorkspaceID, look: Int = 1, testStartedAt: Date? = nil) {
        self.campaign = campaign
        self.workspace = workspace
        self.look = look
        self.testStartedAt = testStartedAt
    }

    enum CodingKeys: String, CodingKey {
        case campaign = "campaign_id"
        case workspace = "workspace_id"
        case look
        case testStartedAt = "test_started_at"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        campaign = try container.decode(CampaignID.self, forKey: .campaign)
        workspace = try container.decode(WorkspaceID.self, forKey: .workspace)
        look = try container.decodeIfPresent(Int.self, forKey: .look) ?? 1
        testStartedAt = try container.decodeIfPresent(Date.self, forKey: .testStartedAt)
    }
}
