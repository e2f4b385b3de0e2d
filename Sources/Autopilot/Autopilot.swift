import Foundation
import HeraldCore

/// From an analysis and the guard rails to the changes autopilot makes, each with its reason.
///
/// Pure: it reads values and returns values; the Jobs target applies the plan (auto) or records it as pending
/// (suggest), audits every action and can undo it. The rules, in order:
/// 1. A flagged sample-ratio mismatch holds everything: the numbers may be wrong.
/// 2. Nothing changes until every live arm has the minimum sample.
/// 3. A winner declared on evidence that stays valid under repeated looks takes every upcoming send (in a test-then-send
///    campaign it goes to the rest of the audience) once it also leads the others with a chance of being best of at
///    least `winnerProbability`: the analysis compares each arm with the control, so with three or more arms another
///    may be as good; until then the winner is held and the plan goes on as without one.
/// 4. Arms advised to stop are stopped (never the leader, never the last live arm), and each stopped arm queues a
///    challenger written from the leader while the campaign's challenger budget lasts (social campaigns).
/// 5. The split moves toward the analysis's advice, at most `maximumShift` of all traffic per change, no live arm
///    below `minimumShare`, at most once per `minimumPeriod`; each change opens a new allocation period.
/// 6. A social campaign's posting hours move to the hours in which engagement stands out, keeping how often it posts
///    and at most `postsPerAccountPerDay` posts a day.
public enum Autopilot {
    /// Changes smaller than this (total variation distance) are not worth a new allocation period.
    public static let smallestShift = 0.01

    public static func plan(_ input: AutopilotInput, rails: GuardRails) -> AutopilotPlan {
        var plan = AutopilotPlan()
        let live = input.arms.filter(\.live)
        guard !live.isEmpty else {
            plan.held.append("No variant is live: there is nothing to steer.")
            return plan
        }
        if input.sampleRatioMismatch {
            plan.held.append(
                "A sample-ratio mismatch is flagged in the current allocation period: nothing changes until it is investigated, "
                    + "since the numbers may be wrong."
            )
            return plan
        }
        if let thinnest = live.min(by: { $0.trials < $1.trials }), thinnest.trials < rails.minimumSample {
            plan.held.append(
                "Too little data for any change: every live variant needs \(rails.minimumSample) trials first "
                    + "(\(thinnest.id) has \(thinnest.trials))."
            )
            return plan
        }
        if input.audience == .sent {
            plan.held.append("The winner has gone to the rest of the audience: the test is over.")
            return plan
        }
        let leader = live.max(by: { ($0.pBest, $1.id) < ($1.pBest, $0.id) })!

        if let winner = input.winner, let arm = live.first(where: { $0.id == winner }),
            arm.id != leader.id || arm.pBest < rails.winnerProbability
        {
            plan.held.append(
                "\(winner) beats the control, but its chance of being best is \(percent(arm.pBest)) "
                    + "(below the \(percent(rails.winnerProbability)) autopilot needs): another variant may be as good, so it is not "
                    + "declared yet."
            )
        } else if let winner = input.winner, let arm = live.first(where: { $0.id == winner }) {
            if live.count > 1 || input.audience == .testing {
                plan.actions.append(
                    AutopilotAction(
                        .declareWinner(arm: winner),
                        reason: "\(winner) is the winner on evidence that holds however often the results are checked "
                            + "(chance of being best \(percent(arm.pBest))): it takes every upcoming send."
                    )
                )
            }
            if input.audience == .testing {
                plan.actions.append(
                    AutopilotAction(.sendWinnerToRest(arm: winner), reason: "The test decided: \(winner) goes to the rest of the audience.")
                )
            }
            return plan
        }

        // Stops: evidence that an arm is worse than the control, never the leader, never the last live arm.
        var stopped = Set<String>()
        for loser in input.losers where loser != leader.id && live.contains(where: { $0.id == loser }) && !stopped.contains(loser) {
            guard live.count - stopped.count > 1 else { break }
            stopped.insert(loser)
            plan.actions.append(
                AutopilotAction(
                    .stopArm(arm: loser),
                    reason: "\(loser) is worse than the control on evidence that holds under repeated looks: it gets no more traffic."
                )
            )
        }
        if input.audience == nil {
            var queued = input.challengersQueued
            for loser in input.losers where stopped.contains(loser) {
                if !input.canWriteChallengers {
                    plan.held.append("\(loser) stopped, but the campaign has no brief to write a challenger from: none is queued.")
                } else if queued < rails.challengerBudget {
                    queued += 1
                    plan.actions.append(
                        AutopilotAction(
                            .queueChallenger(leader: leader.id),
                            reason: "\(loser) stopped: a challenger written from the leader \(leader.id) takes its place "
                                + "(\(queued) of \(rails.challengerBudget) challengers)."
                        )
                    )
                } else {
                    plan.held.append("\(loser) stopped, but the campaign's \(rails.challengerBudget) challengers are spent: none is queued.")
                }
            }
        }

        // The split: from the current one (with stopped arms' shares given to the others) toward the advice.
        let remaining = live.filter { !stopped.contains($0.id) }
        let base = Self.normalised(remaining.map(\.share))
        if remaining.count > 1, !input.advisedSplit.isEmpty {
            let advised = remaining.map { max(0, input.advisedSplit[$0.id] ?? 0) }
            let target = Self.floored(Self.normalised(advised), floor: rails.minimumShare)
            let distance = Self.totalVariation(base, target)
            if distance < smallestShift {
                // Nothing worth a new period.
            } else if let last = input.lastSplitChange, input.now.timeIntervalSince(last) < rails.minimumPeriod, stopped.isEmpty {
                let hours = Int((rails.minimumPeriod - input.now.timeIntervalSince(last)) / 3_600 + 0.999)
                plan.held.append(
                    "The advised split moves \(percent(distance)) of traffic, but the split changed less than "
                        + "\(Int(rails.minimumPeriod / 3_600)) h ago: it waits about \(hours) h more."
                )
            } else {
                let step = min(1, rails.maximumShift / distance)
                let moved = zip(base, target).map { $0 + step * ($1 - $0) }
                var split = Dictionary(uniqueKeysWithValues: zip(remaining.map(\.id), moved))
                for arm in input.arms where split[arm.id] == nil { split[arm.id] = 0 }
                let described = remaining.map { "\($0.id) \(percent(split[$0.id] ?? 0))" }.joined(separator: ", ")
                let capped =
                    step < 1
                    ? " (the advice moves \(percent(distance)) of traffic; at most \(percent(rails.maximumShift)) moves per change)" : ""
                plan.actions.append(
                    AutopilotAction(
                        .setSplit(split),
                        reason: "Shift traffic toward the likelier winners: \(described)\(capped); a new allocation period begins."
                    )
                )
                return Self.withSchedule(plan, input, rails)
            }
        }
        if !stopped.isEmpty {
            // The stopped arms' shares go to the others in proportion, as the new period's split.
            var split = Dictionary(uniqueKeysWithValues: zip(remaining.map(\.id), base))
            for arm in input.arms where split[arm.id] == nil { split[arm.id] = 0 }
            plan.actions.append(
                AutopilotAction(
                    .setSplit(split),
                    reason: "The stopped variants' traffic goes to the others in proportion; a new allocation period begins."
                )
            )
        }
        return Self.withSchedule(plan, input, rails)
    }

    /// Adds a move of a social campaign's posting hours to where engagement stands out.
    static func withSchedule(_ plan: AutopilotPlan, _ input: AutopilotInput, _ rails: GuardRails) -> AutopilotPlan {
        guard input.audience == nil, !input.standoutHours.isEmpty, !input.scheduledHours.isEmpty else { return plan }
        guard let hours = schedule(standouts: input.standoutHours, current: input.scheduledHours, perDay: rails.postsPerAccountPerDay),
            Set(hours) != Set(input.scheduledHours)
        else { return plan }
        var plan = plan
        let named = hours.filter { input.standoutHours.contains($0) }.map(hourName).joined(separator: ", ")
        plan.actions.append(
            AutopilotAction(
                .moveSchedule(hours: hours, from: Array(Set(input.scheduledHours)).sorted()),
                reason: "Engagement stands out on \(named): the campaign posts then, as often as before, "
                    + "at most \(rails.postsPerAccountPerDay) posts a day per account."
            )
        )
        return plan
    }

    /// As many posting hours as now, the standout ones first (best first), then the current ones, with at most
    /// `perDay` in any day; nil when none fits.
    static func schedule(standouts: [Int], current: [Int], perDay: Int) -> [Int]? {
        let wanted = Set(current).count
        var chosen: [Int] = []
        var perDayCount: [Int: Int] = [:]
        for hour in uniqued(standouts + current.sorted()) where (0..<168).contains(hour) && chosen.count < wanted {
            let day = hour / 24
            guard perDayCount[day, default: 0] < perDay else { continue }
            perDayCount[day, default: 0] += 1
            chosen.append(hour)
        }
        return chosen.isEmpty ? nil : chosen.sorted()
    }

    /// Shares scaled to sum to 1 (equal when they sum to nothing).
    static func normalised(_ shares: [Double]) -> [Double] {
        let total = shares.map { max(0, $0) }.reduce(0, +)
        guard total > 0 else { return shares.map { _ in 1 / Double(max(shares.count, 1)) } }
        return shares.map { max(0, $0) / total }
    }

    /// Shares with every one at least `floor` (or equal shares when the floor cannot be kept), the difference taken
    /// from the others in proportion.
    static func floored(_ shares: [Double], floor: Double) -> [Double] {
        guard !shares.isEmpty else { return shares }
        let floor = min(floor, 1 / Double(shares.count))
        var result = shares
        var pinned = Set<Int>()
        for _ in shares.indices {
            let below = result.indices.filter { !pinned.contains($0) && result[$0] < floor }
            if below.isEmpty { break }
            pinned.formUnion(below)
            let free = result.indices.filter { !pinned.contains($0) }
            let freeMass = free.map { result[$0] }.reduce(0, +)
            let remaining = 1 - Double(pinned.count) * floor
            for index in pinned { result[index] = floor }
            for index in free { result[index] = freeMass > 0 ? result[index] / freeMass * remaining : remaining / Double(free.count) }
        }
        return result
    }

    /// Half the sum of the absolute differences: the share of traffic that moves.
    static func totalVariation(_ a: [Double], _ b: [Double]) -> Double {
        zip(a, b).map { abs($0 - $1) }.reduce(0, +) / 2
    }

    static func uniqued(_ values: [Int]) -> [Int] {
        var seen = Set<Int>()
        return values.filter { seen.insert($0).inserted }
    }

    static func percent(_ value: Double) -> String { String(format: "%.0f%%", value * 100) }

    /// "Tue 19:00" for an hour of the week (0 = Monday 00:00).
    public static func hourName(_ hour: Int) -> String {
        let days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        let clock = hour % 24
        return "\(days[(hour / 24) % 7]) \(clock < 10 ? "0" : "")\(clock):00"
    }
}
