import Analytics
import Foundation
import HeraldCore
import Reports
import Storage

extension CampaignAnalysis {
    /// The campaign's results per channel: each channel scored on its own with the pooled scoring (Beta posteriors,
    /// P(best)), set beside the pooled leader. Nil when the campaign has no events yet.
    ///
    /// Only a channel's variants with impressions there are scored (a variant written for X is not compared on email); a
    /// channel where one variant alone went out shows its rate and interval, with nothing to compare.
    static func channelBreakdown(
        _ events: EventStore,
        campaign: Campaign,
        pooled: ScoreResult,
        alpha: Double
    ) async throws -> ChannelBreakdown? {
        let totals = try await events.totalsPerChannel(campaign: campaign.id, metric: campaign.primaryMetric.eventKind)
        guard !totals.isEmpty else { return nil }
        let daily = try await events.dailyPerChannel(campaign: campaign.id, metric: campaign.primaryMetric.eventKind)
        let variants = campaign.variants.map(\.id)
        var scored: [ChannelBreakdown.Scored] = []
        for channel in Set(totals.map(\.channel)).sorted() {
            let arms = totals.filter { $0.channel == channel && $0.impressions > 0 }
            let days = Self.days(daily.filter { $0.channel == channel }.map(\.daily), variants: variants)
            if arms.count == 1, let only = arms.first {
                scored.append(
                    .init(
                        channel: channel,
                        key: only.key,
                        impressions: only.impressions,
                        successes: min(only.successes, only.impressions),
                        alpha: alpha,
                        days: days
                    )
                )
            } else if arms.count > 1 {
                let input = ScoreInput(
                    control: arms.first?.key,
                    arms: arms.map { ScoreInput.Arm(id: $0.key, trials: $0.impressions, successes: min($0.successes, $0.impressions)) },
                    alpha: alpha
                )
                // The breakdown only adds to the pooled analysis: a channel that cannot be scored is left out of it
                // rather than failing the analysis the decision is made on.
                guard let score = try? Scorer.score(input) else { continue }
                scored.append(ChannelBreakdown.Scored(channel: channel, score: score, days: days))
            }
        }
        let leader = pooled.arms.contains { $0.trials > 0 } ? pooled.arms.max { $0.pBest < $1.pBest }?.id : nil
        return ChannelBreakdown(scored, pooledLeader: leader, alpha: alpha)
    }
}
