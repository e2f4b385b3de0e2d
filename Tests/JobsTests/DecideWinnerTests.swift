import Foundation
import HeraldCore
import HeraldTestSupport
import Jobs
import PostgresNIO
import Reports
import Scheduling
import Testing

@testable import Storage

/// `decide_winner` against the real database: the analysis declares, the deadline chooses, a person's choice stops the
/// job, and the conditional update lets exactly one of two concurrent choosers win.
struct DecideWinnerTests {
    /// 2026-03-02T08:00:00Z: when the test messages went out.
    static let start = Date(timeIntervalSince1970: 1_772_438_400)

    /// An email campaign with variants A and B, sending to an audience with a 20% test share, deciding within 3 days.
    static func campaign(
        _ database: Database,
        workspace: WorkspaceID,
        name: String = "Spring letter",
        testShare: Double? = 0.2
    ) async throws
        -> Campaign
    {
        let store = CampaignStore(database, workspace: workspace)
        let campaign = try await store.create(
            try CampaignSpec(
                parsing: """
                    name: \(name)
                    channels: [email]
                    dry_run: true
                    variants:
                      - {key: A, subject: "Spring sale", text: "Spring sale: 20% off."}
                      - {key: B, subject: "Your spring run", text: "Ready for spring? 20% off trail shoes."}
                    """,
                source: "campaign.yaml"
            )
        )
        // decide_within and decide_every belong to a test share; without one the audience names only its list.
        let test = testShare.map { #", "test_share": \#($0), "decide_within": "3d", "decide_every": "6h""# } ?? ""
        try await store.setAudience(campaign.id, json: #"{"list": "newsletter"\#(test)}"#)
        return campaign
    }

    // MERGE: h-send's fan-out writes test messages (MessageStore); until then the test writes the rows it would.
    /// `perVariant` contacts per variant, each with a queued test message created at `start`.
    static func seedTestMessages(_ database: Database, workspace: WorkspaceID, campaign: Campaign, perVariant: Int) async throws {
        for variant in campaign.variants {
            try await database.client.query(
                """
                WITH c AS (
                    INSERT INTO contacts (workspace_id, email, time_zone)
                    SELECT \(workspace.uuid), \(variant.key.lowercased()) || '-' || i || '-' || \(campaign.slug) || '@example.com', 'Europe/Berlin'
                    FROM generate_series(1, \(perVariant)) AS i
                    RETURNING id
                )
                INSERT INTO messages (workspace_id, campaign_id, variant_id, contact_id, channel, phase, send_at, idempotency_key, created_at)
                SELECT \(workspace.uuid), \(campaign.id.uuid), \(variant.id.uuid), c.id, 'email', 'test', \(start), gen_random_uuid()::text, \(start)
                FROM c
                """,
                logger: TestDatabase.logger
            )
        }
    }

    /// Impressions and clicks per variant at the given rates, over the test's first day.
    static func events(_ campaign: Campaign, impressions: Int, rates: [Double]) -> [EngagementEvent] {
        var events: [EngagementEvent] = []
        for (variant, rate) in zip(campaign.variants, rates) {
            let clicks = Int((Double(impressions) * rate).rounded())
            for index in 0..<impressions {
                let time = start.addingTimeInterval(Double(index % 24) * 3_600)
                events.append(EngagementEvent(id: EventID(UUID()), variantID: variant.id, kind: .impression, occurredAt: time))
                if index < clicks {
                    events.append(EngagementEvent(id: EventID(UUID()), variantID: variant.id, kind: .click, occurredAt: time.addingTimeInterval(60)))
                }
            }
        }
        return events
    }

    /// Queues look `look` at `now`, claims it and runs it through the handler.
    static func runLook(_ database: Database, campaign: Campaign, look: Int = 1, now: Date) async throws {
        let queue = JobQueue(database)
        try await queue.enqueue([DecideWinnerHandler.look(look, campaign: campaign.id, workspace: campaign.workspaceID, at: now)])
        // Other due jobs (a queued send to the rest) are held by the test meanwhile, as a worker would hold them.
        let claimed = try await queue.claim(queues: ["default"], limit: 10, worker: "test", lease: 60, now: now)
        let job = try #require(claimed.first { $0.kind == "decide_winner" })
        let context = JobContext(database: database, clock: ManualClock(now: now), logger: TestDatabase.logger, worker: "test")
        try await DecideWinnerHandler().run(job, context: context)
    }

    static func jobs(_ database: Database, kind: JobKind) async throws -> [JobRecord] {
        try await JobQueue(database).list(limit: 1_000).filter { $0.kind == kind.rawValue }
    }

    @Test func aClearWinnerIsDeclaredByTheAnalysisAndTheRestIsQueuedOnce() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let workspace = try await WorkspaceStore(database).ensure(slug: "default")
            let campaign = try await Self.campaign(database, workspace: workspace)
            try await Self.seedTestMessages(database, workspace: workspace, campaign: campaign, perVariant: 3)
            _ = try await EventIngestor(database, workspace: workspace).ingest(Self.events(campaign, impressions: 20_000, rates: [0.03, 0.05]))

            let now = Self.start.addingTimeInterval(86_400)
            try await Self.runLook(database, campaign: campaign, look: 4, now: now)
            let phase = try #require(try await CampaignStore(database, workspace: workspace).testPhase(of: campaign.id))
            let winner = try #require(phase.winner)
            #expect(winner.variantKey == "B")
            #expect(winner.chosenBy == "analysis")
            #expect(winner.chosenAt == now)
            #expect(winner.reason.hasPrefix("B beat A: sequential p"), "\(winner.reason)")
            #expect(winner.reason.contains("at look 4"))
            let rest = try await Self.jobs(database, kind: .sendAudience)
            #expect(rest.count == 1)
            #expect(rest.first?.uniqueKey == "send_audience:\(campaign.id):rest")
            // The look completed with the winner and queued no other look.
            #expect(try await Self.jobs(database, kind: .decideWinner).map(\.state) == ["completed"])
            // The rest job's payload names the campaign and the phase.
            let claimed = try #require(
                try await JobQueue(database).claim(queues: ["default"], limit: 1, worker: "test", lease: 60, now: now).first
            )
            #expect(try SendAudiencePayload(json: claimed.payload) == SendAudiencePayload(campaign: campaign.id, workspace: workspace, phase: .rest))

            // Another look finds the winner and stops: still one send to the rest.
            try await Self.runLook(database, campaign: campaign, look: 5, now: now.addingTimeInterval(6 * 3_600))
            #expect(try await Self.jobs(database, kind: .sendAudience).count == 1)
            #expect(try await CampaignStore(database, workspace: workspace).testPhase(of: campaign.id)?.winner == winner)

            // The report says so, in every format.
            let report = try await CampaignAnalysis(database: database, workspace: workspace).analyze(campaign, now: now).report
            let summary = try #require(report.testThenSend)
            #expect(summary.testShare == 0.2)
            #expect(summary.testSizes == [.init(variant: "A", messages: 3), .init(variant: "B", messages: 3)])
            #expect(summary.winner?.variant == "B" && summary.winner?.chosenBy == "analysis")
            #expect(summary.deadline == Self.start.addingTimeInterval(3 * 86_400))
            #expect(MarkdownRenderer.render(report).contains("B won by the sequential test"))
        }
    }

    @Test func withoutADifferenceTheDeadlineChoosesTheLeader() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let workspace = try await WorkspaceStore(database).ensure(slug: "default")
            let campaign = try await Self.campaign(database, workspace: workspace)
            try await Self.seedTestMessages(database, workspace: workspace, campaign: campaign, perVariant: 2)
            _ = try await EventIngestor(database, workspace: workspace).ingest(Self.events(campaign, impressions: 1_000, rates: [0.030, 0.034]))

            // Before the deadline: no winner, the next look is queued 6 hours later.
            let early = Self.start.addingTimeInterval(86_400)
            try await Self.runLook(database, campaign: campaign, look: 1, now: early)
            #expect(try await CampaignStore(database, workspace: workspace).testPhase(of: campaign.id)?.winner == nil)
            let pending = try await Self.jobs(database, kind: .decideWinner).filter { $0.state == "pending" }
            #expect(pending.count == 1)
            #expect(pending.first?.runAt == early.addingTimeInterval(6 * 3_600))
            #expect(pending.first?.uniqueKey == "decide_winner:\(campaign.id):2")
            #expect(try await Self.jobs(database, kind: .sendAudience).isEmpty)

            // The last look before the deadline is moved to the deadline itself.
            let lastBefore = Self.start.addingTimeInterval(3 * 86_400 - 3_600)
            let queue = JobQueue(database)
            let second = try #require(try await queue.claim(queues: ["default"], limit: 1, worker: "test", lease: 60, now: lastBefore).first)
            let context = JobContext(database: database, clock: ManualClock(now: lastBefore), logger: TestDatabase.logger, worker: "test")
            try await DecideWinnerHandler().run(second, context: context)
            let third = try await Self.jobs(database, kind: .decideWinner).filter { $0.state == "pending" }
            #expect(third.map(\.runAt) == [Self.start.addingTimeInterval(3 * 86_400)])

            // At the deadline: the arm with the highest chance of being best, saying there was no significant difference.
            let deadline = Self.start.addingTimeInterval(3 * 86_400)
            let last = try #require(try await queue.claim(queues: ["default"], limit: 1, worker: "test", lease: 60, now: deadline).first)
            try await DecideWinnerHandler().run(
                last,
                context: JobContext(database: database, clock: ManualClock(now: deadline), logger: TestDatabase.logger, worker: "test")
            )
            let winner = try #require(try await CampaignStore(database, workspace: workspace).testPhase(of: campaign.id)?.winner)
            #expect(winner.chosenBy == "deadline")
            #expect(winner.variantKey == "B")
            #expect(winner.reason.hasPrefix("deadline passed without a significant difference at look 3; B had the highest rate"), "\(winner.reason)")
            #expect(winner.reason.contains("p_best 0."))
            #expect(try await Self.jobs(database, kind: .sendAudience).count == 1)
            #expect(try await Self.jobs(database, kind: .decideWinner).filter { $0.state == "pending" }.isEmpty)
        }
    }

    @Test func aWinnerChosenByHandStopsTheJob() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let workspace = try await WorkspaceStore(database).ensure(slug: "default")
            let campaign = try await Self.campaign(database, workspace: workspace)
            try await Self.seedTestMessages(database, workspace: workspace, campaign: campaign, perVariant: 2)
            _ = try await EventIngestor(database, workspace: workspace).ingest(Self.events(campaign, impressions: 20_000, rates: [0.03, 0.05]))
            let store = CampaignStore(database, workspace: workspace)
            let chosen = try await store.chooseWinnerByHand(
                campaign.id,
                variantKey: "A",
                chosenBy: "person",
                reason: "A matches the brand",
                at: Self.start.addingTimeInterval(3_600)
            )
            #expect(chosen.variantKey == "A" && chosen.reason == "A matches the brand")

            try await Self.runLook(database, campaign: campaign, now: Self.start.addingTimeInterval(86_400))
            let winner = try #require(try await store.testPhase(of: campaign.id)?.winner)
            #expect(winner == chosen)
            #expect(try await Self.jobs(database, kind: .sendAudience).count == 1)
            #expect(try await Self.jobs(database, kind: .decideWinner).filter { $0.state == "pending" }.isEmpty)
            // Nor was an analysis stored for a look that had nothing to decide.
            #expect(try await AnalysisStore(database, workspace: workspace).recent(campaign: campaign.id).isEmpty)

            // A second choice by hand is refused, naming who chose and when.
            let refusal = await #expect(throws: ConflictError.self) {
                try await store.chooseWinnerByHand(campaign.id, variantKey: "B", chosenBy: "person", reason: nil, at: Self.start)
            }
            #expect(
                refusal?.message
                    == "campaign spring-letter already has a winner: A, chosen by person at 2026-03-02T09:00:00Z (A matches the brand)"
            )
        }
    }

    @Test func ofTwoConcurrentChoosersExactlyOneWins() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let workspace = try await WorkspaceStore(database).ensure(slug: "default")
            let store = CampaignStore(database, workspace: workspace)
            for round in 0..<6 {
                let campaign = try await Self.campaign(database, workspace: workspace, name: "Race \(round)")
                let outcomes = try await withThrowingTaskGroup(of: CampaignStore.WinnerOutcome.self) { group in
                    group.addTask {
                        try await store.chooseWinner(campaign.id, variantKey: "A", chosenBy: "person", reason: "by hand", at: Self.start)
                    }
                    group.addTask {
                        try await store.chooseWinner(campaign.id, variantKey: "B", chosenBy: "analysis", reason: "B beat A", at: Self.start)
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                var chosen: [WinnerChoice] = []
                var refused: [WinnerChoice] = []
                for outcome in outcomes {
                    switch outcome {
                    case .chosen(let winner): chosen.append(winner)
                    case .alreadyChosen(let winner): refused.append(winner)
                    }
                }
                #expect(chosen.count == 1 && refused.count == 1)
                // The loser is told the winner that stands.
                #expect(refused.first?.variantKey == chosen.first?.variantKey)
                #expect(try await store.testPhase(of: campaign.id)?.winner?.variantKey == chosen.first?.variantKey)
            }
            let rest = try await Self.jobs(database, kind: .sendAudience)
            #expect(rest.count == 6)
            #expect(Set(rest.compactMap(\.uniqueKey)).count == 6)
        }
    }

    @Test func aCampaignWithoutATestShareHasNoWinnerToChoose() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let workspace = try await WorkspaceStore(database).ensure(slug: "default")
            let campaign = try await Self.campaign(database, workspace: workspace, testShare: nil)
            let store = CampaignStore(database, workspace: workspace)
            let refusal = await #expect(throws: ConflictError.self) {
                try await store.chooseWinnerByHand(campaign.id, variantKey: "A", chosenBy: "person", reason: nil, at: Self.start)
            }
            #expect(refusal?.message.contains("has no test share") == true)
            let unknown = try await Self.campaign(database, workspace: workspace, name: "Other")
            let error = await #expect(throws: ValidationError.self) {
                try await store.chooseWinnerByHand(unknown.id, variantKey: "Z", chosenBy: "person", reason: nil, at: Self.start)
            }
            #expect(error?.description == #"variant: "Z" is not a variant of campaign other (A, B)"#)
            // The job stops without analysing.
            try await Self.runLook(database, campaign: campaign, now: Self.start)
            #expect(try await store.testPhase(of: campaign.id)?.winner == nil)
            #expect(try await Self.jobs(database, kind: .sendAudience).isEmpty)
            // So does it for an ended campaign, even past its deadline.
            let ended = try await Self.campaign(database, workspace: workspace, name: "Ended")
            try await Self.seedTestMessages(database, workspace: workspace, campaign: ended, perVariant: 1)
            _ = try await store.apply(.end, to: ended.id, now: Self.start, nextFire: { _ in nil })
            try await Self.runLook(database, campaign: ended, now: Self.start.addingTimeInterval(4 * 86_400))
            #expect(try await store.testPhase(of: ended.id)?.winner == nil)
            #expect(try await Self.jobs(database, kind: .sendAudience).isEmpty)
            #expect(try await AnalysisStore(database, workspace: workspace).recent(campaign: ended.id).isEmpty)
        }
    }
}
