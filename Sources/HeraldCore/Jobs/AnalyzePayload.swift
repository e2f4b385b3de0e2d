/// The payload of an `analyze` job: `{"campaign_id": "<uuid>", "workspace_id": "<uuid>"}`.
public struct AnalyzePayload: CampaignJobPayload {
    public static let kind = JobKind.analyze

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
