import Analytics
import Foundation
import HeraldCore
import Testing

@testable import Reports

/// A deterministic three-variant report with every chart's data: 14 days of counts, an
/// hour-of-week model and feature effects, built without randomness so snapshots stay stable.
enum ReportFixture {
    /// The variant text every format must show as text and never run.
    static let hostile = "<script>alert(1)</script><img src=x onerror=alert(2)>"

    /// 2026-03-01T00:00:00Z.
    static let start = Date(timeIntervalSince1970: 1_772_323_200)

    static func campaign(
        bText: String = "Ready for your first ultra? Our lightest trail shoes are 20% off until Sunday.",
        name: String = "Trailblazer spring sale"
    ) -> Campaign {
        Campaign(
            id: CampaignID(UUID(uuidString: "00000000-0000-0000-0000-000000000001")!),
            workspaceID: WorkspaceID(UUID(uuidString: "00000000-0000-0000-0000-000000000002")!),
            slug: "trailblazer-spring",
            name: name,
            primaryMetric: .click,
            channels: [.x],
            destination: nil,
            schedule: .init(cron: "0 9 * * *", tz: "Europe/Berlin"),
            variants: [
                .init(
                    id: VariantID(UUID(uuidString: "00000000-0000-0000-0000-00000000000a")!),
                    key: "A",
                    text: "Trail season is here. 20% off all trail shoes this weekend."
                ),
                .init(id: VariantID(UUID(uuidString: "00000000-0000-0000-0000-00000000000b")!), key: "B", text: bText),
                .init(
                    id: VariantID(UUID(uuidString: "00000000-0000-0000-0000-00000000000c")!),
                    key: "C",
                    text: "New season, new trails. Shop the spring sale."
                ),
            ],
            createdAt: start
        )
    }

    /// 14 days; B gets more traffic as it pulls ahead, as an adaptive split would give it.
    static func days(count: Int = 14) -> [ReportModel.Day] {
        let rates = [0.030, 0.036, 0.027]
        return (0..<count).map { day in
            let weekend = day % 7 == 5 || day % 7 == 6
            let base = weekend ? 3_000 : 4_000
            let shares = day < 4 ? [1.0, 1.0, 1.0] : [0.9, 1.4, 0.7]
            let impressions = shares.map { Int(Double(base) * $0) }
            let wobble = 1 + 0.12 * sin(Double(day) * 1.3)
            let successes = zip(impressions, rates).map { Int((Double($0) * $1 * wobble).rounded()) }
            return ReportModel.Day(day: start.addingTimeInterval(Double(day) * 86_400), impressions: impressions, successes: successes)
        }
    }

    /// Hour-of-week counts with an evening peak on weekdays.
    static func sendTime() -> SendTimeModel {
        let counts = (0..<168).compactMap { hour -> (hourOfWeek: Int, trials: Int, successes: Int)? in
            let hourOfDay = hour % 24
            guard hourOfDay >= 6 else { return nil }
            let trials = 400 + (hourOfDay * 37 % 300)
            let evening = hourOfDay >= 18 && hourOfDay <= 21 && hour / 24 < 5 ? 1.6 : 1.0
            let rate = 0.025 * evening * (1 + 0.2 * sin(Double(hour)))
            return (hour, trials, Int((Double(trials) * rate).rounded()))
        }
        return SendTimeModel(counts: counts)
    }

    /// Two features over six variants: emoji helps, length does not matter.
    static func featureEffects() throws -> FeatureEffects {
        try FeatureEffects(
            features: ["has_emoji", "word_count"],
            values: [[0, 10], [1, 14], [0, 8], [1, 11], [0, 16], [1, 9]],
            trials: [20_000, 20_000, 20_000, 20_000, 20_000, 20_000],
            successes: [600, 760, 590, 750, 610, 740]
        )
    }

    /// Per-day conversion values to go with ``days(count:)``: about one impression in 40 converts (the successes
    /// stand for conversions), each worth 20–80, so revenue per impression is mostly zeros.
    static func valuedDays(count: Int = 14) -> [ReportModel.Day] {
        days(count: count).enumerated().map { index, day in
            var day = day
            let orderValues = [38.0, 52.0, 45.0].map { $0 * (1 + 0.1 * sin(Double(index))) }
            day.valueSums = zip(day.successes, orderValues).map { Double($0) * $1 }
            // Values spread ±25 around each day's order value: Σv² = c·(m² + 25²).
            day.valueSumSquares = zip(day.successes, orderValues).map { Double($0) * ($1 * $1 + 625) }
            return day
        }
    }

    /// The revenue summary of ``valuedDays(count:)``.
    static func revenue(_ days: [ReportModel.Day], keys: [String]) -> RevenueSummary? {
        RevenueSummary(
            keys.indices.map { index in
                RevenueSummary.Counts(
                    key: keys[index],
                    impressions: days.map { $0.impressions[index] }.reduce(0, +),
                    conversions: days.map { $0.successes[index] }.reduce(0, +),
                    valueSum: days.map { $0.valueSums![index] }.reduce(0, +),
                    valueSumSquares: days.map { $0.valueSumSquares![index] }.reduce(0, +),
                    // The planned split is the one the days follow, as in ``model(bText:name:)``.
                    weight: Double(days.map { $0.impressions[index] }.reduce(0, +))
                )
            },
            alpha: 0.05
        )
    }

    /// The full report of a campaign whose conversions carry values; with `metric: .revenue` the calls are on revenue.
    static func revenueModel(metric: Metric = .conversion) throws -> ReportModel {
        var campaign = campaign()
        campaign.primaryMetric = metric
        let days = valuedDays()
        let keys = campaign.variants.map(\.key)
        let revenue = try #require(Self.revenue(days, keys: keys))
        var score = try Scorer.score(
            ScoreInput(
                control: "A",
                arms: keys.indices.map { index in
                    ScoreInput.Arm(
                        id: keys[index],
                        trials: days.map { $0.impressions[index] }.reduce(0, +),
                        successes: days.map { $0.successes[index] }.reduce(0, +),
                        weight: Double(days.map { $0.impressions[index] }.reduce(0, +))
                    )
                }
            )
        )
        if metric.isValue { score.recommendations = revenue.recommendations }
        return ReportModel(
            campaign: campaign,
            score: score,
            alpha: 0.05,
            days: days,
            sendTime: sendTime(),
            revenue: revenue,
            generatedAt: start.addingTimeInterval(14 * 86_400 + 9 * 3_600)
        )
    }

    /// The full report.
    static func model(bText: String? = nil, name: String? = nil) throws -> ReportModel {
        let campaign = campaign(bText: bText ?? campaign().variants[1].text, name: name ?? "Trailblazer spring sale")
        let days = days()
        // The planned split is the one the days follow, so the sample-ratio check passes.
        let totals = campaign.variants.indices.map { index in
            ScoreInput.Arm(
                id: campaign.variants[index].key,
                trials: days.map { $0.impressions[index] }.reduce(0, +),
                successes: days.map { $0.successes[index] }.reduce(0, +),
                weight: Double(days.map { $0.impressions[index] }.reduce(0, +))
            )
        }
        let score = try Scorer.score(ScoreInput(control: "A", arms: totals))
        return ReportModel(
            campaign: campaign,
            score: score,
            alpha: 0.05,
            days: days,
            sendTime: sendTime(),
            featureEffects: try featureEffects(),
            generatedAt: start.addingTimeInterval(14 * 86_400 + 9 * 3_600),
            notes: ["Simulated audience: a demonstration, not real data."]
        )
    }
}
