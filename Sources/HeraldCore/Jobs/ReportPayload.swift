/// The payload of a `report` job: `{"campaign_id": "<uuid>", "workspace_id": "<uuid>", "format": "html|md|csv|json",
/// "webhook_url": "https://…", "webhook_secret_env": "HERALD_WEBHOOK_…"}` (all but the ids optional; format md).
///
/// The webhook's secret never enters the database: the payload names an environment variable of the worker.
public struct ReportPayload: CampaignJobPayload {
    public static let kind = JobKind.report

    // Declared (and so decoded) options first, as the handler read them before the campaign.
    /// The report's format (nil: md).
    public var format: ReportFormat?
    /// Where to POST a signed summary after writing the report.
    public var webhookURL: String?
    /// The worker's environment variable (`HERALD_WEBHOOK_…`) holding the webhook's secret.
    public var webhookSecretEnv: String?
    public var campaign: CampaignID
    public var workspace: WorkspaceID

    public init(
        campaign: CampaignID,
        workspace: WorkspaceID,
        format: ReportFormat? = nil,
        webhookURL: String? = nil,
        webhookSecretEnv: String? = nil
    ) {
        self.campaign = campaign
        self.workspace = workspace
        self.format = format
        self.webhookURL = webhookURL
        self.webhookSecretEnv = webhookSecretEnv
    }

    enum CodingKeys: String, CodingKey {
        case format
        case webhookURL = "webhook_url"
        case webhookSecretEnv = "webhook_secret_env"
        case campaign = "campaign_id"
        case workspace = "workspace_id"
    }
}
