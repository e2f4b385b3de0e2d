import Foundation
import HeraldCore
import PostgresNIO

/// A schedule as stored: its rule in text form and the job each fire enqueues.
public struct StoredSchedule: Sendable, Equatable, Codable {
    public var id: UUID
    public var workspace: WorkspaceID?
    public var name: String
    /// `once:<ISO 8601>`, `every:<n><s|m|h|d>` or a cron expression.
    public var rule: String
    public var timeZone: String
    public var activeFrom: Date?
    public var activeUntil: Date?
    /// `skip` or `fire_once`.
    public var missed: String
    /// The kind's name as stored (see ``JobKind``).
    public var jobKind: String
    public var jobQueue: String
    /// The payload each fire's job gets, as stored (JSON encoded from the kind's payload type).
    public var jobPayload: String
    public var jobMaxAttempts: Int
    public var nextFireAt: Date?
    public var lastFireAt: Date?
    public var createdAt: Date
    /// At most this many fires; nil: no limit.
    public var maxFires: Int?
    /// How many fires it has made.
    public var fireCount: Int
    /// Whether it fires (a paused campaign's schedule does not).
    public var enabled: Bool

    enum CodingKeys: String, CodingKey {
        case id, workspace, name, rule, missed
        case timeZone = "tz"
        case activeFrom = "active_from"
        case activeUntil = "active_until"
        case jobKind = "job_kind"
        case jobQueue = "job_queue"
        case jobPayload = "job_payload"
        case jobMaxAttempts = "job_max_attempts"
        case nextFireAt = "next_fire_at"
        case lastFireAt = "last_fire_at"
        case createdAt = "created_at"
        case maxFires = "max_fires"
        case fireCount = "fire_count"
        case enabled
    }

    public init(
        id: UUID,
        workspace: WorkspaceID?,
        name: String,
        rule: String,
        timeZone: String,
        activeFrom: Date?,
        activeUntil: Date?,
        missed: String,
        jobKind: String,
        jobQueue: String,
        jobPayload: String,
        jobMaxAttempts: Int,
        nextFireAt: Date?,
        lastFireAt: Date?,
        createdAt: Date,
        maxFires: Int? = nil,
        fireCount: Int = 0,
        enabled: Bool = true
    ) {
        self.id = id
        self.workspace = workspace
        self.name = name
        self.rule = rule
        self.timeZone = timeZone
        self.activeFrom = activeFrom
        self.activeUntil = activeUntil
        self.missed = missed
        self.jobKind = jobKind
        self.jobQueue = jobQueue
        self.jobPayload = jobPayload
        self.jobMaxAttempts = jobMaxAttempts
        self.nextFireAt = nextFireAt
        self.lastFireAt = lastFireAt
        self.createdAt = createdAt
        self.maxFires = maxFires
        self.fireCount = fireCount
        self.enabled = enabled
    }
}

/// Schedules, and turning their due fires into jobs exactly once.
public struct ScheduleStore: Sendable {
    let database: Database

    public init(_ database: Database) {
        self.database = database
    }

    /// What to do with a due schedule: the fires to enqueue, and the schedule's new bookkeeping.
    public struct Plan: Sendable {
        /// Fire instants to turn into jobs (each at most once, ever).
        public var fires: [Date]
        /// The last fire considered (enqueued or skipped), so it is never considered again.
        public var lastConsidered: Date?
        /// The next fire after now, or nil when the schedule is over.
        public var next: Date?

        public init(fires: [Date], lastConsidered: Date?, next: Date?) {
            self.fires = fires
            self.lastConsidered = lastConsidered
            self.next = next
        }
    }

    /// Stores a schedule whose first fire is `nextFireAt` and whose every fire enqueues `job`
    /// (a typed payload encoded, e.g. `EncodedJobPayload(PublishCampaignPayload(campaign: id, workspace: workspace))`).
    ///
    /// - Throws: ``ValidationError`` on `name` when the workspace already has one by that name.
    public func create(
        name: String,
        rule: String,
        timeZone: String,
        workspace: WorkspaceID?,
        campaign: CampaignID? = nil,
        missed: String = "fire_once",
        job: EncodedJobPayload,
        jobQueue: String = "default",
        jobMaxAttempts: Int = 5,
        activeFrom: Date? = nil,
        activeUntil: Date? = nil,
        nextFireAt: Date?,
        now: Date
    ) async throws -> StoredSchedule {
        do {
            let rows = try await database.client.query(
                """
                INSERT INTO schedules (workspace_id, campaign_id, name, rule, tz, missed, job_kind, job_queue, job_payload, job_max_attempts,
                                       active_from, active_until, next_fire_at, created_at)
                VALUES (\(workspace?.uuid), \(campaign?.uuid), \(name), \(rule), \(timeZone), \(missed), \(job.kind.rawValue), \(jobQueue), \(job.json)::jsonb,
                        \(jobMaxAttempts), \(activeFrom), \(activeUntil), \(nextFireAt), \(now))
                RETURNING id
                """,
                logger: database.logger
            )
            for try await id in rows.decode(UUID.self) { return try await find(id) }
        } catch {
            if StorageError.sqlState(error) == "23505" {
                throw ValidationError(field: "name", reason: "a schedule named \"\(name)\" already exists")
            }
            throw error
        }
        throw StorageError("creating schedule \(name) returned no id")
    }

    public func find(_ id: UUID) async throws -> StoredSchedule {
        for schedule in try await select(where: id) { return schedule }
        throw NotFoundError(kind: "schedule", id: id.uuidString.lowercased())
    }

    /// Every schedule, by name.
    public func list() async throws -> [StoredSchedule] {
        try await select(where: nil)
    }

    private func select(where id: UUID?) async throws -> [StoredSchedule] {
        let rows = try await database.client.query(
            """
            SELECT \(unescaped: Self.columns)
            FROM schedules WHERE (\(id)::uuid IS NULL OR id = \(id)) ORDER BY name
            """,
            logger: database.logger
        )
        return try await Self.decode(rows)
    }

    /// The columns ``decode(_:)`` reads, in order.
    static let columns = """
        id, workspace_id, name, rule, tz, active_from, active_until, missed, job_kind, job_queue, job_payload::text,
        job_max_attempts, next_fire_at, last_fire_at, created_at, max_fires, fire_count, enabled
        """

    static func decode(_ rows: PostgresRowSequence) async throws -> [StoredSchedule] {
        var schedules: [StoredSchedule] = []
        for try await row in rows.decode(
            (UUID, UUID?, String, String, String, Date?, Date?, String, String, String, String, Int, Date?, Date?, Date, Int?, Int, Bool).self
        ) {
            schedules.append(
                StoredSchedule(
                    id: row.0,
                    workspace: row.1.map(WorkspaceID.init),
                    name: row.2,
                    rule: row.3,
                    timeZone: row.4,
                    activeFrom: row.5,
                    activeUntil: row.6,
                    missed: row.7,
                    jobKind: row.8,
                    jobQueue: row.9,
                    jobPayload: row.10,
                    jobMaxAttempts: row.11,
                    nextFireAt: row.12,
                    lastFireAt: row.13,
                    createdAt: row.14,
                    maxFires: row.15,
                    fireCount: row.16,
                    enabled: row.17
                )
            )
        }
        return schedules
    }

    /// What one ``materializeDue(now:limit:plan:)`` did.
    public struct Materialized: Sendable, Equatable {
        /// Due schedules handled (planned and moved to their next fire).
        public var schedules: Int
        /// Jobs enqueued for their fires.
        public var jobs: Int
    }

    /// Turns the fires of due schedules into jobs, in one transaction per call.
    ///
    /// Due schedules are locked with `SKIP LOCKED`, so concurrent schedulers split the work; each
    /// fire is recorded in `schedule_fires` under its primary key before its job is inserted,
    /// so a fire becomes a job once, whichever scheduler and however many times it is planned.
    /// Each job gets the schedule's kind and payload as stored: JSON encoded from the kind's ``JobPayload`` type
    /// when the schedule was created, copied here as is (no payload is assembled in SQL).
    ///
    /// - Parameters:
    ///   - now: The scheduler's current time.
    ///   - limit: Most schedules handled in this call.
    ///   - plan: Decides the fires and the next fire of a schedule (pure scheduling logic).
    /// - Returns: How many due schedules were handled (fewer than `limit`: none are left) and how many jobs were enqueued.
    public func materializeDue(now: Date, limit: Int = 100, plan: (StoredSchedule) throws -> Plan) async throws -> Materialized {
        let logger = database.logger
        return try await database.transaction { connection in
            let rows = try await connection.query(
                """
                SELECT \(unescaped: Self.columns)
                FROM schedules WHERE enabled AND next_fire_at <= \(now)
                ORDER BY next_fire_at LIMIT \(limit) FOR UPDATE SKIP LOCKED
                """,
                logger: logger
            )
            let due = try await Self.decode(rows)
            var enqueued = 0
            for schedule in due {
                var decision = try plan(schedule)
                // A schedule with a number of fires stops at the last one.
                if let maxFires = schedule.maxFires {
                    let remaining = max(maxFires - schedule.fireCount, 0)
                    if decision.fires.count >= remaining {
                        decision.fires = Array(decision.fires.prefix(remaining))
                        decision.next = nil
                    }
                }
                if !decision.fires.isEmpty {
                    let keys = decision.fires.map { "schedule:\(schedule.id.uuidString.lowercased()):\(Timestamp.format($0))" }
                    // Each fire is recorded under its unique key before its job exists, so a fire is never enqueued
                    // twice; the fires are then linked to their jobs in a statement of their own (a data-modifying
                    // CTE does not see rows that another CTE of the same statement inserted).
                    let added = try await connection.query(
                        """
                        WITH fires AS (
                            INSERT INTO schedule_fires (schedule_id, fire_at)
                            SELECT \(schedule.id), f FROM unnest(\(decision.fires)::timestamptz[]) AS f
                            ON CONFLICT DO NOTHING
                            RETURNING fire_at
                        )
                        INSERT INTO jobs (kind, payload, queue, run_at, max_attempts, unique_key, workspace_id)
                        SELECT \(schedule.jobKind), \(schedule.jobPayload)::jsonb, \(schedule.jobQueue), f.fire_at,
                               \(schedule.jobMaxAttempts), k.key, \(schedule.workspace?.uuid)
                        FROM fires f
                        JOIN unnest(\(decision.fires)::timestamptz[], \(keys)::text[]) AS k(fire_at, key) ON k.fire_at = f.fire_at
                        ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL AND state IN ('pending', 'running') DO NOTHING
                        RETURNING id, run_at
                        """,
                        logger: logger
                    )
                    var jobs: [Int64] = []
                    var fireTimes: [Date] = []
                    for try await (id, runAt) in added.decode((Int64, Date).self) {
                        jobs.append(id)
                        fireTimes.append(runAt)
                    }
                    if !jobs.isEmpty {
                        try await connection.execute(
                            """
                            UPDATE schedule_fires sf SET job_id = j.id
                            FROM unnest(\(jobs)::bigint[], \(fireTimes)::timestamptz[]) AS j(id, fire_at)
                            WHERE sf.schedule_id = \(schedule.id) AND sf.fire_at = j.fire_at
                            """,
                            logger: logger
                        )
                    }
                    enqueued += jobs.count
                }
                try await connection.query(
                    """
                    UPDATE schedules SET next_fire_at = \(decision.next),
                        last_fire_at = greatest(last_fire_at, \(decision.lastConsidered)),
                        fire_count = fire_count + \(decision.fires.count)
                    WHERE id = \(schedule.id)
                    """,
                    logger: logger
                )
            }
            if enqueued > 0 {
                try await connection.execute("SELECT pg_notify(\(JobQueue.channel), 'schedule')", logger: logger)
            }
            return Materialized(schedules: due.count, jobs: enqueued)
        }
    }
}

extension ScheduleStore {
    /// Ends every scheduled or running campaign whose schedules are all over (no next fire), whose fires have all
    /// run, and whose publications have all gone out (or failed, or were cancelled); answers how many. The scheduler
    /// runs this each pass, so a campaign ends within a pass of its last post. A campaign without a schedule
    /// (published by hand) is never ended this way.
    @discardableResult
    public func endFinishedCampaigns(now: Date) async throws -> Int {
        let rows = try await database.client.query(
            """
            UPDATE campaigns c SET status = 'ended', status_changed_at = \(now)
            WHERE c.status IN ('scheduled', 'running')
              AND EXISTS (SELECT 1 FROM schedules s WHERE s.campaign_id = c.id)
              AND NOT EXISTS (SELECT 1 FROM schedules s WHERE s.campaign_id = c.id AND s.next_fire_at IS NOT NULL)
              AND NOT EXISTS (SELECT 1 FROM schedules s JOIN schedule_fires f ON f.schedule_id = s.id JOIN jobs j ON j.id = f.job_id
                              WHERE s.campaign_id = c.id AND j.state IN ('pending', 'running'))
              AND NOT EXISTS (SELECT 1 FROM publications p WHERE p.campaign_id = c.id AND p.status IN ('scheduled', 'sending'))
            RETURNING c.id
            """,
            logger: database.logger
        )
        var ended = 0
        for try await _ in rows.decode(UUID.self) { ended += 1 }
        return ended
    }
}
