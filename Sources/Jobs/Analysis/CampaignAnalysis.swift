import Analytics
import Foundation
import HeraldCore
import Logging
import Reports
import Scheduling
import Storage

/// Reads a campaign's counts from the rollups, scores them, stores the analysis, and builds the report model.
public struct CampaignAnalysis: Sendable {
    let database: Database
    let workspace: WorkspaceID

    public init(database: Database, workspace: WorkspaceID) {
        self.database = database
        self.workspace = workspace
    }

    /// The outcome of one analysis.
    public struct Outcome: Sendable {
        public var campaign: Campaign
        public var input: ScoreInput
        public var score: ScoreResult
        public var report: ReportModel
        public var sendTime: SendTimeModel?
        public var featureEffects: FeatureEffects?
        /// Conversion value per variant; nil when no conversion carries a value.
        public var revenue: RevenueSummary?
        /// The stored analysis's id.
        public var analysisID: UUID
        /// Autopilot's plan, recorded with the analysis (nil: no autopilot was asked to plan).
        public var autopilot: AutopilotRunner.Planning?
    }

    /// What is stored in `analyses.result` (with the report model under `report`).
    struct Record: Encodable {
        var score: ScoreResult
        /// Only hours that credibly beat the channel average (``SendTimeModel/standouts(alpha:)``).
        var sendTime: [SendTimeModel.Standout]
        var featureEffects: [FeatureEffects.Effect]
        /// The results per channel (a ``ChannelBreakdown`` in the report's JSON shape).
        var channels: JSONValue?
        var revenue: RevenueSummary?

        enum CodingKeys: String, CodingKey {
            case score, revenue
            case sendTime = "best_send_times"
            case featureEffects = "feature_effects"
            case channels
        }
    }

    /// The planned test at this look: the campaign's horizon, and the totals of its earlier analyses as the earlier
    /// looks (each stored analysis is a look: its verdict could be acted on). Nil without a plan or without trials yet.
    static func design(_ database: Database, workspace: WorkspaceID, campaign: Campaign, current: Int) async throws -> ScoreInput.Design? {
        guard let plan = campaign.design, current > 0, campaign.variants.count > 1 else { return nil }
        let looks = try await AnalysisStore(database, workspace: workspace).lookTotals(campaign: campaign.id, below: current)
        return ScoreInput.Design(horizon: plan.horizon, looks: looks)
    }

    /// Scores the campaign from its rollups, stores the result in `analyses`, and builds its report model.
    ///
    /// Rates are scored per impression on the metric's event kind (conversions for `revenue`). Conversion value is
    /// scored whenever a conversion carries one (``RevenueSummary``); with `primary_metric: revenue` its calls
    /// (mean scoring of revenue per impression, always-valid under repeated looks) replace those on rates.
    ///
    /// With `completing`, the stored analysis and the job's completion commit in one transaction; with `autopilot`, so
    /// does the plan it makes from this analysis (pending; ``AutopilotRunner/act(after:now:)`` applies it in auto mode).
    /// A plan that cannot be made is logged and left out: the analysis is stored all the same.
    public func analyze(
        _ campaign: Campaign,
        alpha: Double = 0.05,
        now: Date,
        notes: [String] = [],
        completing: JobCompletion? = nil,
        autopilot: AutopilotRunner? = nil
    ) async throws -> Outcome {
        let events = EventStore(database, workspace: workspace)
        let kind = campaign.primaryMetric.eventKind
        let totals = try await events.totals(campaign: campaign.id, metric: kind)
        // Once the split has changed, the sample-ratio check expects each variant's share of the traffic as the
        // allocation periods planned it, not an equal split.
        // On channels where one post reaches every follower, it counts posts, not their lumps of impressions.
        let expected = try await Self.expectedShares(database, workspace: workspace, campaign: campaign)
        let assigned =
            campaign.audienceChannel == nil
            ? try await AutopilotStore(database, workspace: workspace).posts(campaign: campaign.id, since: .distantPast) : [:]
        let countsPosts = assigned.values.contains { $0 > 0 }
        let impressions = totals.map(\.impressions).reduce(0, +)
        let input = ScoreInput(
            control: campaign.variants.first?.key,
            arms: totals.map { total in
                ScoreInput.Arm(
                    id: total.key,
                    trials: total.impressions,
                    successes: total.successes,
                    weight: expected.map { max($0[total.key] ?? 0, Self.smallestExpectedShare) },
                    assigned: countsPosts ? assigned[total.key] ?? 0 : nil
                )
            },
            alpha: alpha,
            design: try await Self.design(database, workspace: workspace, campaign: campaign, current: impressions)
        )
        // One variant is measured, not tested.
        var score = input.arms.count == 1 ? Scorer.measure(input.arms[0], alpha: alpha) : try Scorer.score(input)
        let values = try await events.valueTotals(campaign: campaign.id)
        let revenue = RevenueSummary(
            values.map {
                RevenueSummary.Counts(
                    key: $0.key,
                    impressions: $0.impressions,
                    conversions: $0.conversions,
                    valueSum: $0.valueSum,
                    valueSumSquares: $0.valueSumSquares
                )
            },
            alpha: alpha
        )
        if campaign.primaryMetric.isValue, campaign.variants.count > 1 {
            score.recommendations = Self.revenueRecommendations(revenue, impressions: impressions)
        }
        let sendTime = try await Self.sendTimeModel(events, campaign: campaign)
        let featureEffects = try await Self.featureEffects(events, metric: kind)
        score.recommendations += Self.recommendations(
            sendTime: sendTime,
            featureEffects: featureEffects,
            channel: campaign.channels.first,
            alpha: alpha
        )
        let daily = try await events.daily(campaign: campaign.id, metric: kind)
        // The traffic split for the next period: from day-by-day rates weighted alike for every arm, so a
        // drift over time does not favour the arm that happened to get more traffic on good days.
        var days = Self.days(daily, variants: campaign.variants.map(\.id))
        if revenue != nil {
            days = Self.addValues(try await events.dailyValues(campaign: campaign.id), to: days, variants: campaign.variants.map(\.id))
        }
        if campaign.primaryMetric.isValue, campaign.variants.count > 1, let revenue {
            // On revenue the split follows the chance of the highest revenue per impression.
            let stopped = score.stoppedArms
            let allocation = Allocation(
                probabilityOfBeingBest: revenue.variants.map(\.probabilityBest),
                trials: totals.map(\.impressions),
                live: totals.map { !stopped.contains($0.key) }
            )
            score.apply(allocation, ids: campaign.variants.map(\.key))
        } else if days.count > 1, campaign.variants.count > 1, !campaign.primaryMetric.isValue {
            let posteriors = PeriodWeightedPosterior.posteriors(
                days.map { .init(trials: $0.impressions, successes: $0.successes) },
                arms: campaign.variants.count
            )
            let stopped = score.stoppedArms
            let allocation = Allocation(
                probabilityOfBeingBest: BestArm(posteriors: posteriors).probabilityOfBeingBest(),
                trials: totals.map(\.impressions),
                live: totals.map { !stopped.contains($0.key) }
            )
            score.apply(allocation, ids: campaign.variants.map(\.key))
        }
        var report = ReportModel(
            campaign: campaign,
            score: score,
            alpha: alpha,
            days: days,
            sendTime: sendTime,
            featureEffects: featureEffects,
            revenue: revenue,
            generatedAt: now,
            notes: notes
        )
        report.channels = try await Self.channelBreakdown(events, campaign: campaign, pooled: score, alpha: alpha)
        report.engagementCollection = try await Self.engagementCollection(
            EngagementSnapshotStore(database, workspace: workspace),
            campaign: campaign,
            now: now
        )
        report.publications = try await Self.publicationSummary(database, workspace: workspace, campaign: campaign)
        report.testThenSend = try await Self.testThenSendSummary(database, workspace: workspace, campaign: campaign)
        report.autopilot = try await Self.autopilotSummary(database, workspace: workspace, campaign: campaign)
        report.plannedTest = input.design.map { PlannedTest(design: $0, impressions: impressions) }
        let record = Record(
            score: score,
            sendTime: Array(sendTime?.standouts(alpha: alpha).prefix(3) ?? []),
            featureEffects: featureEffects?.effects ?? [],
            channels: try report.channels?.json(),
            revenue: revenue
        )
        let json = String(decoding: try JSONEncoder().encode(record), as: UTF8.self)
        var outcome = Outcome(
            campaign: campaign,
            input: input,
            score: score,
            report: report,
            sendTime: sendTime,
            featureEffects: featureEffects,
            revenue: revenue,
            analysisID: UUID()
        )
        if let autopilot {
            do {
                outcome.autopilot = try await autopilot.plan(after: outcome, now: now)
            } catch {
                autopilot.logger.error(
                    "autopilot could not plan after the analysis; the analysis is stored without a plan",
                    metadata: ["herald.campaign.id": "\(campaign.id)", "herald.error": "\(error)"]
                )
            }
        }
        // The report model is stored beside the scoring, so pages can be rendered from the latest analysis without recomputing.
        try await AnalysisStore(database, workspace: workspace).insert(
            campaign: campaign.id,
            resultJSON: json,
            reportJSON: try JSONRenderer.render(report),
            at: now,
            id: outcome.analysisID,
            completing: completing,
            plan: outcome.autopilot?.planned ?? []
        )
        return outcome
    }

    /// The least expected share the sample-ratio check is given for a variant the split never sent to (weights must
    /// be positive): any traffic it had is then a mismatch, as it should be.
    static let smallestExpectedShare = 1e-6

    /// Each variant's expected share of what the sample-ratio check counts (``AutopilotStore/assignments(campaign:since:)``)
    /// when the split has changed (allocation periods exist): every period's planned shares weighed by what was counted
    /// in it, an equal split before the first. Nil
    /// while the split never changed.
    static func expectedShares(_ database: Database, workspace: WorkspaceID, campaign: Campaign) async throws -> [String: Double]? {
        let store = AutopilotStore(database, workspace: workspace)
        let periods = try await store.periods(campaign: campaign.id)
        guard !periods.isEmpty else { return nil }
        let total = { (counts: [String: Int]) in Double(counts.values.reduce(0, +)) }
        // What the check counts (posts or impressions) from each period's start on, and in all.
        var since: [Double] = []
        for period in periods { since.append(total(try await store.assignments(campaign: campaign, since: period.startedAt))) }
        let all = total(try await store.assignments(campaign: campaign, since: .distantPast))
        var expected: [String: Double] = [:]
        let keys = campaign.variants.map(\.key)
        // Before the first change the split was equal over the variants of that time: those the first period names
        // (a challenger written later was not there yet, and expects nothing of that time).
        let first = keys.filter { periods[0].weights[$0] != nil }
        let before = max(all - (since.first ?? 0), 0)
        for key in first { expected[key, default: 0] += before / Double(max(first.count, 1)) }
        for (index, period) in periods.enumerated() {
            let counted = max(since[index] - (index + 1 < since.count ? since[index + 1] : 0), 0)
            for key in keys { expected[key, default: 0] += counted * (period.weights[key] ?? 0) }
        }
        let sum = expected.values.reduce(0, +)
        guard sum > 0 else { return nil }
        return expected.mapValues { $0 / sum }
    }

    /// The calls on revenue per impression, or why none can be made yet.
    static func revenueRecommendations(_ revenue: RevenueSummary?, impressions: Int) -> [Recommendation] {
        if let revenue { return revenue.recommendations }
        let reason =
            impressions == 0
            ? "No impressions yet: revenue per impression cannot be compared."
            : "No conversion carries a value yet: revenue per impression cannot be compared. Send conversions with a value."
        return [Recommendation(action: .keepTesting, arm: nil, confidence: 0, reason: reason)]
    }

    /// Adds per-day conversion value sums to the folded days (a day with values but no impressions gets a row too).
    static func addValues(_ rows: [EventStore.DailyValue], to days: [ReportModel.Day], variants: [VariantID]) -> [ReportModel.Day] {
        let position = Dictionary(uniqueKeysWithValues: variants.enumerated().map { ($1, $0) })
        var byDay = Dictionary(uniqueKeysWithValues: days.map { ($0.day, $0) })
        for row in rows {
            guard let index = position[row.variant] else { continue }
            var day =
                byDay[row.day]
                ?? ReportModel.Day(
                    day: row.day,
                    impressions: Array(repeating: 0, count: variants.count),
                    successes: Array(repeating: 0, count: variants.count)
                )
            var sums = day.valueSums ?? Array(repeating: 0, count: variants.count)
            var squares = day.valueSumSquares ?? Array(repeating: 0, count: variants.count)
            sums[index] += row.valueSum
            squares[index] += row.valueSumSquares
            day.valueSums = sums
            day.valueSumSquares = squares
            byDay[row.day] = day
        }
        return byDay.values.map { day in
            var day = day
            day.valueSums = day.valueSums ?? Array(repeating: 0, count: variants.count)
            day.valueSumSquares = day.valueSumSquares ?? Array(repeating: 0, count: variants.count)
            return day
        }.sorted { $0.day < $1.day }
    }

    /// Hour-of-week engagement of the workspace's campaigns on this campaign's first channel.
    static func sendTimeModel(_ events: EventStore, campaign: Campaign) async throws -> SendTimeModel? {
        guard let channel = campaign.channels.first else { return nil }
        let counts = try await events.hourOfWeek(channel: channel, metric: campaign.primaryMetric.eventKind)
        return counts.isEmpty ? nil : SendTimeModel(counts: counts)
    }

    /// Feature effects across the workspace's variants, on the numeric features every variant has.
    static func featureEffects(_ events: EventStore, metric: EventKind) async throws -> FeatureEffects? {
        let rows = try await events.featureRows(metric: metric)
        guard let first = rows.first else { return nil }
        let shared = first.features.keys.filter { key in
            rows.allSatisfy { $0.features[key] != nil } && Set(rows.map { $0.features[key]! }).count > 1
        }.sorted()
        guard !shared.isEmpty, rows.count > shared.count + 1 else { return nil }
        return try? FeatureEffects(
            features: shared,
            values: rows.map { row in shared.map { row.features[$0]! } },
            trials: rows.map(\.trials),
            successes: rows.map(\.successes)
        )
    }

    /// `best_send_time` when an hour credibly beats the rest of the channel (``SendTimeModel/standouts(alpha:)``: one-sided
    /// Fisher exact tests, Holm over the hours, so with all hours equal one is marked in at most `alpha` of campaigns);
    /// `use_feature` for each credible positive effect.
    static func recommendations(
        sendTime: SendTimeModel?,
        featureEffects: FeatureEffects?,
        channel: HeraldCore.Channel?,
        alpha: Double = 0.05
    ) -> [Recommendation] {
        var recommendations: [Recommendation] = []
        if let sendTime, let best = sendTime.standouts(alpha: alpha).first {
            let day = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"][best.hourOfWeek / 24]
            recommendations.append(
                Recommendation(
                    action: .bestSendTime,
                    arm: nil,
                    confidence: 1 - best.pValueHolm,
                    reason: "Post on \(channel?.rawValue ?? "this channel") on \(day)s at "
                        + String(
                            format: "%02d:00 (campaign time): %.2f%% engagement against %.2f%% in the channel's other hours",
                            best.hourOfWeek % 24,
                            best.rate * 100,
                            best.restRate * 100
                        )
                        + String(format: " (Holm-adjusted p = %.2g over %d hours).", best.pValueHolm, sendTime.slots.filter(\.eligible).count)
                )
            )
        }
        for effect in featureEffects?.effects ?? [] where effect.significant && effect.coefficient > 0 {
            recommendations.append(
                Recommendation(
                    action: .useFeature,
                    arm: nil,
                    confidence: 1 - 0.05,
                    reason: "Use more of \(effect.feature): each unit of it goes with "
                        + String(format: "%.0f%%", (effect.oddsRatio - 1) * 100) + " higher odds of engagement across this workspace's variants."
                )
            )
        }
        return recommendations
    }

    /// Folds per-variant daily rows into one row per day with a column per variant.
    public static func days(_ rows: [EventStore.DailyCount], variants: [VariantID]) -> [ReportModel.Day] {
        let position = Dictionary(uniqueKeysWithValues: variants.enumerated().map { ($1, $0) })
        var byDay: [Date: ReportModel.Day] = [:]
        for row in rows {
            guard let index = position[row.variant] else { continue }
            var day =
                byDay[row.day]
                ?? ReportModel.Day(
                    day: row.day,
                    impressions: Array(repeating: 0, count: variants.count),
                    successes: Array(repeating: 0, count: variants.count)
                )
            day.impressions[index] += row.impressions
            day.successes[index] += row.successes
            byDay[row.day] = day
        }
        return byDay.values.sorted { $0.day < $1.day }
    }
}
