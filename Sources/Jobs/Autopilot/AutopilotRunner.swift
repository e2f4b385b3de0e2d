import Analytics
import Autopilot
import Foundation
import HeraldCore
import Logging
import Scheduling
import Storage

/// Runs autopilot after an analysis: plans within the campaign's guard rails, records the plan (pending in suggest
/// mode), and in auto mode applies it, each action audited with the analysis it came from.
public struct AutopilotRunner: Sendable {
    let database: Database
    let workspace: WorkspaceID
    let logger: Logger

    /// Who applies actions in auto mode, as the audit records it (`autopilot`).
    public static let actor = AuditActor.system("autopilot")

    public init(database: Database, workspace: WorkspaceID, logger: Logger) {
        self.database = database
        self.workspace = workspace
        self.logger = logger
    }

    /// What one run did.
    public struct Outcome: Sendable, Equatable {
        public var mode: AutopilotMode
        public var recorded: [AutopilotStore.Action]
        public var held: [String]
    }

    /// What autopilot plans after one analysis, before it is recorded.
    public struct Planning: Sendable {
        public var mode: AutopilotMode
        /// The actions to record, pending, in plan order.
        public var planned: [AutopilotStore.Planned]
        /// What a guard rail held back, and why.
        public var held: [String]
    }

    /// Plans after `analysis` and records (suggest) or applies (auto) the plan; nothing when the campaign's autopilot is
    /// off. A plan already recorded for this analysis is not recorded again. (The `analyze` job records the plan in the
    /// analysis's own transaction instead: ``CampaignAnalysis/analyze(_:alpha:now:notes:completing:autopilot:)``.)
    @discardableResult
    public func run(after analysis: CampaignAnalysis.Outcome, now: Date) async throws -> Outcome {
        let planning = try await plan(after: analysis, now: now)
        _ = try await AutopilotStore(database, workspace: workspace).record(
            planning.planned,
            campaign: analysis.campaign.id,
            analysis: analysis.analysisID,
            at: now
        )
        var analysis = analysis
        analysis.autopilot = planning
        return try await act(after: analysis, now: now)
    }

    /// Autopilot's plan after `analysis` within the campaign's guard rails (reads only; nothing is recorded). Off: an
    /// empty plan.
    public func plan(after analysis: CampaignAnalysis.Outcome, now: Date) async throws -> Planning {
        let store = AutopilotStore(database, workspace: workspace)
        let settings = try await store.settings(campaign: analysis.campaign.id)
        let mode = try AutopilotMode.parse(settings.mode)
        guard mode != .off else { return Planning(mode: mode, planned: [], held: []) }
        let rails = try JSONDecoder().decode(GuardRails.self, from: Data(settings.railsJSON.utf8))
        let plan = Autopilot.plan(try await input(analysis, store: store, now: now), rails: rails)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let planned = try plan.actions.map { action in
            AutopilotStore.Planned(kind: action.kind, json: String(decoding: try encoder.encode(action), as: UTF8.self), reason: action.reason)
        }
        return Planning(mode: mode, planned: planned, held: plan.held)
    }

    /// Acts on the plan recorded with `analysis`: in auto mode applies its actions still pending, in order; in suggest
    /// mode they wait for a person. Applying an action again is refused by the store, so a second call does nothing.
    @discardableResult
    public func act(after analysis: CampaignAnalysis.Outcome, now: Date) async throws -> Outcome {
        guard let planning = analysis.autopilot, planning.mode != .off else {
            return Outcome(mode: analysis.autopilot?.mode ?? .off, recorded: [], held: analysis.autopilot?.held ?? [])
        }
        let store = AutopilotStore(database, workspace: workspace)
        let campaign = analysis.campaign
        // The analysis's actions in plan order (the store lists the newest first).
        var recorded = Array(try await store.actions(campaign: campaign.id).filter { $0.analysis == analysis.analysisID }.reversed())
        if planning.mode == .auto {
            recorded = try await recorded.asyncMap { action in
                guard action.state == "pending" else { return action }
                return try await Self.apply(action, store: store, campaign: campaign, by: Self.actor, at: now)
            }
        }
        var metadata: Logger.Metadata = [
            "herald.campaign.id": "\(campaign.id)", "herald.autopilot.mode": "\(planning.mode.rawValue)",
            "herald.autopilot.actions": "\(recorded.map(\.kind).joined(separator: ","))",
        ]
        if !planning.held.isEmpty { metadata["herald.autopilot.held"] = "\(planning.held.joined(separator: " "))" }
        logger.info("autopilot ran", metadata: metadata)
        return Outcome(mode: planning.mode, recorded: recorded, held: planning.held)
    }

    /// Applies a recorded action (by autopilot in auto mode, or by a person from suggest mode) and returns it applied.
    public static func apply(
        _ action: AutopilotStore.Action,
        store: AutopilotStore,
        campaign: Campaign,
        by actor: AuditActor,
        at now: Date
    ) async throws -> AutopilotStore.Action {
        let decoded = try JSONDecoder().decode(AutopilotAction.self, from: Data(action.actionJSON.utf8))
        let effect: AutopilotStore.Effect
        switch decoded.change {
        case .setSplit(let split):
            effect = .split(split, reason: decoded.reason)
        case .stopArm(let arm):
            // Its share goes to the others in proportion.
            var shares = Dictionary(uniqueKeysWithValues: campaign.variants.map { ($0.key, CampaignSplit.shares(of: campaign.variants)[$0.id] ?? 0) })
            shares[arm] = 0
            let total = shares.values.reduce(0, +)
            guard total > 0 else { throw ConflictError("\(arm) is the campaign's last live variant: it cannot be stopped") }
            effect = .split(shares.mapValues { $0 / total }, reason: decoded.reason)
        case .declareWinner(let arm):
            effect = .winner(key: arm, reason: decoded.reason, sendToRest: false)
        case .sendWinnerToRest(let arm):
            effect = .winner(key: arm, reason: decoded.reason, sendToRest: true)
        case .queueChallenger(let leaderKey):
            guard let briefJSON = try await CampaignStore(store.database, workspace: store.workspace).brief(of: campaign.id) else {
                throw ConflictError("campaign \(campaign.slug) has no brief to write a challenger from: generate its variants from a brief first")
            }
            guard let leader = campaign.variants.first(where: { $0.key == leaderKey }), let channel = leader.channels.first ?? campaign.channels.first
            else { throw ConflictError("\(leaderKey) is not a variant of campaign \(campaign.slug)") }
            var payload = GenerateVariantsPayload(
                campaign: campaign.id,
                workspace: store.workspace,
                brief: try JSONDecoder().decode(JSONValue.self, from: Data(briefJSON.utf8)),
                channel: channel,
                count: 1,
                seed: withUnsafeBytes(of: action.id.uuid) { $0.prefix(4).reduce(UInt64(0)) { $0 << 8 | UInt64($1) } }
            )
            payload.challengerOf = leaderKey
            effect = .job(
                JobRequest(payload: payload, runAt: now, uniqueKey: AutopilotStore.challengerKey(action.id), workspace: store.workspace)
            )
        case .moveSchedule(let hours, let from):
            // A move applied already is refused as such, not as a schedule that changed since (by the move itself).
            try await store.requirePending(action.id)
            let settings = try await store.settings(campaign: campaign.id)
            let rails = try JSONDecoder().decode(GuardRails.self, from: Data(settings.railsJSON.utf8))
            effect = .schedule(try scheduleMove(to: hours, from: from, campaign: campaign, rails: rails, now: now))
        }
        return try await store.apply(action.id, effect: effect, by: actor, at: now)
    }

    /// Undoes an applied action (see ``AutopilotStore/undo(_:by:at:nextFire:)``); a moved schedule's next fire is
    /// computed by the scheduler's own rules.
    @discardableResult
    public static func undo(
        _ action: AutopilotStore.Action,
        store: AutopilotStore,
        by actor: AuditActor,
        at now: Date
    ) async throws
        -> AutopilotStore.Action
    {
        try await store.undo(action.id, by: actor, at: now) { stored in try SchedulePlanner.schedule(of: stored).nextFire(after: now) }
    }

    /// The move of `campaign`'s schedule to fire at `hours` of the week (0 = Monday 00:00 in the campaign's zone),
    /// keeping its minute, zone and active window.
    ///
    /// - Throws: ``ConflictError`` when the campaign's schedule is not a weekly cron rule, posts in other hours than
    ///   `from` now (a person changed it since the analysis: their change is never overwritten), or the move would post
    ///   more often than now or more than the guard rail's posts per account per day.
    static func scheduleMove(
        to hours: [Int],
        from: [Int],
        campaign: Campaign,
        rails: GuardRails,
        now: Date
    ) throws
        -> AutopilotStore.ScheduleMove
    {
        guard let spec = campaign.schedule else {
            throw ConflictError("campaign \(campaign.slug) has no schedule to move: give it one, then dismiss this")
        }
        let current = try CampaignSchedule.validate(spec)
        guard let (posting, minute) = WeeklyHours.hours(of: current) else {
            throw ConflictError(
                "campaign \(campaign.slug)'s schedule \"\(spec.cron)\" is not a weekly rule at one minute past set hours: autopilot moves only "
                    + "those; change it by hand, then dismiss this"
            )
        }
        let named = { (list: [Int]) in list.sorted().map(Autopilot.hourName).joined(separator: ", ") }
        guard Set(posting) == Set(from) else {
            throw ConflictError(
                "campaign \(campaign.slug)'s schedule changed since this was planned (it posts \(named(posting)), not \(named(from))): "
                    + "a person's change is never overwritten; dismiss this, and the next analysis plans from the schedule as it is"
            )
        }
        let wanted = Set(hours)
        guard !wanted.isEmpty, wanted.allSatisfy({ (0..<168).contains($0) }) else {
            throw ValidationError(field: "hours", reason: "a schedule move needs hours of the week in 0…167, found \(hours)")
        }
        guard wanted.count <= posting.count else {
            throw ConflictError("the move posts \(wanted.count) times a week, more often than the \(posting.count) now: autopilot never does")
        }
        if let busiest = Dictionary(grouping: wanted, by: { $0 / 24 }).max(by: { $0.value.count < $1.value.count }),
            busiest.value.count > rails.postsPerAccountPerDay
        {
            throw ConflictError(
                "the move posts \(busiest.value.count) times on \(Autopilot.hourName(busiest.key * 24).prefix(3)), more than the guard rail's "
                    + "\(rails.postsPerAccountPerDay) posts per account per day"
            )
        }
        let to = WeeklyHours.rule(hours: Array(wanted), minute: minute)
        return AutopilotStore.ScheduleMove(
            from: spec.cron,
            to: to,
            timeZone: spec.tz,
            details: ["hours": .array(wanted.sorted().map { .integer(Int64($0)) }), "previous_hours": .array(posting.map { .integer(Int64($0)) })],
            nextFire: { stored in try SchedulePlanner.schedule(of: stored).nextFire(after: now) }
        )
    }

    /// What autopilot knows of the campaign after `analysis`.
    func input(_ analysis: CampaignAnalysis.Outcome, store: AutopilotStore, now: Date) async throws -> AutopilotInput {
        let campaign = analysis.campaign
        let score = analysis.score
        let shares = CampaignSplit.shares(of: campaign.variants)
        let shareByKey = Dictionary(uniqueKeysWithValues: campaign.variants.map { ($0.key, shares[$0.id] ?? 0) })
        let arms = score.arms.map { arm in
            AutopilotInput.Arm(
                id: arm.id,
                trials: arm.trials,
                live: (shareByKey[arm.id] ?? 0) > 0,
                share: shareByKey[arm.id] ?? 0,
                pBest: arm.pBest
            )
        }
        let periods = try await store.periods(campaign: campaign.id)
        let mismatch = try await sampleRatioMismatch(campaign: campaign, periods: periods, shares: shareByKey, score: score, store: store)
        let phase = try await CampaignStore(database, workspace: workspace).testPhase(of: campaign.id)
        let audience: AutopilotInput.AudiencePhase? = phase.map { $0.winner == nil ? .testing : .sent }
        return AutopilotInput(
            arms: arms,
            advisedSplit: score.allocation,
            winner: score.recommendations.first { $0.action == .declareWinner }?.arm,
            losers: score.recommendations.filter { $0.action == .stopArm }.compactMap(\.arm),
            sampleRatioMismatch: mismatch,
            audience: audience,
            challengersQueued: try await store.challengersQueued(campaign: campaign.id),
            canWriteChallengers: try await CampaignStore(database, workspace: workspace).brief(of: campaign.id) != nil,
            lastSplitChange: periods.last?.startedAt,
            standoutHours: analysis.sendTime?.standouts(alpha: analysis.input.alpha ?? 0.05).map(\.hourOfWeek) ?? [],
            scheduledHours: Self.postingHours(of: campaign),
            now: now
        )
    }

    /// The hours of the week (in the campaign's zone) a campaign's weekly cron schedule posts in; none for any other
    /// schedule, which autopilot does not move.
    static func postingHours(of campaign: Campaign) -> [Int] {
        guard let spec = campaign.schedule, let schedule = try? CampaignSchedule.validate(spec) else { return [] }
        return WeeklyHours.hours(of: schedule)?.hours ?? []
    }

    /// The sample-ratio check of the current allocation period: its impressions against its own split, over the
    /// variants it gives traffic, so a change of split cannot raise a false alarm. Before the split first changes, the
    /// whole campaign against its split.
    func sampleRatioMismatch(
        campaign: Campaign,
        periods: [AutopilotStore.Period],
        shares: [String: Double],
        score: ScoreResult,
        store: AutopilotStore
    ) async throws -> Bool {
        let counts: [String: Int]
        let weights: [String: Double]
        if let current = periods.last {
            counts = try await store.assignments(campaign: campaign, since: current.startedAt)
            weights = current.weights
        } else {
            counts = Dictionary(uniqueKeysWithValues: score.arms.map { ($0.id, $0.trials) })
            weights = shares
        }
        let keys = campaign.variants.map(\.key).filter { (weights[$0] ?? 0) > 0 }
        guard keys.count > 1 else { return false }
        return SampleRatioMismatch(trials: keys.map { counts[$0] ?? 0 }, weights: keys.map { weights[$0] ?? 0 }).detected
    }
}

extension Array {
    /// Maps in order, awaiting each.
    func asyncMap<T>(_ transform: (Element) async throws -> T) async throws -> [T] {
        var mapped: [T] = []
        mapped.reserveCapacity(count)
        for element in self { mapped.append(try await transform(element)) }
        return mapped
    }
}
