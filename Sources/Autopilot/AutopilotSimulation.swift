import Analytics
import Foundation
import HeraldCore

/// Simulated campaigns (labelled as a simulation wherever shown) in which three policies steer the same audience:
/// a fixed equal split, a bandit that moves the split every day without guard rails, and autopilot within its rails.
///
/// Each campaign has 2–4 variants with known true rates (half of them with no real difference, to count false
/// winners), day-to-day noise shared by all variants and a novelty that decays; every day the day's sends follow the
/// policy's split, the analysis scores the totals so far (always-valid sequential test), and the policy acts. Regret is
/// the successes lost against always sending the truly best variant, from the true rates (so it does not depend on luck
/// in the draws of successes).
public enum AutopilotSimulation {
    public enum Policy: String, CaseIterable, Sendable {
        case autopilot, fixed, bandit
    }

    /// The outcome over all campaigns.
    public struct Result: Sendable, Equatable {
        public var campaigns: Int
        /// Mean regret per campaign (successes lost against the best variant), by policy.
        public var regret: [Policy: Double]
        /// Share of campaigns without a real difference in which autopilot declared a winner.
        public var falseWinnerRate: Double
        /// Share of campaigns with a real difference in which autopilot declared a variant that is not the best.
        public var wrongWinnerRate: Double
        /// Share of campaigns with a real difference that autopilot decided (declared a winner).
        public var decidedRate: Double
        /// Mean actions autopilot applied per campaign.
        public var actionsPerCampaign: Double
    }

    /// One simulated campaign's truth.
    struct Truth {
        var rates: [Double]
        var realDifference: Bool
        var best: Double { rates.max() ?? 0 }
    }

    /// A small deterministic generator (SplitMix64).
    struct Random: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    public static func run(
        campaigns: Int,
        days: Int = 30,
        dailySends: Int = 6_000,
        seed: UInt64 = 7,
        rails: GuardRails = GuardRails(minimumPeriod: 86_400)
    ) -> Result {
        var regret: [Policy: Double] = [:]
        var falseWinners = 0
        var nullCampaigns = 0
        var wrongWinners = 0
        var decided = 0
        var realCampaigns = 0
        var actions = 0
        for index in 0..<campaigns {
            var random = Random(state: seed &+ UInt64(index) &* 0x1000_0001)
            let truth = makeTruth(using: &random)
            // The same days of noise for every policy: they face the same audience.
            let noise = AudienceModel.dayFactors(days: days, using: &random)
            for policy in Policy.allCases {
                var policyRandom = Random(state: seed &+ UInt64(index) &* 0x2000_0003 &+ UInt64(policy.rawValue.count))
                let outcome = simulate(truth, noise: noise, dailySends: dailySends, policy: policy, rails: rails, using: &policyRandom)
                regret[policy, default: 0] += outcome.regret
                guard policy == .autopilot else { continue }
                actions += outcome.actions
                if truth.realDifference {
                    realCampaigns += 1
                    if let winner = outcome.winner {
                        decided += 1
                        if truth.rates[winner] < truth.best { wrongWinners += 1 }
                    }
                } else {
                    nullCampaigns += 1
                    if outcome.winner != nil { falseWinners += 1 }
                }
            }
        }
        let count = Double(max(campaigns, 1))
        return Result(
            campaigns: campaigns,
            regret: regret.mapValues { $0 / count },
            falseWinnerRate: Double(falseWinners) / Double(max(nullCampaigns, 1)),
            wrongWinnerRate: Double(wrongWinners) / Double(max(realCampaigns, 1)),
            decidedRate: Double(decided) / Double(max(realCampaigns, 1)),
            actionsPerCampaign: Double(actions) / count
        )
    }

    static func makeTruth(using random: inout Random) -> Truth {
        let arms = Int.random(in: 2...4, using: &random)
        let base = Double.random(in: 0.02...0.06, using: &random)
        guard Bool.random(using: &random) else { return Truth(rates: Array(repeating: base, count: arms), realDifference: false) }
        // One variant better by 10–40 %, and sometimes one worse by up to 40 %.
        var rates = Array(repeating: base, count: arms)
        let better = Int.random(in: 0..<arms, using: &random)
        rates[better] = base * Double.random(in: 1.1...1.4, using: &random)
        if arms > 2, Bool.random(using: &random) {
            let worse = (better + 1) % arms
            rates[worse] = base * Double.random(in: 0.6...0.9, using: &random)
        }
        return Truth(rates: rates, realDifference: true)
    }

    struct Outcome {
        var regret: Double
        var winner: Int?
        var actions: Int
    }

    static func simulate(
        _ truth: Truth,
        noise: [Double],
        dailySends: Int,
        policy: Policy,
        rails: GuardRails,
        using random: inout Random
    ) -> Outcome {
        let count = truth.rates.count
        let ids = (0..<count).map { String(UnicodeScalar(UInt8(65 + $0))) }
        var shares = Array(repeating: 1 / Double(count), count: count)
        var live = Array(repeating: true, count: count)
        var trials = Array(repeating: 0, count: count)
        var successes = Array(repeating: 0, count: count)
        var days: [PeriodWeightedPosterior.Period] = []
        var regret = 0.0
        var winner: Int?
        var actions = 0
        var lastChange: Date?
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        for (day, factor) in noise.enumerated() {
            let now = start.addingTimeInterval(Double(day + 1) * 86_400)
            // The day's sends follow the split; successes follow the true rates and the day's noise.
            var dayTrials = Array(repeating: 0, count: count)
            var dayWins = Array(repeating: 0, count: count)
            var left = dailySends
            var mass = 1.0
            for arm in 0..<count {
                let n =
                    arm == count - 1
                    ? left : BinomialSampler.sample(trials: left, probability: mass > 0 ? min(1, shares[arm] / mass) : 0, using: &random)
                left -= n
                mass -= shares[arm]
                dayTrials[arm] = n
                dayWins[arm] = BinomialSampler.sample(trials: n, probability: min(1, truth.rates[arm] * factor), using: &random)
                regret += Double(n) * (truth.best - truth.rates[arm]) * factor
            }
            for arm in 0..<count {
                trials[arm] += dayTrials[arm]
                successes[arm] += dayWins[arm]
            }
            days.append(.init(trials: dayTrials, successes: dayWins))
            guard policy != .fixed, winner == nil else { continue }
            let posteriors = PeriodWeightedPosterior.posteriors(days, arms: count)
            let pBest = BestArm(posteriors: posteriors).probabilityOfBeingBest()
            if policy == .bandit {
                shares = Allocation(probabilityOfBeingBest: pBest, trials: trials, live: live, minimumShare: 0.01, burnIn: 1_000).shares
                continue
            }
            guard
                let score = try? Scorer.score(
                    ScoreInput(control: ids[0], arms: (0..<count).map { ScoreInput.Arm(id: ids[$0], trials: trials[$0], successes: successes[$0]) })
                )
            else { continue }
            let advised = Allocation(
                probabilityOfBeingBest: pBest,
                trials: trials,
                live: live,
                minimumShare: rails.minimumShare,
                burnIn: rails.minimumSample
            )
            let input = AutopilotInput(
                arms: (0..<count).map { AutopilotInput.Arm(id: ids[$0], trials: trials[$0], live: live[$0], share: shares[$0], pBest: pBest[$0]) },
                advisedSplit: advised.adapted ? Dictionary(uniqueKeysWithValues: zip(ids, advised.shares)) : [:],
                winner: score.recommendations.first { $0.action == .declareWinner }?.arm,
                losers: score.recommendations.filter { $0.action == .stopArm }.compactMap(\.arm),
                // The simulation assigns exactly by the split: no mismatch.
                sampleRatioMismatch: false,
                canWriteChallengers: false,
                lastSplitChange: lastChange,
                now: now
            )
            for action in Autopilot.plan(input, rails: rails).actions {
                actions += 1
                switch action.change {
                case .declareWinner(let arm):
                    let index = ids.firstIndex(of: arm)!
                    winner = index
                    shares = (0..<count).map { $0 == index ? 1 : 0 }
                    live = (0..<count).map { $0 == index }
                case .stopArm(let arm):
                    let index = ids.firstIndex(of: arm)!
                    live[index] = false
                case .setSplit(let split):
                    shares = ids.map { split[$0] ?? 0 }
                    lastChange = now
                default:
                    break
                }
            }
            // A stop without a following split: the stopped share goes to the others in proportion.
            let total = (0..<count).filter { live[$0] }.map { shares[$0] }.reduce(0, +)
            shares = (0..<count).map { live[$0] && total > 0 ? shares[$0] / total : 0 }
        }
        return Outcome(regret: regret, winner: winner, actions: actions)
    }
}
