import Analytics
import Foundation

/// The data behind a report's charts, computed from the analysis's outputs so every format
/// (HTML draws it, JSON carries it) shows the same numbers.
public struct Charts: Sendable, Equatable, Codable {
    /// One point of a per-day series, with an optional interval.
    public struct Point: Sendable, Equatable, Codable {
        public var day: Date
        public var value: Double
        public var lower: Double?
        public var upper: Double?

        public init(day: Date, value: Double, lower: Double? = nil, upper: Double? = nil) {
            self.day = day
            self.value = value
            self.lower = lower
            self.upper = upper
        }
    }

    /// One variant's series over time.
    public struct Series: Sendable, Equatable, Codable {
        public var key: String
        public var points: [Point]
    }

    /// One variant's posterior density of the rate, sampled on a grid shared by all variants.
    public struct Density: Sendable, Equatable, Codable {
        public var key: String
        /// (rate, density) pairs.
        public var points: [[Double]]
    }

    /// One hour of the week with data (0 = Monday 00:00 … 167 = Sunday 23:00, in `SendTime.timeZone`).
    public struct HourCell: Sendable, Equatable, Codable {
        public var hourOfWeek: Int
        public var trials: Int
        public var successes: Int
        /// Rate shrunk toward the channel average (empirical Bayes).
        public var rate: Double
        public var interval: [Double]
        /// Whether the slot has enough impressions to be recommended.
        public var eligible: Bool
    }

    /// The hour-of-week engagement heatmap.
    public struct SendTime: Sendable, Equatable, Codable {
        /// The IANA zone the hours are read in.
        public var timeZone: String
        /// The channel average the cells are shrunk toward.
        public var average: Double
        public var cells: [HourCell]
        /// Hours of week that credibly beat the channel average (``SendTimeModel/standouts(alpha:)``), best first, at most 3.
        public var best: [Int]
        /// Why no hour is marked ("no hour stands out yet: …"); nil when some hour stands out.
        public var note: String?
    }

    /// One content feature's estimated effect on the odds of success.
    public struct FeatureEffect: Sendable, Equatable, Codable {
        public var feature: String
        /// Multiplicative change in the odds per unit of the feature.
        public var oddsRatio: Double
        /// Interval of the odds ratio.
        public var interval: [Double]
        /// Whether the interval excludes 1 (only then is the effect claimed).
        public var significant: Bool
    }

    /// Cumulative rate per variant by day, with its credible interval.
    public var cumulativeRate: [Series]
    /// P(best) per variant by day, from the cumulative counts.
    public var probabilityBest: [Series]
    /// Each variant's share of the day's impressions.
    public var allocation: [Series]
    /// Posterior densities of the rates now.
    public var densities: [Density]
    /// Engagement by hour of week on the campaign's channel; nil without data.
    public var sendTime: SendTime?
    /// Feature effects across the workspace's variants; empty without a fit.
    public var featureEffects: [FeatureEffect]

    public init(
        cumulativeRate: [Series],
        probabilityBest: [Series],
        allocation: [Series],
        densities: [Density],
        sendTime: SendTime?,
        featureEffects: [FeatureEffect]
    ) {
        self.cumulativeRate = cumulativeRate
        self.probabilityBest = probabilityBest
        self.allocation = allocation
        self.densities = densities
        self.sendTime = sendTime
        self.featureEffects = featureEffects
    }

    /// Computes the chart data of a report.
    ///
    /// Cumulative rates and P(best) over time score the cumulative counts day by day with the same
    /// Beta(1, 1) posteriors and exact P(best) integrals as the analysis (``BestArm``).
    ///
    /// - Complexity: O(d · k²) CDF evaluations per quadrature node for d days and k variants.
    init(
        variants: [ReportModel.Variant],
        days: [ReportModel.Day],
        alpha: Double,
        sendTime: SendTimeModel?,
        sendTimeZone: String,
        featureEffects: FeatureEffects?
    ) {
        let keys = variants.map(\.key)
        var cumulative = keys.map { Series(key: $0, points: []) }
        var best = keys.map { Series(key: $0, points: []) }
        var allocation = keys.map { Series(key: $0, points: []) }
        var trials = Array(repeating: 0, count: keys.count)
        var successes = Array(repeating: 0, count: keys.count)
        for day in days {
            let total = day.impressions.reduce(0, +)
            for index in keys.indices where index < day.impressions.count {
                trials[index] += day.impressions[index]
                successes[index] += min(day.successes[index], day.impressions[index])
                if total > 0 {
                    allocation[index].points.append(Point(day: day.day, value: Double(day.impressions[index]) / Double(total)))
                }
            }
            let posteriors = keys.indices.map { BetaDistribution(successes: successes[$0], trials: trials[$0]) }
            for index in keys.indices where trials[index] > 0 {
                let interval = posteriors[index].credibleInterval(alpha: alpha)
                cumulative[index].points.append(
                    Point(
                        day: day.day,
                        value: Double(successes[index]) / Double(trials[index]),
                        lower: interval.lowerBound,
                        upper: interval.upperBound
                    )
                )
            }
            if trials.allSatisfy({ $0 > 0 }) {
                for (index, probability) in BestArm(posteriors: posteriors).probabilityOfBeingBest().enumerated() {
                    best[index].points.append(Point(day: day.day, value: probability))
                }
            }
        }
        cumulativeRate = cumulative
        probabilityBest = best
        self.allocation = allocation
        densities = Self.densities(variants)
        self.sendTime = sendTime.map { model in
            SendTime(
                timeZone: sendTimeZone,
                average: model.prior.alpha / (model.prior.alpha + model.prior.beta),
                cells: model.slots.map {
                    HourCell(
                        hourOfWeek: $0.hourOfWeek,
                        trials: $0.trials,
                        successes: $0.successes,
                        rate: $0.rate,
                        interval: $0.interval,
                        eligible: $0.eligible
                    )
                },
                best: model.standouts(alpha: alpha).prefix(3).map(\.hourOfWeek),
                note: model.nothingStandsOut(alpha: alpha)
            )
        }
        self.featureEffects = (featureEffects?.effects ?? []).map {
            FeatureEffect(feature: $0.feature, oddsRatio: $0.oddsRatio, interval: $0.interval.map { exp($0) }, significant: $0.significant)
        }
    }

    /// Posterior densities on a grid spanning the central 99.9% of every variant with data.
    static func densities(_ variants: [ReportModel.Variant], samples: Int = 121) -> [Density] {
        let posteriors = variants.filter { $0.impressions > 0 }.map {
            (key: $0.key, distribution: BetaDistribution(alpha: $0.posteriorAlpha, beta: $0.posteriorBeta))
        }
        guard !posteriors.isEmpty else { return [] }
        let lower = posteriors.map { $0.distribution.quantile(0.0005) }.min()!
        let upper = posteriors.map { $0.distribution.quantile(0.9995) }.max()!
        guard upper > lower else { return [] }
        let step = (upper - lower) / Double(samples - 1)
        return posteriors.map { posterior in
            Density(
                key: posterior.key,
                points: (0..<samples).map { index in
                    let x = lower + Double(index) * step
                    let y = posterior.distribution.density(x)
                    return [x, y.isFinite ? y : 0]
                }
            )
        }
    }
}
