/// The payload of a `send_audience` job: `{"campaign_id", "workspace_id", "phase": "test|rest|all"}`.
public struct SendAudiencePayload: CampaignJobPayload {
    public static let kind = JobKind.sendAudience

    public var campaign: CampaignID
    public var workspace: WorkspaceID
    /// Which part of the audience: the test share, the rest (with the winner), or everyone.
    public var phase: SendPhase

    public init(campaign: CampaignID, workspace: WorkspaceID, phase: SendPhase) {
        self.campaign = campaign
        self.workspace = workspace
        self.phase = phase
    }

    enum CodingKeys: String, CodingKey {
        case phase
        case campaign = "campaign_id"
        case workspace = "workspace_id"
    }
}

/// The payload of a `send_messages` job: `{"campaign_id", "workspace_id"}`.
public struct SendMessagesPayload: CampaignJobPayload {
    public static let kind = JobKind.sendMessages

    public var campaign: CampaignID
    public var workspace: WorkspaceID

    public init(campaign: CampaignID, workspace: WorkspaceID) {
        self.campaign = campaign
        self.workspace = workspace
    }

    enum CodingKeys: String, CodingKey {
        case campaign = "campaign_id"
        case workspace = "workspace_id"
    }
}
