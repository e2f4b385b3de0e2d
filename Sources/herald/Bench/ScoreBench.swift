import Analytics
import ArgumentParser
import Foundation
import HeraldCore

/// `herald bench score`: scoring throughput, and impressions to a decision against the peers' sequential rules.
struct ScoreBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Arms scored per second, and simulated impressions to a decision: Herald vs GrowthBook's and Eppo's rules.",
        discussion: """
            Simulation: two arms, 4% base rate, +10% relative lift, 3,000 impressions per arm per day, a look every day \
            for 30 days (horizon 180,000 impressions); a campaign that never decides counts the whole horizon. \
            A/A campaigns (no lift) give each rule's false-winner rate under the same daily peeking.
            """
    )

    @Option(help: "Simulated campaigns per rule.") var campaigns: Int = 1_000
    @Option(help: "Seed of the simulation.") var seed: UInt64 = 11
    @Option(help: "Seconds spent measuring throughput.") var seconds: Double = 2

    func run() async throws {
        let throughput = measureThroughput(seconds: seconds)
        let days = 30
        let perDay = 3_000
        let lift = simulate(rates: (0.04, 0.044), days: days, perDay: perDay)
        let aa = simulate(rates: (0.04, 0.04), days: days, perDay: perDay)
        print("rule          impressions to decision   decided   false winners (A/A)")
        for rule in Rule.allCases {
            print(
                rule.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0)
                    + String(format: "  %22.0f   %6.1f%%   %6.1f%%", lift.impressions[rule]!, lift.decided[rule]! * 100, aa.decided[rule]! * 100)
            )
        }
        let herald = lift.impressions[.herald]!
        print(
            String(
                format: "arms scored per second: %.0f (binomial, 3 arms, always-valid); %.0f with a 30-look design",
                throughput.plain,
                throughput.designed
            )
        )
        print(
            String(
                format: "scores per second: %.0f always-valid, %.0f with a 30-look design; one score with 1,000 looks: %.1f ms",
                throughput.plainScores,
                throughput.plannedScores,
                throughput.thousandLooksMs
            )
        )
        print(
            String(
                format: "Herald needs %.2fx GrowthBook's and %.2fx Eppo's impressions",
                herald / lift.impressions[.growthbook]!,
                herald / lift.impressions[.eppo]!
            )
        )
        let json: [String: AnyEncodable] = [
            "bench": AnyEncodable("score"),
            "arms_per_s": AnyEncodable(throughput.plain.rounded()),
            "arms_per_s_designed": AnyEncodable(throughput.designed.rounded()),
            "anytime_scores_per_s": AnyEncodable(throughput.plainScores.rounded()),
            "planned_scores_per_s": AnyEncodable(throughput.plannedScores.rounded()),
            "score_1000_looks_ms": AnyEncodable((throughput.thousandLooksMs * 10).rounded() / 10),
            "impressions_to_decision": AnyEncodable(
                Dictionary(uniqueKeysWithValues: Rule.allCases.map { ($0.rawValue, lift.impressions[$0]!.rounded()) })
            ),
            "decided": AnyEncodable(
                Dictionary(uniqueKeysWithValues: Rule.allCases.map { ($0.rawValue, (lift.decided[$0]! * 1000).rounded() / 1000) })
            ),
            "false_winners": AnyEncodable(
                Dictionary(uniqueKeysWithValues: Rule.allCases.map { ($0.rawValue, (aa.decided[$0]! * 1000).rounded() / 1000) })
            ),
            "campaigns": AnyEncodable(campaigns),
        ]
        print(try Terminal.json(json, pretty: false))
    }

    enum Rule: String, CaseIterable {
        case herald, growthbook, eppo, naive
    }

    /// Scores a 3-arm input repeatedly; returns arms and scores per second without a design and with a 30-look one,
    /// and the time of one score with 1,000 looks (hourly for six weeks).
    ///
    /// Each planned score gets a horizon of its own, so no score finds its boundaries already computed: the figure is
    /// what a new look costs.
    func measureThroughput(seconds: Double) -> (plain: Double, designed: Double, plainScores: Double, plannedScores: Double, thousandLooksMs: Double)
    {
        let clock = ContinuousClock()
        func rate(_ input: (Int) -> ScoreInput) -> (arms: Double, scores: Double) {
            let start = clock.now
            var arms = 0
            var scores = 0
            var elapsed = 0.0
            while elapsed < seconds / 2 {
                arms += (try? Scorer.score(input(scores)).arms.count) ?? 0
                scores += 1
                elapsed = (clock.now - start).seconds
            }
            return (Double(arms) / elapsed, Double(scores) / elapsed)
        }
        let arms = [
            ScoreInput.Arm(id: "A", trials: 30_000, successes: 1_200), ScoreInput.Arm(id: "B", trials: 30_100, successes: 1_290),
            ScoreInput.Arm(id: "C", trials: 29_950, successes: 1_180),
        ]
        // 90,050 trials now, 29 earlier looks every 3,000 trials: the 30th look of a 30-look plan.
        let looks = (1..<30).map { $0 * 3_000 }
        let plain = rate { _ in ScoreInput(arms: arms) }
        let planned = rate { index in ScoreInput(arms: arms, design: .init(horizon: 90_100 + index, looks: looks)) }
        // 999 earlier looks, hourly over six weeks of 90 trials an hour: the 1,000th look.
        let hourly = (1..<1_000).map { $0 * 90 }
        let start = clock.now
        _ = try? Scorer.score(ScoreInput(arms: arms, design: .init(horizon: 90_100, looks: hourly)))
        let thousandLooks = (clock.now - start).seconds * 1_000
        return (plain.arms, planned.arms, plain.scores, planned.scores, thousandLooks)
    }

    /// Mean impressions (both arms) to the first call, and the fraction of campaigns with a call, per rule.
    func simulate(rates: (Double, Double), days: Int, perDay: Int) -> (impressions: [Rule: Double], decided: [Rule: Double]) {
        let design = GroupSequentialDesign(fractions: (1...days).map { Double($0) / Double(days) }, alpha: 0.05)
        var generator = SplitMix64(seed: seed &+ UInt64(rates.1 * 1e6))
        var total: [Rule: Int] = [:]
        var decided: [Rule: Int] = [:]
        for _ in 0..<campaigns {
            var successes = (0, 0)
            var firstCall: [Rule: Int] = [:]
            for day in 1...days {
                let n = day * perDay
                successes.0 += BinomialSampler.sample(trials: perDay, probability: rates.0, using: &generator)
                successes.1 += BinomialSampler.sample(trials: perDay, probability: rates.1, using: &generator)
                let test = TwoProportionTest(treatment: (successes.1, n), control: (successes.0, n), alpha: 0.05)
                let d = test.absoluteDifference
                let v = test.unpooledVariance
                let calls: [Rule: Bool] = [
                    // Herald's planned test: the pooled (null) variance for the z-statistic, as its scorer does.
                    .herald: test.pooledVariance > 0 && abs(d) / test.pooledVariance.squareRoot() >= design.boundaries[day - 1],
                    .growthbook: PeerSequentialRules.asymptoticConfidenceSequenceRejects(
                        difference: d,
                        variance: v,
                        total: 2 * n,
                        alpha: 0.05,
                        tuning: 5_000
                    ),
                    .eppo: PeerSequentialRules.asymptoticConfidenceSequenceRejects(
                        difference: d,
                        variance: v,
                        total: 2 * n,
                        alpha: 0.05,
                        tuning: 10_000
                    ),
                    .naive: PeerSequentialRules.naiveZTestRejects(difference: d, variance: v, alpha: 0.05),
                ]
                for (rule, call) in calls where call && firstCall[rule] == nil { firstCall[rule] = 2 * n }
                if firstCall.count == Rule.allCases.count { break }
            }
            for rule in Rule.allCases {
                total[rule, default: 0] += firstCall[rule] ?? 2 * days * perDay
                if firstCall[rule] != nil { decided[rule, default: 0] += 1 }
            }
        }
        return (
            total.mapValues { Double($0) / Double(campaigns) },
            Dictionary(uniqueKeysWithValues: Rule.allCases.map { ($0, Double(decided[$0] ?? 0) / Double(campaigns)) })
        )
    }
}
