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
                format: "Herald needs %.2fx GrowthBook's and %.2fx Eppo's impressions",
                herald / lift.impressions[.growthbook]!,
                herald / lift.impressions[.eppo]!
            )
        )
        let json: [String: AnyEncodable] = [
            "bench": AnyEncodable("score"),
            "arms_per_s": AnyEncodable(throughput.plain.rounded()),
            "arms_per_s_designed": AnyEncodable(throughput.designed.rounded()),
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

    /// Scores a 3-arm input repeatedly; returns arms per second without and with a planned design.
    func measureThroughput(seconds: Double) -> (plain: Double, designed: Double) {
        func rate(_ input: ScoreInput) -> Double {
            let clock = ContinuousClock()
            let start = clock.now
            var arms = 0
            var elapsed = 0.0
            while elapsed < seconds / 2 {
                arms += (try? Scorer.score(input).arms.count) ?? 0
                let duration = clock.now - start
                elapsed = duration.seconds
            }
            return Double(arms) / elapsed
        }
        let arms = [
            ScoreInput.Arm(id: "A", trials: 30_000, successes: 1_200), ScoreInput.Arm(id: "B", trials: 30_100, successes: 1_290),
            ScoreInput.Arm(id: "C", trials: 29_950, successes: 1_180),
        ]
        let looks = (1..<30).map { $0 * 9_000 }
        return (
            rate(ScoreInput(arms: arms)),
            rate(ScoreInput(arms: arms, design: .init(horizon: 270_000, looks: Array(looks.prefix(9)))))
        )
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
