// MERGE: h-send may define this type too (same name, same JSON keys); keep one.
/// The payload of a `send_audience` job: `{"campaign_id": "<uuid>", "workspace_id": "<uuid>", "phase": "test|rest|all"}`.
///
/// It fans the campaign's audience out into messages for one phase: `test` (the test share, split between the
/// variants), `rest` (everyone else, with the winner) or `all` (no test share).
public struct SendAudiencePayload: CampaignJobPayload {
    public static let kind = JobKind.sendAudience

    /// Which part of the audience a fan-out writes to (`messages.phase`).
    public enum Phase: String, Codable, Sendable, CaseIterable {
        /// The test share, split between the variants.
        case test
        /// Everyone not in the test share, with the winner.
        case rest
        /// The whole audience, when the campaign has no test share.
        case all
    }

    public var campaign: CampaignID
    public var workspace: WorkspaceID
    public var phase: Phase

    public init(campaign: CampaignID, workspace: WorkspaceID, phase: Phase) {
        self.campaign = campaign
        self.workspace = workspace
        self.phase = phase
    }

    enum CodingKeys: String, CodingKey {
        case campaign = "campaign_id"
        case workspace = "workspace_id"
        case phase
    }
}
