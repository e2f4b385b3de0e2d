import Foundation

/// A payload of a job about one campaign: it names the campaign and its workspace
/// (`{"campaign_id": "<uuid>", "workspace_id": "<uuid>", ...}`).
public protocol CampaignJobPayload: JobPayload {
    /// The campaign the job is about.
    var campaign: CampaignID { get }
    /// The campaign's workspace.
    var workspace: WorkspaceID { get }
}

extension JobKind {
    /// The kinds whose payload needs nothing but a campaign (see ``payload(campaign:workspace:)``).
    public static let aboutOneCampaign: [JobKind] = allCases.filter {
        $0.payload(campaign: CampaignID(UUID()), workspace: WorkspaceID(UUID())) != nil
    }

    /// This kind's payload for a job about `campaign` and nothing else, or nil when the kind needs more
    /// (or is not about a campaign): what `herald schedules create --campaign` stores.
    public func payload(campaign: CampaignID, workspace: WorkspaceID) -> EncodedJobPayload? {
        switch self {
        case .publishCampaign: EncodedJobPayload(PublishCampaignPayload(campaign: campaign, workspace: workspace))
        case .analyze: EncodedJobPayload(AnalyzePayload(campaign: campaign, workspace: workspace))
        case .report: EncodedJobPayload(ReportPayload(campaign: campaign, workspace: workspace))
        // `decide_winner` schedules its own looks, and `send_audience` needs a phase: neither is a person's schedule.
        case .noop, .probe, .publish, .generateVariants, .collectMetrics, .notify, .sendAudience, .sendMessages, .decideWinner: nil
        }
    }
}
