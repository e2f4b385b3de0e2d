import Foundation
import HeraldCore
import Logging
import PostgresNIO

extension AutopilotStore {
    /// What applying an action changes, written in the transaction that marks it applied.
    public enum Effect: Sendable {
        /// Upcoming sends follow this split (variant key → share); a new allocation period begins.
        case split([String: Double], reason: String)
        /// The variant takes every upcoming send; in a test-then-send campaign it is also recorded as the winner,
        /// which queues its sending to the rest of the audience.
        case winner(key: String, reason: String, sendToRest: Bool)
        /// A job to queue (a challenger's generation), under a unique key of the action so it is queued once.
        case job(JobRequest)
        /// The campaign's posting schedule moves to another rule (same zone and active window), unless a person changed
        /// it since the move was planned.
        case schedule(ScheduleMove)
        /// Nothing changes in the campaign.
        case none
    }

    /// Marks a pending action applied by `actor` and makes its effect, in one transaction, keeping what undoing it
    /// restores (the split before, and the schedule before a move).
    ///
    /// - Throws: ``NotFoundError`` for an action the workspace does not have; ``ConflictError`` when it is not pending
    ///   (naming its state, who decided and when); ``ValidationError`` for a split that names a key the campaign does
    ///   not have.
    @discardableResult
    public func apply(_ id: UUID, effect: Effect, by actor: AuditActor, at now: Date) async throws -> Action {
        let workspace = workspace
        let logger = database.logger
        try await database.transaction { connection in
            let claimed = try await connection.query(
                """
                UPDATE autopilot_actions SET state = 'applied', decided_by = \(actor.decider), decided_at = \(now)
                WHERE workspace_id = \(workspace.uuid) AND id = \(id) AND state = 'pending'
                RETURNING campaign_id, analysis_id, reason
                """,
                logger: logger
            )
            var claim: (UUID, UUID, String)?
            for try await row in claimed.decode((UUID, UUID, String).self) { claim = row }
            guard let (campaign, analysis, actionReason) = claim else { throw try await refusal(id, doing: "applied") }
            var scheduleUndo: ScheduleUndo?
            let variants = try await Self.variants(campaign: campaign, workspace: workspace, connection: connection, logger: logger)
            let before = Dictionary(uniqueKeysWithValues: variants.map { ($0.key, $0.weight) })
            func setWeights(_ weights: [String: Double?], _ reason: String) async throws {
                try await Self.setWeights(
                    weights,
                    of: variants,
                    reason: reason,
                    campaign: campaign,
                    workspace: workspace,
                    at: now,
                    connection: connection,
                    logger: logger
                )
            }
            switch effect {
            case .split(let split, let reason):
                try await setWeights(split.mapValues { Optional($0) }, reason)
            case .winner(let key, let reason, let sendToRest):
                guard before.keys.contains(key) else {
                    throw ValidationError(
                        field: "arm",
                        reason: "\"\(key)\" is not a variant of the campaign (\(before.keys.sorted().joined(separator: ", ")))"
                    )
                }
                // The winner takes its channels' sends; another channel's own variants keep theirs.
                let winner = variants.first { $0.key == key }?.channels ?? []
                let split = Dictionary(
                    uniqueKeysWithValues: variants.map { variant in
                        (variant.key, variant.key == key ? 1.0 : variant.channels.allSatisfy(winner.contains) ? 0.0 : variant.weight)
                    }
                )
                try await setWeights(split, reason)
                if sendToRest {
                    let outcome = try await CampaignStore.chooseWinner(
                        CampaignID(campaign),
                        variantKey: key,
                        chosenBy: actor.decider,
                        reason: reason,
                        at: now,
                        workspace: workspace,
                        connection: connection,
                        logger: logger
                    )
                    if case .alreadyChosen(let standing) = outcome, standing.variantKey != key {
                        throw ConflictError(
                            "the campaign's winner is already \(standing.variantKey) (chosen by \(standing.chosenBy)): it cannot become \(key)"
                        )
                    }
                }
            case .job(let request):
                try JobQueue.check([request])
                _ = try await JobQueue.insert([request], connection: connection, logger: logger)
            case .schedule(let move):
                try await Self.moveSchedule(
                    move,
                    campaign: campaign,
                    action: id,
                    analysis: analysis,
                    reason: actionReason,
                    actor: actor,
                    workspace: workspace,
                    at: now,
                    connection: connection,
                    logger: logger
                )
                scheduleUndo = ScheduleUndo(from: move.from, to: move.to, tz: move.timeZone)
            case .none:
                break
            }
            struct Undo: Encodable {
                var weights: [String: Double?]
                var schedule: ScheduleUndo?
            }
            let undo = String(decoding: try JSONEncoder().encode(Undo(weights: before, schedule: scheduleUndo)), as: UTF8.self)
            try await connection.query(
                "UPDATE autopilot_actions SET undo = \(undo)::jsonb WHERE id = \(id)",
                logger: logger
            )
        }
        return try await action(id)
    }

    /// Marks a pending action dismissed by `actor`: nothing changes.
    @discardableResult
    public func dismiss(_ id: UUID, by actor: AuditActor, at now: Date) async throws -> Action {
        let rows = try await database.client.query(
            """
            UPDATE autopilot_actions SET state = 'dismissed', decided_by = \(actor.decider), decided_at = \(now)
            WHERE workspace_id = \(workspace.uuid) AND id = \(id) AND state = 'pending' RETURNING 1
            """,
            logger: database.logger
        )
        for try await _ in rows.decode(Int.self) { return try await action(id) }
        throw try await refusal(id, doing: "dismissed")
    }

    /// Undoes an applied action: the split before it comes back (as a new allocation period), a challenger's generation
    /// that has not run is taken off the queue, a moved schedule gets its rule before back.
    ///
    /// - Parameter nextFire: For a schedule move, the first fire of the campaign's stored schedule with the rule before
    ///   (Storage does not read rules; `AutopilotRunner.undo` passes the scheduler's own computation).
    /// - Throws: ``ConflictError`` for an action that is not applied, for a winner already sent to the rest of the
    ///   audience (a sent message cannot be recalled), for a challenger already written (stop it instead), and for a
    ///   moved schedule that a person changed since (their change is never overwritten).
    @discardableResult
    public func undo(
        _ id: UUID,
        by actor: AuditActor,
        at now: Date,
        nextFire: (@Sendable (StoredSchedule) throws -> Date?)? = nil
    ) async throws -> Action {
        let workspace = workspace
        let logger = database.logger
        try await database.transaction { connection in
            let rows = try await connection.query(
                """
                UPDATE autopilot_actions SET state = 'undone', undone_by = \(actor.decider), undone_at = \(now)
                WHERE workspace_id = \(workspace.uuid) AND id = \(id) AND state = 'applied'
                RETURNING campaign_id, kind, coalesce(undo::text, '{}'), reason, analysis_id
                """,
                logger: logger
            )
            var found: (UUID, String, String, String, UUID)?
            for try await row in rows.decode((UUID, String, String, String, UUID).self) { found = row }
            guard let (campaign, kind, undo, reason, analysis) = found else { throw try await refusal(id, doing: "undone") }
            switch kind {
            case "move_schedule":
                struct Undo: Decodable { var schedule: ScheduleUndo? }
                guard let moved = try JSONDecoder().decode(Undo.self, from: Data(undo.utf8)).schedule else {
                    throw ConflictError("this schedule move kept no schedule to go back to: set the schedule by hand instead")
                }
                guard let nextFire else {
                    throw StorageError("undoing a schedule move needs the next fire computation (AutopilotRunner.undo)")
                }
                try await Self.moveSchedule(
                    ScheduleMove(from: moved.to, to: moved.from, timeZone: moved.tz, nextFire: nextFire),
                    campaign: campaign,
                    action: id,
                    analysis: analysis,
                    reason: "undo of: \(reason)",
                    undoing: true,
                    actor: actor,
                    workspace: workspace,
                    at: now,
                    connection: connection,
                    logger: logger
                )
            case "send_winner_to_rest":
                throw ConflictError(
                    "the winner went to the rest of the audience: sent messages cannot be recalled, so this action cannot be undone"
                )
            case "queue_challenger":
                let removed = try await connection.query(
                    "DELETE FROM jobs WHERE unique_key = \(Self.challengerKey(id)) AND state = 'pending' RETURNING 1",
                    logger: logger
                )
                var gone = false
                for try await _ in removed.decode(Int.self) { gone = true }
                guard gone else {
                    throw ConflictError("the challenger is written already: stop it by giving it a weight of 0 instead of undoing")
                }
            default:
                struct Undo: Decodable { var weights: [String: Double?] }
                let before = try JSONDecoder().decode(Undo.self, from: Data(undo.utf8)).weights
                try await Self.setWeights(
                    before,
                    of: try await Self.variants(campaign: campaign, workspace: workspace, connection: connection, logger: logger),
                    reason: "undo of: \(reason)",
                    campaign: campaign,
                    workspace: workspace,
                    at: now,
                    connection: connection,
                    logger: logger
                )
            }
        }
        return try await action(id)
    }

    /// Throws the refusal ``apply(_:effect:by:at:)`` would give when the action is not pending (naming its state and who
    /// decided), so a caller that prepares an effect first says why it cannot be applied before anything else.
    public func requirePending(_ id: UUID) async throws {
        guard try await action(id).state == "pending" else { throw try await refusal(id, doing: "applied") }
    }

    /// The unique key of the job a `queue_challenger` action queues.
    public static func challengerKey(_ action: UUID) -> String { "autopilot_challenger:\(action.uuidString.lowercased())" }

    /// Why an action cannot be `doing` (applied, dismissed, undone): it does not exist, or its state.
    func refusal(_ id: UUID, doing: String) async throws -> any Error {
        let current = try await action(id)
        let who = current.decidedBy.map { " by \($0)" } ?? ""
        return ConflictError(
            "autopilot action \(id.uuidString.lowercased()) is \(current.state)\(who): only a \(doing == "undone" ? "applied" : "pending") action can be \(doing)"
        )
    }

    /// A variant as a split sees it: its key, its stored weight (nil: unset) and the channels it goes to.
    struct SplitVariant: Sendable {
        var key: String
        var weight: Double?
        var channels: [HeraldCore.Channel]
    }

    /// The campaign's variants in their order, with their weights and resolved channels.
    static func variants(campaign: UUID, workspace: WorkspaceID, connection: PostgresConnection, logger: Logger) async throws -> [SplitVariant] {
        let rows = try await connection.query(
            """
            SELECT key, weight, coalesce(channels, (SELECT array_agg(kind ORDER BY position) FROM channels c WHERE c.campaign_id = v.campaign_id), '{}')
            FROM variants v WHERE workspace_id = \(workspace.uuid) AND campaign_id = \(campaign) ORDER BY position
            """,
            logger: logger
        )
        var variants: [SplitVariant] = []
        for try await (key, weight, channels) in rows.decode((String, Double?, [String]).self) {
            variants.append(SplitVariant(key: key, weight: weight, channels: channels.compactMap(HeraldCore.Channel.init(rawValue:))))
        }
        return variants
    }

    /// Sets the weights of `variants` (the campaign's, as just read) as given (nil: unset; a key not named: 0) and opens
    /// a new allocation period with the shares they make.
    ///
    /// - Throws: ``ValidationError`` for a key the campaign does not have, a weight outside 0…1, or a split that leaves a
    ///   channel without a live variant.
    static func setWeights(
        _ weights: [String: Double?],
        of variants: [SplitVariant],
        reason: String,
        campaign: UUID,
        workspace: WorkspaceID,
        at now: Date,
        connection: PostgresConnection,
        logger: Logger
    ) async throws {
        let keys = variants.map(\.key)
        let values: [Double?] = keys.map { key in weights[key] ?? 0 }
        try CampaignSplit.check(
            Dictionary(uniqueKeysWithValues: zip(keys, values)).merging(weights) { _, given in given },
            of: variants.map { ($0.key, $0.channels) },
            field: "split"
        )
        try await connection.query(
            """
            UPDATE variants v SET weight = CASE WHEN w.is_set THEN w.weight END
            FROM unnest(\(keys)::text[], \(values.map { $0 ?? 0 })::float8[], \(values.map { $0 != nil })::bool[]) AS w(key, weight, is_set)
            WHERE v.workspace_id = \(workspace.uuid) AND v.campaign_id = \(campaign) AND v.key = w.key
            """,
            logger: logger
        )
        // The period's shares, by the rule the split itself reads the weights with.
        let shares = Dictionary(uniqueKeysWithValues: zip(keys, CampaignSplit.shares(of: values)))
        let json = String(decoding: try JSONEncoder().encode(shares), as: UTF8.self)
        try await connection.query(
            """
            INSERT INTO allocation_periods (workspace_id, campaign_id, number, started_at, weights, reason)
            SELECT \(workspace.uuid), \(campaign), coalesce(max(number), 0) + 1, \(now), \(json)::jsonb, \(reason)
            FROM allocation_periods WHERE campaign_id = \(campaign)
            """,
            logger: logger
        )
    }
}
