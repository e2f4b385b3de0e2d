import Analytics
import Autopilot
import Foundation
import HeraldCore
import HeraldTestSupport
import Jobs
import PostgresNIO
import Reports
import Scheduling
import Testing

@testable import Storage

/// Autopilot on the real database: after an analysis it stops a losing variant and moves the split within the guard
/// rails (auto), or records the same as pending for a person (suggest); every action can be undone, a plan is recorded
/// once per analysis, and a mismatch in the current allocation period holds everything.
struct AutopilotRunnerTests {
    static let start = Date(timeIntervalSince1970: 1_772_323_200)

    /// Three days of impressions and clicks at `rates` (A, B, C in order).
    static func events(_ campaign: Campaign, rates: [Double], perDay: Int = 4_000, days: Int = 3, from start: Date = start) -> [EngagementEvent] {
        TestEvents.engagement(campaign.variants.map(\.id), rates: rates, perDay: perDay, days: days, from: start)
    }

    func campaign(_ database: Database, workspace: WorkspaceID) async throws -> Campaign {
        let spec = try CampaignSpec(
            parsing: """
                name: Trail shoes
                channels: [mastodon]
                dry_run: true
                variants:
                  - {key: A, text: "Trail season is here. 20% off this weekend."}
                  - {key: B, text: "Ready for your first ultra? Shop the sale."}
                  - {key: C, text: "Shoes. On sale."}
                """,
            source: "campaign.yaml"
        )
        return try await CampaignStore(database, workspace: workspace).create(spec)
    }

    /// The default workspace's campaign with three days of evidence (A 4%, B 4.6%, C 2.5%: C clearly worse, B not yet
    /// clearly better) and autopilot in `mode` with `rails` (JSON).
    func withEvidence(
        _ database: Database,
        mode: String,
        rails: String?
    ) async throws -> (WorkspaceID, Campaign, AutopilotStore, AutopilotRunner) {
        let workspace = try await WorkspaceStore(database).ensure(slug: "default")
        let campaign = try await campaign(database, workspace: workspace)
        _ = try await EventIngestor(database, workspace: workspace).ingest(Self.events(campaign, rates: [0.04, 0.046, 0.025]))
        let store = AutopilotStore(database, workspace: workspace)
        try await store.setSettings(campaign: campaign.id, mode: mode, railsJSON: rails)
        return (workspace, campaign, store, AutopilotRunner(database: database, workspace: workspace, logger: TestDatabase.logger))
    }

    func analyze(_ database: Database, _ workspace: WorkspaceID, _ campaign: CampaignID, at now: Date) async throws -> CampaignAnalysis.Outcome {
        let current = try await CampaignStore(database, workspace: workspace).find(campaign)
        return try await CampaignAnalysis(database: database, workspace: workspace).analyze(current, now: now)
    }

    @Test func autoStopsTheLoserMovesTheSplitWithinTheRailsAndCanBeUndone() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let (workspace, campaign, store, runner) = try await withEvidence(database, mode: "auto", rails: #"{"maximum_shift": 0.2}"#)

            let now = Self.start.addingTimeInterval(4 * 86_400)
            let analysis = try await analyze(database, workspace, campaign.id, at: now)
            #expect(analysis.score.stoppedArms == ["C"])
            let outcome = try await runner.run(after: analysis, now: now)
            #expect(outcome.recorded.map(\.kind) == ["stop_arm", "set_split"])
            #expect(outcome.held.contains { $0.contains("no brief to write a challenger from") }, "\(outcome.held)")
            #expect(outcome.recorded.allSatisfy { $0.state == "applied" && $0.decidedBy == "autopilot" && $0.analysis == analysis.analysisID })
            let after = try await CampaignStore(database, workspace: workspace).find(campaign.id)
            let weights = Dictionary(uniqueKeysWithValues: after.variants.map { ($0.key, $0.weight ?? -1) })
            #expect(weights["C"] == 0)
            #expect(abs((weights["A"] ?? 0) + (weights["B"] ?? 0) - 1) < 1e-9)
            let periods = try await store.periods(campaign: campaign.id)
            #expect(periods.count == outcome.recorded.count)
            #expect(periods.last?.weights["C"] == 0)

            // The same analysis again records and applies nothing twice.
            let again = try await runner.run(after: analysis, now: now)
            #expect(again.recorded.map(\.id) == outcome.recorded.map(\.id))
            #expect(try await store.actions(campaign: campaign.id).count == outcome.recorded.count)
            #expect(try await store.periods(campaign: campaign.id).count == periods.count)
            // The next report shows what autopilot did and why.
            let next = try await analyze(database, workspace, campaign.id, at: now.addingTimeInterval(3_600))
            let summary = try #require(next.report.autopilot)
            #expect(summary.mode == "auto" && summary.actions.count == 2)
            #expect(summary.actions.allSatisfy { $0.stateLine == "applied by autopilot" })
            let html = HTMLRenderer.render(next.report)
            #expect(html.contains("<h2>Autopilot</h2>") && html.contains("gets no more traffic"))
            #expect(MarkdownRenderer.render(next.report).contains("## Autopilot"))

            // Undo the last change: the split before it comes back as a new period, audited.
            let last = try #require(outcome.recorded.last)
            let undone = try await store.undo(last.id, by: .cli(login: "test"), at: now.addingTimeInterval(60))
            #expect(undone.state == "undone" && undone.undoneBy == "cli:test")
            #expect(try await store.periods(campaign: campaign.id).count == periods.count + 1)
            await #expect(throws: ConflictError.self) { try await store.undo(last.id, by: .cli(login: "test"), at: now) }
            await #expect(throws: ConflictError.self) { try await store.dismiss(last.id, by: .cli(login: "test"), at: now) }
        }
    }

    @Test func suggestRecordsPendingActionsForAPersonToApplyOrDismiss() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let (workspace, campaign, store, runner) = try await withEvidence(database, mode: "suggest", rails: nil)
            let now = Self.start.addingTimeInterval(4 * 86_400)
            let outcome = try await runner.run(after: try await analyze(database, workspace, campaign.id, at: now), now: now)
            #expect(!outcome.recorded.isEmpty && outcome.recorded.allSatisfy { $0.state == "pending" && $0.decidedBy == nil })
            // Nothing changed yet.
            #expect(try await CampaignStore(database, workspace: workspace).find(campaign.id).variants.allSatisfy { $0.weight == nil })
            let stop = try #require(outcome.recorded.first { $0.kind == "stop_arm" })
            let current = try await CampaignStore(database, workspace: workspace).find(campaign.id)
            let applied = try await AutopilotRunner.apply(stop, store: store, campaign: current, by: .cli(login: "jana"), at: now)
            #expect(applied.state == "applied" && applied.decidedBy == "cli:jana")
            let weights = try await CampaignStore(database, workspace: workspace).find(campaign.id).variants.map(\.weight)
            #expect(weights[2] == 0)
            for other in outcome.recorded where other.id != stop.id {
                #expect(try await store.dismiss(other.id, by: .cli(login: "jana"), at: now).state == "dismissed")
            }
            await #expect(throws: ConflictError.self) {
                try await AutopilotRunner.apply(stop, store: store, campaign: current, by: .cli(login: "jana"), at: now)
            }
        }
    }

    @Test func aMismatchInTheCurrentPeriodHoldsEverythingAndAChangedSplitIsNoMismatch() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let workspace = try await WorkspaceStore(database).ensure(slug: "default")
            let campaign = try await campaign(database, workspace: workspace)
            let store = AutopilotStore(database, workspace: workspace)
            try await store.setSettings(campaign: campaign.id, mode: "auto", railsJSON: nil)
            let runner = AutopilotRunner(database: database, workspace: workspace, logger: TestDatabase.logger)
            // A split of 20/40/40 from the start of day 0, and traffic that follows it: no mismatch.
            _ = try await CampaignStore(database, workspace: workspace).setSplit(campaign.id, weights: ["A": 0.2, "B": 0.4, "C": 0.4])
            var events: [EngagementEvent] = []
            for (variant, count) in zip(campaign.variants, [2_000, 4_000, 4_000]) {
                for index in 0..<count {
                    let time = Self.start.addingTimeInterval(Double(index % 48) * 3_600)
                    events.append(EngagementEvent(id: EventID(UUID()), variantID: variant.id, kind: .impression, occurredAt: time))
                    if index % 25 == 0 { events.append(EngagementEvent(id: EventID(UUID()), variantID: variant.id, kind: .click, occurredAt: time)) }
                }
            }
            _ = try await EventIngestor(database, workspace: workspace).ingest(events)
            let now = Self.start.addingTimeInterval(3 * 86_400)
            let fine = try await runner.run(after: try await analyze(database, workspace, campaign.id, at: now), now: now)
            #expect(!fine.held.contains { $0.contains("sample-ratio mismatch") }, "\(fine.held)")

            // Now traffic that does not follow the split at all (everything to A): held, nothing applied.
            var skewed: [EngagementEvent] = []
            for index in 0..<3_000 {
                let time = Self.start.addingTimeInterval(3 * 86_400 + Double(index % 20) * 3_600)
                skewed.append(EngagementEvent(id: EventID(UUID()), variantID: campaign.variants[0].id, kind: .impression, occurredAt: time))
            }
            _ = try await EventIngestor(database, workspace: workspace).ingest(skewed)
            let later = Self.start.addingTimeInterval(5 * 86_400)
            let held = try await runner.run(after: try await analyze(database, workspace, campaign.id, at: later), now: later)
            #expect(held.recorded.isEmpty)
            #expect(held.held.contains { $0.contains("sample-ratio mismatch") }, "\(held.held)")
        }
    }

    /// With `withoutReview`, the workspace lets rule-written challengers go out without review: the challenger is
    /// approved as it is written, audited as autopilot's; otherwise it waits for a person.
    @Test(arguments: [false, true])
    func aStoppedVariantQueuesAChallengerWrittenFromTheLeaderWhichUndoTakesBackUntilItIsWritten(withoutReview: Bool) async throws {
        try await TestDatabase.withFreshDatabase { database in
            let workspace = try await WorkspaceStore(database).ensure(slug: "default")
            if withoutReview {
                try await ReviewStore(database, workspace: workspace).update(.init(ruleChallengersWithoutReview: true), actor: .cli(login: "test"))
            }
            let campaign = try await campaign(database, workspace: workspace)
            let campaigns = CampaignStore(database, workspace: workspace)
            try await campaigns.rememberBrief(campaign.id, json: #""\#(GenerateVariantsTests.brief.replacingOccurrences(of: "\n", with: "\\n"))""#)
            _ = try await EventIngestor(database, workspace: workspace).ingest(Self.events(campaign, rates: [0.04, 0.046, 0.025]))
            let store = AutopilotStore(database, workspace: workspace)
            try await store.setSettings(campaign: campaign.id, mode: "auto", railsJSON: #"{"challenger_budget": 1}"#)
            let now = Self.start.addingTimeInterval(4 * 86_400)
            let outcome = try await AutopilotRunner(database: database, workspace: workspace, logger: TestDatabase.logger)
                .run(after: try await analyze(database, workspace, campaign.id, at: now), now: now)
            let queued = try #require(outcome.recorded.first { $0.kind == "queue_challenger" })
            #expect(queued.state == "applied")
            #expect(try await store.challengersQueued(campaign: campaign.id) == 1)

            // The generation job runs: one challenger of the leader B, recorded as its child.
            let queue = JobQueue(database)
            let job = try #require(
                try await queue.claim(queues: ["default"], limit: 5, worker: "t", lease: 60, now: now).first { $0.kind == "generate_variants" }
            )
            let context = JobContext(database: database, clock: ManualClock(now: now), logger: TestDatabase.logger, worker: "t")
            try await GenerateVariantsHandler().run(job, context: context)
            try await queue.complete([job], worker: "t", now: now)
            let variants = try await campaigns.find(campaign.id).variants
            #expect(variants.count == 4)
            let challenger = try #require(variants.last)
            #expect(challenger.key.hasPrefix("B-c"))
            #expect(challenger.text != variants[1].text)
            #expect(challenger.review == (withoutReview ? .approved : .pending))
            let approvals = try await database.client.query(
                "SELECT count(*)::int FROM audit_log WHERE action = 'variant.approve' AND actor = 'system:autopilot' AND subject_id = \(challenger.id.description)",
                logger: database.logger
            )
            for try await count in approvals.decode(Int.self) { #expect(count == (withoutReview ? 1 : 0)) }
            // Written already: undo refuses and says what to do instead.
            await #expect(throws: ConflictError.self) { try await store.undo(queued.id, by: .cli(login: "test"), at: now) }
        }
    }

    /// A split is checked per channel wherever it is set: an action that would leave a channel without a live variant is
    /// refused (and stays pending), and a winner takes its own channel's sends while another channel's variants keep
    /// theirs; undo brings the split before back.
    @Test func splitsKeepALiveVariantOnEveryChannelAndAWinnerTakesOnlyItsOwnChannel() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let workspace = try await WorkspaceStore(database).ensure(slug: "default")
            let spec = try CampaignSpec(
                parsing: """
                    name: Two channels
                    channels: [mastodon, bluesky]
                    dry_run: true
                    variants:
                      - {key: A, text: "Trail season is here.", channels: [mastodon]}
                      - {key: B, text: "Ready for your first ultra?", channels: [mastodon]}
                      - {key: C, text: "New trails, new shoes.", channels: [bluesky]}
                      - {key: D, text: "Shoes. On sale.", channels: [bluesky]}
                    """,
                source: "campaign.yaml"
            )
            let campaign = try await CampaignStore(database, workspace: workspace).create(spec)
            _ = try await EventIngestor(database, workspace: workspace).ingest(
                Self.events(campaign, rates: [0.04, 0.03, 0.04, 0.03], perDay: 200, days: 1)
            )
            let now = Self.start.addingTimeInterval(2 * 86_400)
            let analysis = try await analyze(database, workspace, campaign.id, at: now)
            let store = AutopilotStore(database, workspace: workspace)
            let recorded = try await store.record(
                [
                    .init(kind: "set_split", json: #"{"kind": "set_split"}"#, reason: "test"),
                    .init(kind: "declare_winner", json: #"{"kind": "declare_winner", "arm": "A"}"#, reason: "test"),
                ],
                campaign: campaign.id,
                analysis: analysis.analysisID,
                at: now
            )
            let (split, winner) = (recorded[0], recorded[1])

            let refused = await #expect(throws: ValidationError.self) {
                try await store.apply(
                    split.id,
                    effect: .split(["A": 0.5, "B": 0.5, "C": 0, "D": 0], reason: "test"),
                    by: .cli(login: "test"),
                    at: now
                )
            }
            #expect(refused?.description.contains("leaves bluesky without a variant") == true, "\(String(describing: refused))")
            #expect(try await store.action(split.id).state == "pending")

            try await store.apply(winner.id, effect: .winner(key: "A", reason: "test", sendToRest: false), by: .cli(login: "test"), at: now)
            var weights = Dictionary(
                uniqueKeysWithValues: try await CampaignStore(database, workspace: workspace).find(campaign.id).variants.map { ($0.key, $0.weight) }
            )
            #expect(weights == ["A": 1, "B": 0, "C": nil, "D": nil])

            try await store.undo(winner.id, by: .cli(login: "test"), at: now)
            weights = Dictionary(
                uniqueKeysWithValues: try await CampaignStore(database, workspace: workspace).find(campaign.id).variants.map { ($0.key, $0.weight) }
            )
            #expect(weights == ["A": nil, "B": nil, "C": nil, "D": nil])
        }
    }

    /// The plan commits with the analysis it comes from (a worker that dies right after cannot leave an analysis
    /// without its plan); auto mode then applies it, and acting twice applies nothing twice.
    @Test func thePlanCommitsWithItsAnalysisAndAutoModeAppliesItAfterwards() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let (workspace, campaign, store, runner) = try await withEvidence(database, mode: "auto", rails: #"{"maximum_shift": 0.2}"#)
            let now = Self.start.addingTimeInterval(4 * 86_400)

            let current = try await CampaignStore(database, workspace: workspace).find(campaign.id)
            let analysis = try await CampaignAnalysis(database: database, workspace: workspace).analyze(current, now: now, autopilot: runner)
            let stored = try await store.actions(campaign: campaign.id)
            #expect(Set(stored.map(\.kind)) == ["stop_arm", "set_split"])
            #expect(stored.allSatisfy { $0.state == "pending" && $0.analysis == analysis.analysisID })

            let acted = try await runner.act(after: analysis, now: now)
            #expect(acted.recorded.map(\.kind) == ["stop_arm", "set_split"])
            #expect(acted.recorded.allSatisfy { $0.state == "applied" && $0.decidedBy == AutopilotRunner.actor.decider })
            let again = try await runner.act(after: analysis, now: now)
            #expect(again.recorded.map(\.id) == acted.recorded.map(\.id))
            #expect(try await store.periods(campaign: campaign.id).count == 2)
        }
    }

    /// After a change of split, the analysis's own sample-ratio check expects each period's planned shares, so traffic
    /// that follows the split raises no alarm (it did: the check assumed an equal split for all time, and autopilot
    /// stopped after its first change), while traffic that does not follow it still does.
    @Test func theAnalysisChecksTheSampleRatioAgainstEachPeriodsSplit() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let workspace = try await WorkspaceStore(database).ensure(slug: "default")
            let campaign = try await campaign(database, workspace: workspace)
            let ingestor = EventIngestor(database, workspace: workspace)
            _ = try await ingestor.ingest(Self.events(campaign, rates: [0.04, 0.04, 0.04], perDay: 3_000, days: 1))
            let changed = Self.start.addingTimeInterval(86_400)
            let first = try await analyze(database, workspace, campaign.id, at: changed)
            let store = AutopilotStore(database, workspace: workspace)
            let action = try #require(
                try await store.record(
                    [.init(kind: "set_split", json: #"{"kind": "set_split"}"#, reason: "test")],
                    campaign: campaign.id,
                    analysis: first.analysisID,
                    at: changed
                ).first
            )
            try await store.apply(action.id, effect: .split(["A": 0.2, "B": 0.4, "C": 0.4], reason: "test"), by: .cli(login: "test"), at: changed)

            // Two days that follow the new split: no mismatch.
            let current = try await CampaignStore(database, workspace: workspace).find(campaign.id)
            var following: [EngagementEvent] = []
            for (variant, perDay) in zip(current.variants, [1_200, 2_400, 2_400]) {
                var one = current
                one.variants = [variant]
                following += Self.events(one, rates: [0.04], perDay: perDay, days: 2, from: changed)
            }
            _ = try await ingestor.ingest(following)
            let later = changed.addingTimeInterval(2 * 86_400)
            let fine = try await analyze(database, workspace, campaign.id, at: later)
            #expect(!fine.score.recommendations.contains { $0.action == .investigateSRM }, "\(fine.score.recommendations)")

            // A variant written after the change (a challenger) expected nothing of the time before it: its own traffic
            // under a split that names it raises no alarm either.
            let challenger = try await CampaignStore(database, workspace: workspace).insertGeneratedVariants(
                [.init(key: "D", text: "A challenger.", featuresJSON: "{}", generator: "rules", parent: nil, channel: nil, email: nil)],
                into: campaign.id
            )
            #expect(challenger == 1)
            let withD = try await CampaignStore(database, workspace: workspace).find(campaign.id)
            let action2 = try #require(
                try await store.record(
                    [.init(kind: "set_split", json: #"{"kind": "set_split"}"#, reason: "test")],
                    campaign: campaign.id,
                    analysis: fine.analysisID,
                    at: later
                ).first
            )
            try await store.apply(
                action2.id,
                effect: .split(["A": 0.25, "B": 0.25, "C": 0.25, "D": 0.25], reason: "test"),
                by: .cli(login: "test"),
                at: later
            )
            _ = try await ingestor.ingest(Self.events(withD, rates: [0.04, 0.04, 0.04, 0.04], perDay: 1_500, days: 1, from: later))
            let withChallenger = try await analyze(database, workspace, campaign.id, at: later.addingTimeInterval(86_400))
            #expect(!withChallenger.score.recommendations.contains { $0.action == .investigateSRM }, "\(withChallenger.score.recommendations)")

            // A day that ignores it (equal traffic again) is flagged.
            let after = later.addingTimeInterval(86_400)
            _ = try await ingestor.ingest(Self.events(current, rates: [0.04, 0.04, 0.04], perDay: 6_000, days: 1, from: after))
            let off = try await analyze(database, workspace, campaign.id, at: after.addingTimeInterval(86_400))
            #expect(off.score.recommendations.contains { $0.action == .investigateSRM })
        }
    }
}
