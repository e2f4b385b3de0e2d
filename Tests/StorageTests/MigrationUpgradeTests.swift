import Foundation
import HeraldCore
import HeraldTestSupport
import PostgresNIO
import Testing

@testable import Storage

/// A database left by every earlier Herald, with data in it, migrates to the latest schema, keeps its data and is read
/// by the app: for each k, migrations 0001..k are applied, the rows a Herald at version k writes are inserted, then
/// the rest is applied.
struct MigrationUpgradeTests {
    static let workspace = "a0000000-0000-4000-8000-000000000001"
    static let campaign = "c0000000-0000-4000-8000-000000000001"
    static let variantA = "e0000000-0000-4000-8000-00000000000a"
    static let variantB = "e0000000-0000-4000-8000-00000000000b"
    static let publication = "b0000000-0000-4000-8000-000000000001"
    static let sending = "b0000000-0000-4000-8000-000000000002"
    static let schedule = "d0000000-0000-4000-8000-000000000001"
    static let account = "f0000000-0000-4000-8000-000000000001"
    static let media = "90000000-0000-4000-8000-000000000001"

    /// The rows a Herald writes when its schema is at `version`, as steps by the version that brought their tables
    /// (a step's statements use the columns and states of `version`).
    static func seeds(at version: Int) -> [(version: Int, statements: [String])] {
        // 0011 renamed external_id and the publishing state; 0004 keeps completed jobs in jobs_done only.
        let providerColumn = version < 11 ? "external_id" : "provider_id"
        let sendingState = version < 11 ? "publishing" : "sending"
        let completedJob =
            version < 4
            ? "INSERT INTO jobs (workspace_id, kind, state, attempts, finished_at) VALUES ('\(workspace)', 'noop', 'completed', 1, '2026-03-01T10:00:00Z')"
            : """
            INSERT INTO jobs_done (id, workspace_id, queue, kind, priority, attempts, max_attempts, run_at, created_at, finished_at)
            VALUES (999, '\(workspace)', 'default', 'noop', 0, 1, 5, '2026-03-01T09:00:00Z', '2026-03-01T09:00:00Z', '2026-03-01T10:00:00Z')
            """
        return [
            (
                1,
                [
                    "INSERT INTO workspaces (id, slug, name) VALUES ('\(workspace)', 'upgrade', 'Upgrade')",
                    """
                    INSERT INTO campaigns (id, workspace_id, slug, name, primary_metric, destination, schedule)
                    VALUES ('\(campaign)', '\(workspace)', 'spring', 'Spring sale', 'click', 'https://example.com/shoes',
                            '{"cron": "0 9 * * MON-FRI", "tz": "Europe/Berlin"}')
                    """,
                    "INSERT INTO channels (workspace_id, campaign_id, kind, position) VALUES ('\(workspace)', '\(campaign)', 'x', 0)",
                    """
                    INSERT INTO variants (id, workspace_id, campaign_id, key, text, features, position) VALUES
                        ('\(variantA)', '\(workspace)', '\(campaign)', 'A', 'Trail season is here.', '{"length": 21}', 0),
                        ('\(variantB)', '\(workspace)', '\(campaign)', 'B', 'Ready for your first ultra?', '{}', 1)
                    """,
                    """
                    INSERT INTO publications (id, workspace_id, campaign_id, variant_id, channel, scheduled_at, published_at,
                                              tracking_code, idempotency_key, status, \(providerColumn)) VALUES
                        ('\(publication)', '\(workspace)', '\(campaign)', '\(variantA)', 'x', '2026-03-01T09:00:00Z',
                         '2026-03-01T09:00:05Z', 'trk1', 'idem-1', 'published', 'ext-1'),
                        ('\(sending)', '\(workspace)', '\(campaign)', '\(variantB)', 'x', '2026-03-01T09:00:00Z', NULL,
                         'trk2', 'idem-2', '\(sendingState)', NULL)
                    """,
                    "SELECT herald_ensure_event_partition('2026-03-01T10:00:00Z')",
                    """
                    INSERT INTO events (id, workspace_id, campaign_id, variant_id, kind, occurred_at, value) VALUES
                        ('10000000-0000-4000-8000-000000000001', '\(workspace)', '\(campaign)', '\(variantA)', 'impression', '2026-03-01T10:00:00Z', NULL),
                        ('10000000-0000-4000-8000-000000000002', '\(workspace)', '\(campaign)', '\(variantA)', 'click', '2026-03-01T10:01:00Z', NULL),
                        ('10000000-0000-4000-8000-000000000003', '\(workspace)', '\(campaign)', '\(variantB)', 'conversion', '2026-03-01T10:02:00Z', 19.5)
                    """,
                    "INSERT INTO event_ids (id, workspace_id) SELECT id, workspace_id FROM events",
                    """
                    INSERT INTO variant_hourly (workspace_id, campaign_id, variant_id, hour, kind, count, value_sum, value_sum_sq) VALUES
                        ('\(workspace)', '\(campaign)', '\(variantA)', '2026-03-01T10:00:00Z', 'impression', 40, 0, 0),
                        ('\(workspace)', '\(campaign)', '\(variantA)', '2026-03-01T10:00:00Z', 'click', 7, 0, 0),
                        ('\(workspace)', '\(campaign)', '\(variantB)', '2026-03-01T10:00:00Z', 'impression', 38, 0, 0)
                    """,
                    """
                    INSERT INTO jobs (workspace_id, kind, payload, state, attempts, finished_at, last_error) VALUES
                        ('\(workspace)', 'noop', '{}', 'pending', 0, NULL, NULL),
                        ('\(workspace)', 'probe', '{"fail": true}', 'dead', 5, '2026-03-01T10:00:00Z', 'gave up')
                    """,
                    completedJob,
                    """
                    INSERT INTO analyses (workspace_id, campaign_id, result)
                    VALUES ('\(workspace)', '\(campaign)', '{"leader": "A", "probability": 0.93}')
                    """,
                ]
            ),
            (
                2,
                [
                    """
                    INSERT INTO schedules (id, workspace_id, campaign_id, name, rule, tz, job_kind, next_fire_at)
                    VALUES ('\(schedule)', '\(workspace)', '\(campaign)', 'weekday-posts', '0 9 * * MON-FRI', 'Europe/Berlin', 'noop',
                            '2026-03-02T08:00:00Z')
                    """,
                    """
                    INSERT INTO schedule_fires (schedule_id, fire_at, job_id) VALUES
                        ('\(schedule)', '2026-02-27T08:00:00Z', NULL), ('\(schedule)', '2026-02-26T08:00:00Z', NULL)
                    """,
                    """
                    INSERT INTO deliveries (idempotency_key, workspace_id, publication_id, channel, body)
                    VALUES ('idem-1', '\(workspace)', '\(publication)', 'x', 'Trail season is here.')
                    """,
                    "INSERT INTO job_probes (job_id, attempt, worker, ran_at) VALUES (1, 1, 'w1', '2026-03-01T10:00:00Z')",
                ]
            ),
            (3, ["UPDATE workspaces SET banned_words = '{guaranteed}', required_disclosures = '{#ad}'"]),
            (
                4,
                [
                    """
                    INSERT INTO jobs_done (id, workspace_id, queue, kind, priority, attempts, max_attempts, run_at, created_at, finished_at)
                    VALUES (1000, '\(workspace)', 'default', 'noop', 0, 1, 5, '2026-02-01T00:00:00Z', '2026-02-01T00:00:00Z', '2026-02-01T00:00:01Z')
                    """
                ]
            ),
            (
                5,
                [
                    """
                    INSERT INTO api_tokens (workspace_id, name, role, token_hash, prefix)
                    VALUES ('\(workspace)', 'ci', 'editor', '\\x00112233445566778899aabbccddeeff', 'hrd_0011')
                    """
                ]
            ),
            (6, ["UPDATE workspaces SET share_secret = '\\x0102030405060708'"]),
            (
                8,
                [
                    "UPDATE variants SET channels = '{x}', weight = 0.5 WHERE key = 'A'",
                    "UPDATE events SET publication_id = '\(publication)', channel = 'x' WHERE variant_id = '\(variantA)'",
                ]
            ),
            (
                10,
                [
                    "INSERT INTO tracking_salts (day, salt) VALUES ('2026-03-01', decode(repeat('ab', 32), 'hex'))",
                    """
                    INSERT INTO tracking_hits (workspace_id, hash, expires_at)
                    VALUES ('\(workspace)', decode(repeat('cd', 32), 'hex'), '2026-03-01T11:00:00Z')
                    """,
                ]
            ),
            (
                11,
                [
                    """
                    INSERT INTO accounts (id, workspace_id, name, kind, base_url, handle, credentials, key_id, pace_per_hour, pace_burst, bucket_tokens)
                    VALUES ('\(account)', '\(workspace)', 'main', 'mastodon', 'https://mastodon.example', '@herald', '\\xdeadbeef', 'k1', 30, 3, 3)
                    """,
                    """
                    INSERT INTO delivery_attempts (publication_id, number, account_id, worker, started_at, finished_at, outcome, http_status)
                    VALUES ('\(publication)', 1, '\(account)', 'w1', '2026-03-01T09:00:00Z', '2026-03-01T09:00:05Z', 'published', 200)
                    """,
                ]
            ),
            (
                12,
                [
                    """
                    INSERT INTO engagement_snapshots (publication_id, workspace_id, taken_at, round, likes, shares, comments, impressions)
                    VALUES ('\(publication)', '\(workspace)', '2026-03-01T12:00:00Z', 1, 12, 3, 1, 400)
                    """
                ]
            ),
            (
                13,
                [
                    """
                    INSERT INTO media (id, workspace_id, sha256, mime_type, bytes, width, height, byte_size)
                    VALUES ('\(media)', '\(workspace)', repeat('a', 64), 'image/png', '\\x89504e47', 1, 1, 4)
                    """,
                    """
                    INSERT INTO variant_media (workspace_id, variant_id, position, media_id, alt_text)
                    VALUES ('\(workspace)', '\(variantA)', 0, '\(media)', 'A trail at dawn')
                    """,
                ]
            ),
            (
                14,
                [
                    """
                    INSERT INTO lifecycle_webhooks (workspace_id, url, events, secret_env)
                    VALUES ('\(workspace)', 'https://hooks.example/herald', '{publication.published}', 'HERALD_WEBHOOK_MAIN')
                    """
                ]
            ),
        ]
    }

    static func run(_ database: Database, _ statement: String) async throws {
        try await database.client.execute(PostgresQuery(unsafeSQL: statement), logger: database.logger)
    }

    static func int(_ database: Database, _ statement: String) async throws -> Int {
        for try await value in try await database.client.query(PostgresQuery(unsafeSQL: statement), logger: database.logger).decode(Int.self) {
            return value
        }
        return -1
    }

    static func text(_ database: Database, _ statement: String) async throws -> String? {
        for try await value in try await database.client.query(PostgresQuery(unsafeSQL: statement), logger: database.logger).decode(
            String?.self
        ) {
            return value
        }
        return nil
    }

    /// Row counts of every ordinary table (partitions through their parent), migrations' own table aside.
    static func counts(_ database: Database) async throws -> [String: Int] {
        var tables: [String] = []
        let rows = try await database.client.query(
            """
            SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relname <> 'herald_migrations'
            """,
            logger: database.logger
        )
        for try await name in rows.decode(String.self) { tables.append(name) }
        var counts: [String: Int] = [:]
        for table in tables { counts[table] = try await int(database, "SELECT count(*)::int FROM \"\(table)\"") }
        return counts
    }

    @Test(arguments: Array(1..<((try? Migration.bundled().count) ?? 2)))
    func aDatabaseAtAnEarlierVersionWithDataMigratesAndKeepsIt(version: Int) async throws {
        let bundled = try Migration.bundled()
        let earlier = bundled.filter { $0.version <= version }
        try await TestDatabase.withFreshDatabase(migrated: false) { database in
            try await Migrator(migrations: earlier).migrate(database)
            for seed in Self.seeds(at: version) where seed.version <= version {
                for statement in seed.statements { try await Self.run(database, statement) }
            }
            let before = try await Self.counts(database)

            let outcome = try await Migrator(migrations: bundled).migrate(database)
            #expect(outcome.applied == bundled.filter { $0.version > version }.map(\.name))
            let after = try await Self.counts(database)

            // Every row survived: tables that existed keep their rows; completed jobs moved to the history (0004).
            for (table, count) in before where table != "jobs" && table != "jobs_done" {
                #expect(after[table] == count, "\(table): \(count) rows at version \(version), \(after[table] ?? -1) after migrating")
            }
            #expect((after["jobs"] ?? 0) + (after["jobs_done"] ?? 0) == (before["jobs"] ?? 0) + (before["jobs_done"] ?? 0))
            #expect(try await Self.int(database, "SELECT count(*)::int FROM jobs WHERE state = 'completed'") == 0)
            #expect(try await Self.int(database, "SELECT count(*)::int FROM events WHERE is_bot") == 0)
            #expect(try await Self.int(database, "SELECT count(*)::int FROM event_ids") == 3)

            // What later migrations rewrite is rewritten (0008 statuses and bodies, 0011 publication states).
            #expect(try await Self.text(database, "SELECT status FROM campaigns") == (version < 8 ? "running" : "scheduled"))
            let body = try await Self.text(database, "SELECT body FROM publications WHERE id = '\(Self.publication)'")
            #expect(body == (version < 8 ? "Trail season is here." : nil))
            let state = try await Self.text(database, "SELECT status FROM publications WHERE id = '\(Self.publication)'")
            #expect(state == (version < 11 ? "dry_run" : "published"))
            #expect(try await Self.text(database, "SELECT status FROM publications WHERE id = '\(Self.sending)'") == "sending")
            #expect(try await Self.text(database, "SELECT provider_id FROM publications WHERE id = '\(Self.publication)'") == "ext-1")
            if version >= 2 {
                #expect(try await Self.int(database, "SELECT fire_count FROM schedules") == (version < 8 ? 2 : 0))
            }

            // The app reads it through its repositories.
            let workspace = try await WorkspaceStore(database).find(slug: "upgrade")
            #expect(workspace.uuid.uuidString.lowercased() == Self.workspace)
            let campaign = try await CampaignStore(database, workspace: workspace).find("spring")
            #expect(campaign.variants.map(\.key) == ["A", "B"])
            // Written by hand before the review gate (0021): approved, so the campaign keeps publishing. Rows written
            // straight into a database that has the gate start pending, as its column's default says.
            #expect(campaign.variants.map(\.review) == (version < 21 ? [.approved, .approved] : [.pending, .pending]))
            #expect(campaign.channels == [.x])
            #expect(campaign.schedule?.cron == "0 9 * * MON-FRI")
            #expect(campaign.dryRun == (version < 11))
            let totals = try await EventStore(database, workspace: workspace).totals(campaign: campaign.id, metric: .click)
            #expect(totals.map(\.impressions) == [40, 38])
            #expect(totals.map(\.successes) == [7, 0])
            let publication = try await PublicationStore(database).find(UUID(uuidString: Self.publication)!)
            #expect(publication.providerID == "ext-1")
            let jobs = try await JobQueue(database).list()
            #expect(jobs.count == (version >= 4 ? 4 : 3))
            #expect(jobs.contains { $0.state == "dead" && $0.lastError == "gave up" })
            if version >= 2 {
                let schedules = try await ScheduleStore(database).list()
                #expect(schedules.map(\.name) == ["weekday-posts"])
            }
            if version >= 14 {
                #expect(try await LifecycleWebhookStore(database, workspace: workspace).list().count == 1)
            }
            // And writes to it: the newest schema takes new rows next to the old ones.
            try await Self.run(
                database,
                "INSERT INTO jobs (workspace_id, kind) VALUES ('\(Self.workspace)', 'noop')"
            )
        }
    }
}
