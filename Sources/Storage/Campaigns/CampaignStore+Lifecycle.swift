import Foundation
import HeraldCore
import PostgresNIO

extension CampaignStore {
    /// What a lifecycle action did.
    public struct Transition: Sendable, Equatable {
        public var from: CampaignStatus
        public var to: CampaignStatus
        /// Publications that had not gone out and were cancelled (pause, end).
        public var cancelledPublications: Int
    }

    /// Applies a lifecycle action (`start`, `pause`, `resume`, `end`, `archive`) in one transaction.
    ///
    /// - Pause and end disable the campaign's schedules and cancel its publications that have not gone out, with
    ///   their queued `publish` jobs (and pending fires), so nothing of it is published afterwards.
    /// - Start and resume enable its schedules again from `now`: fires that fell in the pause are skipped, not made up.
    ///   `nextFire` gives a schedule's next fire after `now` (the scheduling rules live outside storage).
    ///
    /// - Throws: ``NotFoundError``; ``ConflictError`` naming what the campaign's state allows instead.
    public func apply(
        _ action: CampaignAction,
        to id: CampaignID,
        now: Date,
        nextFire: @escaping @Sendable (StoredSchedule) throws -> Date?
    ) async throws -> Transition {
        let logger = database.logger
        let outcome: Result<Transition, ConflictError>? = try await database.transaction { connection in
            let rows = try await connection.query(
                """
                SELECT status, EXISTS (SELECT 1 FROM publications p WHERE p.campaign_id = c.id)
                FROM campaigns c WHERE c.id = \(id.uuid) AND c.workspace_id = \(workspace.uuid) FOR UPDATE
                """,
                logger: logger
            )
            var current: (CampaignStatus, Bool)?
            for try await (status, published) in rows.decode((String, Bool).self) {
                current = (CampaignStatus(rawValue: status) ?? .scheduled, published)
            }
            guard let (status, published) = current else { return nil }
            guard action.allowedFrom.contains(status) else { return .failure(ConflictError(action.refusal(from: status))) }
            let target = action.target(from: status, hasPublished: published)
            try await connection.execute(
                "UPDATE campaigns SET status = \(target.rawValue), status_changed_at = \(now) WHERE id = \(id.uuid)",
                logger: logger
            )
            var cancelled = 0
            switch action {
            case .pause, .end:
                cancelled = try await Self.stopPublishing(id, connection: connection, now: now, reason: "campaign \(target.rawValue)", logger: logger)
            case .start, .resume:
                let schedules = try await ScheduleStore.decode(
                    try await connection.query(
                        "SELECT \(unescaped: ScheduleStore.columns) FROM schedules WHERE campaign_id = \(id.uuid)",
                        logger: logger
                    )
                )
                for schedule in schedules {
                    let next = schedule.maxFires.map { schedule.fireCount >= $0 } == true ? nil : try nextFire(schedule)
                    try await connection.execute(
                        """
                        UPDATE schedules SET enabled = true, next_fire_at = \(next), last_fire_at = greatest(last_fire_at, \(now))
                        WHERE id = \(schedule.id)
                        """,
                        logger: logger
                    )
                }
            case .archive:
                break
            }
            return .success(Transition(from: status, to: target, cancelledPublications: cancelled))
        }
        switch outcome {
        case nil: throw NotFoundError(kind: "campaign", id: id.description)
        case .failure(let conflict): throw conflict
        case .success(let transition): return transition
        }
    }

    /// Disables the campaign's schedules, cancels its pending fires, and cancels its publications that have not
    /// gone out together with their queued `publish` jobs; returns how many publications.
    static func stopPublishing(_ id: CampaignID, connection: PostgresConnection, now: Date, reason: String, logger: Logger) async throws -> Int {
        try await connection.execute("UPDATE schedules SET enabled = false WHERE campaign_id = \(id.uuid)", logger: logger)
        let cancelled = try await connection.query(
            """
            WITH stopped AS (
                UPDATE publications SET status = 'cancelled', error = \(reason)
                WHERE campaign_id = \(id.uuid) AND status = 'scheduled'
                RETURNING id::text AS id
            ), jobs_stopped AS (
                UPDATE jobs SET state = 'cancelled', finished_at = \(now), last_error = \(reason)
                WHERE state = 'pending'
                  AND ((kind = 'publish' AND payload->>'publication_id' IN (SELECT id FROM stopped))
                       OR (kind = 'publish_campaign' AND (payload->>'campaign_id')::uuid = \(id.uuid)))
                RETURNING id
            ), fires_given_back AS (
                -- A fire cancelled before it ran does not count against the schedule's number of fires.
                UPDATE schedules s SET fire_count = greatest(s.fire_count - g.cancelled, 0)
                FROM (SELECT f.schedule_id, count(*)::int AS cancelled FROM schedule_fires f
                      WHERE f.job_id IN (SELECT id FROM jobs_stopped) GROUP BY f.schedule_id) g
                WHERE s.id = g.schedule_id
            )
            SELECT count(*)::int FROM stopped
            """,
            logger: logger
        )
        for try await count in cancelled.decode(Int.self) { return count }
        return 0
    }

    /// Moves a scheduled campaign to running (its first publication went out or was created); other states stay.
    public func markRunning(_ id: CampaignID, now: Date) async throws {
        try await database.client.query(
            """
            UPDATE campaigns SET status = 'running', status_changed_at = \(now)
            WHERE id = \(id.uuid) AND workspace_id = \(workspace.uuid) AND status = 'scheduled'
            """,
            logger: database.logger
        )
    }
}

extension CampaignStore {
    /// Sets the campaign's split: each variant's weight among the variants of its channels (normalised per channel),
    /// or equal shares again when `weights` is nil. Autopilot and people set it the same way.
    ///
    /// - Parameter weights: Variant key → weight from 0 to 1; every variant must be named, and each channel must keep a
    ///   variant with a weight above 0.
    /// - Throws: ``ValidationError`` naming the key or channel that is wrong.
    public func setSplit(_ id: CampaignID, weights: [String: Double]?) async throws -> Campaign {
        let campaign = try await find(id)
        guard let weights else {
            try await database.client.query(
                "UPDATE variants SET weight = NULL WHERE campaign_id = \(id.uuid) AND workspace_id = \(workspace.uuid)",
                logger: database.logger
            )
            return try await find(id)
        }
        // A variant left out is named as missing below; for the check it counts as unset.
        var given: [String: Double?] = weights.mapValues { Optional($0) }
        for variant in campaign.variants where given[variant.key] == nil { given[variant.key] = .some(nil) }
        try CampaignSplit.check(given, of: campaign.variants.map { ($0.key, $0.channels) }, field: "weights")
        if let missing = campaign.variants.first(where: { weights[$0.key] == nil }) {
            throw ValidationError(field: "weights.\(missing.key)", reason: "is missing: give every variant a weight (0 stops it)")
        }
        let ordered = campaign.variants.map(\.key)
        try await database.client.query(
            """
            UPDATE variants v SET weight = w.weight
            FROM unnest(\(ordered)::text[], \(ordered.map { weights[$0]! })::float8[]) AS w(key, weight)
            WHERE v.campaign_id = \(id.uuid) AND v.workspace_id = \(workspace.uuid) AND v.key = w.key
            """,
            logger: database.logger
        )
        return try await find(id)
    }
}
