/// The payload of a `publish_campaign` job (a campaign schedule's fire):
/// `{"campaign_id": "<uuid>", "workspace_id": "<uuid>"}`.
public struct PublishCampaignPayload: CampaignJobPayload {
    public static let kind = JobKind.publishCampaign

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
