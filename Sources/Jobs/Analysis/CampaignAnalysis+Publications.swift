import Foundation
import HeraldCore
import Reports
import Storage

extension CampaignAnalysis {
    /// What the campaign's publications came to, for its report: counts per state, the newest failed publications
    /// with their reasons, and whether the campaign is a dry run.
    static func publicationSummary(_ database: Database, workspace: WorkspaceID, campaign: Campaign) async throws -> PublicationSummary {
        let store = PublicationStore(database)
        let counts = try await store.stateCounts(workspace: workspace, campaign: campaign.id)
        let failed =
            counts[.failed, default: 0] == 0
            ? []
            : try await store.list(workspace: workspace, campaign: campaign.id, state: .failed, limit: PublicationSummary.maximumListed)
        return PublicationSummary(
            dryRun: campaign.dryRun,
            counts: PublicationState.allCases.compactMap { state in
                counts[state].map { PublicationSummary.StateCount(state: state.rawValue, count: $0) }
            },
            failed: failed.map { listed in
                let publication = listed.publication
                return PublicationSummary.Failed(
                    id: publication.id.uuidString.lowercased(),
                    variant: listed.variantKey,
                    channel: publication.channel,
                    account: publication.accountName,
                    scheduledAt: publication.scheduledAt,
                    failureClass: publication.failureClass,
                    reason: publication.error ?? "no reason was recorded"
                )
            }
        )
    }
}
