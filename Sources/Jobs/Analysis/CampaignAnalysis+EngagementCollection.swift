import Connectors
import Foundation
import HeraldCore
import Reports
import Storage

extension CampaignAnalysis {
    /// How fresh the campaign's pulled-back counts are per channel, and what each channel's exposure is: for its
    /// channels whose engagement comes back from the platform (not webhooks), with a published post. Nil when none.
    static func engagementCollection(
        _ snapshots: EngagementSnapshotStore,
        campaign: Campaign,
        schedule: MetricsSchedule = MetricsSchedule(),
        now: Date
    ) async throws -> EngagementCollection? {
        let kinds = campaign.channels.compactMap { AccountKind(channel: $0) }.filter { $0 != .webhook }
        guard !kinds.isEmpty else { return nil }
        let rows = try await snapshots.collection(campaign: campaign.id, channels: kinds.map(\.channel.rawValue))
        let sources: [EngagementCollection.Source] = rows.compactMap { row in
            guard let kind = AccountKind(rawValue: row.channel) else { return nil }
            return EngagementCollection.Source(
                channel: row.channel,
                platform: kind.platformName,
                reportsImpressions: kind.reportsImpressions,
                published: row.published,
                collectedAt: row.latestAt,
                round: row.latestRound,
                rounds: schedule.rounds
            )
        }
        return sources.isEmpty ? nil : EngagementCollection(sources, now: now)
    }
}
