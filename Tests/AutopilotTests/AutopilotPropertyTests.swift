import Foundation
import HeraldCore
import PropertyBased
import Testing

@testable import Autopilot

/// Whatever the analysis says, autopilot's plan keeps every guard rail.
struct AutopilotPropertyTests {
    /// A small deterministic generator (SplitMix64), so each seed is one reproducible campaign.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// A random campaign after a random analysis.
    static func input(seed: Int) -> (AutopilotInput, GuardRails) {
        var random = SplitMix(state: UInt64(seed))
        let count = Int.random(in: 2...5, using: &random)
        let keys = ["A", "B", "C", "D", "E"]
        var shares = (0..<count).map { _ in Double.random(in: 0.05...1, using: &random) }
        var live = (0..<count).map { _ in Double.random(in: 0...1, using: &random) < 0.85 }
        if !live.contains(true) { live[0] = true }
        for index in shares.indices where !live[index] { shares[index] = 0 }
        let total = shares.reduce(0, +)
        shares = shares.map { $0 / total }
        var pBest = (0..<count).map { _ in Double.random(in: 0...1, using: &random) }
        let pTotal = pBest.reduce(0, +)
        pBest = pBest.map { $0 / pTotal }
        let arms = (0..<count).map { index in
            AutopilotInput.Arm(
                id: keys[index],
                trials: Int.random(in: 0...6_000, using: &random),
                live: live[index],
                share: shares[index],
                pBest: pBest[index]
            )
        }
        var advised: [String: Double] = [:]
        if Bool.random(using: &random) {
            for arm in arms where arm.live { advised[arm.id] = Double.random(in: 0...1, using: &random) }
        }
        let audience: AutopilotInput.AudiencePhase? = [nil, nil, .testing, .sent].randomElement(using: &random)!
        let input = AutopilotInput(
            arms: arms,
            advisedSplit: advised,
            winner: Double.random(in: 0...1, using: &random) < 0.2 ? keys[Int.random(in: 0..<count, using: &random)] : nil,
            losers: keys.prefix(count).filter { _ in Double.random(in: 0...1, using: &random) < 0.3 },
            sampleRatioMismatch: Double.random(in: 0...1, using: &random) < 0.1,
            audience: audience,
            challengersQueued: Int.random(in: 0...4, using: &random),
            lastSplitChange: Bool.random(using: &random) ? now.addingTimeInterval(-Double.random(in: 0...(3 * 86_400), using: &random)) : nil,
            standoutHours: (0..<Int.random(in: 0...6, using: &random)).map { _ in Int.random(in: 0..<168, using: &random) },
            scheduledHours: (0..<Int.random(in: 0...10, using: &random)).map { _ in Int.random(in: 0..<168, using: &random) },
            now: now
        )
        let rails = GuardRails(
            minimumSample: Int.random(in: 0...2_000, using: &random),
            maximumShift: Double.random(in: 0.05...1, using: &random),
            minimumPeriod: Double.random(in: 0...(2 * 86_400), using: &random),
            minimumShare: Double.random(in: 0...0.2, using: &random),
            challengerBudget: Int.random(in: 0...4, using: &random),
            postsPerAccountPerDay: Int.random(in: 1...4, using: &random)
        )
        return (input, rails)
    }

    @Test func everyPlanKeepsTheGuardRails() async {
        await propertyCheck(count: 1_000, input: Gen.int(in: 0...Int(Int32.max))) { seed in
            let (input, rails) = Self.input(seed: seed)
            let plan = Autopilot.plan(input, rails: rails)
            let live = input.arms.filter(\.live)
            // Held entirely: a mismatch, too little data, or a finished test.
            if input.sampleRatioMismatch || live.contains(where: { $0.trials < rails.minimumSample }) || input.audience == .sent {
                #expect(plan.actions.isEmpty, "seed \(seed): acted while held: \(plan.actions)")
                return
            }
            let stopped = plan.actions.compactMap { action -> String? in
                if case .stopArm(let arm) = action.change { return arm }
                return nil
            }
            // Never the last live arm, never the leader, only live arms.
            #expect(stopped.count < live.count, "seed \(seed)")
            let leader = live.max(by: { ($0.pBest, $1.id) < ($1.pBest, $0.id) })!
            #expect(!stopped.contains(leader.id), "seed \(seed): stopped the leader")
            #expect(Set(stopped).isSubset(of: Set(live.map(\.id))), "seed \(seed)")
            // Challengers within the budget, only for social campaigns.
            let challengers = plan.actions.filter { $0.kind == "queue_challenger" }.count
            #expect(input.challengersQueued + challengers <= max(rails.challengerBudget, input.challengersQueued), "seed \(seed)")
            if input.audience != nil { #expect(challengers == 0) }
            for action in plan.actions {
                switch action.change {
                case .setSplit(let split):
                    let remaining = live.filter { !stopped.contains($0.id) }
                    let total = split.values.reduce(0, +)
                    #expect(abs(total - 1) < 1e-9, "seed \(seed): split sums to \(total)")
                    #expect(split.values.allSatisfy { $0 >= 0 }, "seed \(seed)")
                    for arm in input.arms where !remaining.contains(where: { $0.id == arm.id }) {
                        #expect(split[arm.id] ?? 0 == 0, "seed \(seed): \(arm.id) is not live but gets \(split[arm.id] ?? 0)")
                    }
                    // The move from the split after the stops is within the cap, and no live arm falls below the floor
                    // (or below where it already was, if a person set it lower).
                    let base = Autopilot.normalised(remaining.map(\.share))
                    let new = remaining.map { split[$0.id] ?? 0 }
                    #expect(Autopilot.totalVariation(base, new) <= rails.maximumShift + 1e-9, "seed \(seed): moved too much")
                    let floor = min(rails.minimumShare, 1 / Double(remaining.count))
                    for (old, value) in zip(base, new) {
                        #expect(value >= min(floor, old) - 1e-9, "seed \(seed): \(value) below the floor \(floor)")
                    }
                    // Not twice in a period, unless an arm was stopped on evidence.
                    if stopped.isEmpty, let last = input.lastSplitChange {
                        #expect(input.now.timeIntervalSince(last) >= rails.minimumPeriod, "seed \(seed): changed within the period")
                    }
                case .moveSchedule(let hours, _):
                    #expect(input.audience == nil)
                    // As often as before, unless the schedule a person set posts more a day than the cap allows.
                    let before = Set(input.scheduledHours)
                    let busiest = Dictionary(grouping: before, by: { $0 / 24 }).values.map(\.count).max() ?? 0
                    #expect(hours.count <= before.count, "seed \(seed): posts more often")
                    if busiest <= rails.postsPerAccountPerDay { #expect(hours.count == before.count, "seed \(seed): posting volume changed") }
                    let perDay = Dictionary(grouping: hours, by: { $0 / 24 }).values.map(\.count).max() ?? 0
                    #expect(perDay <= rails.postsPerAccountPerDay, "seed \(seed): \(perDay) posts a day")
                case .declareWinner(let arm), .sendWinnerToRest(let arm):
                    #expect(arm == input.winner && live.contains { $0.id == arm }, "seed \(seed)")
                case .stopArm, .queueChallenger:
                    break
                }
            }
        }
    }

    @Test func aPlanAppliedIsNotMadeAgain() async {
        await propertyCheck(count: 400, input: Gen.int(in: 0...Int(Int32.max))) { seed in
            var (input, rails) = Self.input(seed: seed)
            input.winner = nil
            input.losers = []
            let plan = Autopilot.plan(input, rails: rails)
            var applied = input
            for action in plan.actions {
                switch action.change {
                case .setSplit(let split):
                    applied.arms = applied.arms.map { arm in
                        var arm = arm
                        arm.share = split[arm.id] ?? 0
                        return arm
                    }
                    applied.lastSplitChange = input.now
                case .moveSchedule(let hours, _): applied.scheduledHours = hours
                default: break
                }
            }
            let again = Autopilot.plan(applied, rails: rails)
            #expect(!again.actions.contains { $0.kind == "move_schedule" }, "seed \(seed): moved the schedule twice")
            if rails.minimumPeriod > 0 {
                #expect(!again.actions.contains { $0.kind == "set_split" }, "seed \(seed): changed the split twice in a period")
            }
        }
    }
}
