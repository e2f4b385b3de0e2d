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

/// Autopilot's schedule moves on the real database: applying one rewrites the campaign's schedule so the scheduler fires
/// at the chosen hours of the week in the campaign's zone (across a clock change too), keeping the minute, zone and active
/// window; undo gives back the schedule before; a person's change of the schedule is never overwritten; auto mode moves
/// to the hours in which engagement stands out, within the posts-per-day rail.
struct AutopilotScheduleMoveTests {
    /// Thursday 22 October 2026, 12:00 UTC: Berlin's clocks go back on Sunday 25 October at 03:00.
    static let now = Date(timeIntervalSince1970: 1_792_670_400)
    static let berlin = TimeZone(identifier: "Europe/Berlin")!
    /// Monday to Friday at 09:30, Berlin time.
    static let weekdays = [9, 33, 57, 81, 105]
    /// Monday, Saturday and Sunday at 10:30, Tuesday and Thursday at 19:30.
    static let moved = [10, 43, 91, 130, 154]

    /// A scheduled dry-run campaign on Mastodon posting at `cron` in `tz`, with an end date.
    static func campaign(
        _ database: Database,
        _ workspace: WorkspaceID,
        cron: String = "30 9 * * MON-FRI",
        tz: String = "Europe/Berlin"
    )
        async throws -> Campaign
    {
        let spec = try CampaignSpec(
            parsing: """
                name: Trail shoes
                channels: [mastodon]
                dry_run: true
                schedule: {cron: "\(cron)", tz: \(tz), until: "2027-06-01T00:00:00Z"}
                variants:
                  - {key: A, text: "Trail season is here. 20% off this weekend."}
                  - {key: B, text: "Ready for your first ultra? Shop the sale."}
                  - {key: C, text: "Shoes. On sale."}
                """,
            source: "campaign.yaml"
        )
        let schedule = try #require(try CampaignSchedule.validate(spec))
        return try await CampaignStore(database, workspace: workspace).create(spec, schedule: CampaignSchedule.attachment(schedule, now: now))
    }

    /// A pending move of `campaign`'s schedule from `from` to `hours`, recorded with an analysis of it.
    static func pendingMove(
        _ database: Database,
        _ workspace: WorkspaceID,
        _ campaign: Campaign,
        to hours: [Int],
        from: [Int]
    ) async throws
        -> AutopilotStore.Action
    {
        _ = try await EventIngestor(database, workspace: workspace).ingest(
            AutopilotRunnerTests.events(campaign, rates: [0.04, 0.04, 0.04], perDay: 100, days: 1, from: now.addingTimeInterval(-2 * 86_400))
        )
        let analysis = try await CampaignAnalysis(database: database, workspace: workspace).analyze(campaign, now: now)
        let action = AutopilotAction(.moveSchedule(hours: hours, from: from), reason: "Engagement stands out on Tue 19:00, Thu 19:00.")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(action), as: UTF8.self)
        let store = AutopilotStore(database, workspace: workspace)
        return try #require(
            try await store.record(
                [.init(kind: action.kind, json: json, reason: action.reason)],
                campaign: campaign.id,
                analysis: analysis.analysisID,
                at: now
            )
            .first
        )
    }

    /// The campaign's stored schedule, and its next `count` fires as the scheduler computes them from its next fire on.
    static func fires(_ database: Database, _ workspace: WorkspaceID, _ campaign: Campaign, count: Int) async throws -> (StoredSchedule, [Date]) {
        let stored = try #require(try await ScheduleStore(database).list(workspace: workspace, campaign: campaign.id).first)
        let schedule = try SchedulePlanner.schedule(of: stored)
        let first = try #require(stored.nextFireAt)
        var fires = [first]
        while fires.count < count, let next = schedule.nextFire(after: fires.last!) { fires.append(next) }
        return (stored, fires)
    }

    static func hourOfWeek(_ instant: Date) -> (hour: Int, minute: Int) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = berlin
        let parts = calendar.dateComponents([.weekday, .hour, .minute], from: instant)
        return (((parts.weekday! + 5) % 7) * 24 + parts.hour!, parts.minute!)
    }

    @Test func applyMovesTheScheduleAcrossTheClockChangeAndUndoGivesTheOldOneBack() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let workspace = try await WorkspaceStore(database).ensure(slug: "default")
            let campaign = try await Self.campaign(database, workspace)
            let (before, beforeFires) = try await Self.fires(database, workspace, campaign, count: 5)
            let pending = try await Self.pendingMove(database, workspace, campaign, to: Self.moved, from: Self.weekdays)
            let store = AutopilotStore(database, workspace: workspace)

            let applied = try await AutopilotRunner.apply(pending, store: store, campaign: campaign, by: .cli(login: "jana"), at: Self.now)
            #expect(applied.state == "applied" && applied.decidedBy == "cli:jana")
            let after = try await CampaignStore(database, workspace: workspace).find(campaign.id)
            #expect(after.schedule?.cron == "30 10 * * MON,SAT,SUN; 30 19 * * TUE,THU")
            #expect(after.schedule?.tz == "Europe/Berlin")
            #expect(after.schedule?.until == campaign.schedule?.until)
            // The scheduler's own next fires: the chosen hours at the kept minute, Berlin time, on both sides of the change.
            let (stored, fires) = try await Self.fires(database, workspace, campaign, count: 10)
            #expect(
                fires.prefix(5).map(Timestamp.format) == [
                    "2026-10-22T17:30:00Z", "2026-10-24T08:30:00Z", "2026-10-25T09:30:00Z", "2026-10-26T09:30:00Z", "2026-10-27T18:30:00Z",
                ]
            )
            #expect(fires.map { Self.hourOfWeek($0).hour } == [91, 130, 154, 10, 43, 91, 130, 154, 10, 43])
            #expect(fires.allSatisfy { Self.hourOfWeek($0).minute == 30 })
            #expect(stored.activeUntil == before.activeUntil && stored.timeZone == before.timeZone && stored.id == before.id)
            // The due fire becomes a job at that instant through the scheduler's store and planner.
            let due = try #require(fires.first)
            let materialized = try await ScheduleStore(database).materializeDue(now: due) { try SchedulePlanner().plan($0, now: due) }
            #expect(materialized.jobs == 1)
            let runAt = try await database.client.query(
                "SELECT run_at FROM jobs WHERE kind = 'publish_campaign' AND workspace_id = \(workspace.uuid)",
                logger: database.logger
            )
            for try await instant in runAt.decode(Date.self) { #expect(instant == due) }

            // The audit log says what changed, why, from which analysis and who applied it.
            let entry = try #require(try await AuditLog(database, workspace: workspace).entries(subjectKind: "campaign").first)
            #expect(entry.action == "schedule.edit" && entry.actor == "cli:jana")
            #expect(entry.details["previous_cron"] == .string("30 9 * * MON-FRI"))
            #expect(entry.details["cron"] == .string("30 10 * * MON,SAT,SUN; 30 19 * * TUE,THU"))
            #expect(entry.details["analysis"] == .string(pending.analysis.uuidString.lowercased()))
            #expect(entry.details["reason"] == .string(pending.reason))
            #expect(entry.details["previous_hours"] == .array(Self.weekdays.map { .integer(Int64($0)) }))

            // Applying twice is refused.
            let twice = await #expect(throws: ConflictError.self) {
                try await AutopilotRunner.apply(applied, store: store, campaign: after, by: .cli(login: "jana"), at: Self.now)
            }
            #expect(twice?.message.contains("is applied by cli:jana") == true, "\(String(describing: twice))")

            // Undo: the old rule and its fires come back (from the undo on), the window kept; undoing twice is refused.
            let later = Self.now.addingTimeInterval(3_600)
            // By a person in the back office this time: the audit names them as it does for their other edits.
            let person = AuditActor.user(UUID(), name: "ed@example.com", role: .approver)
            let undone = try await AutopilotRunner.undo(applied, store: store, by: person, at: later)
            #expect(undone.state == "undone" && undone.undoneBy == "user:ed@example.com")
            let undoEntry = try #require(try await AuditLog(database, workspace: workspace).entries(subjectKind: "campaign").first)
            #expect(undoEntry.action == "schedule.edit" && undoEntry.actor == person.reference && undoEntry.actorName == "ed@example.com")
            #expect(undoEntry.details["cron"] == .string("30 9 * * MON-FRI"))
            let restored = try await CampaignStore(database, workspace: workspace).find(campaign.id)
            #expect(restored.schedule == campaign.schedule)
            let (_, again) = try await Self.fires(database, workspace, campaign, count: 5)
            #expect(again == beforeFires)
            #expect(again.map { Self.hourOfWeek($0).hour } == [105, 9, 33, 57, 81])
            #expect(again.allSatisfy { Self.hourOfWeek($0).minute == 30 })
            let undoneTwice = await #expect(throws: ConflictError.self) {
                try await AutopilotRunner.undo(applied, store: store, by: .cli(login: "jana"), at: later)
            }
            #expect(undoneTwice?.message.contains("is undone") == true, "\(String(describing: undoneTwice))")
        }
    }

    /// A person's change of the posting hours since the analysis refuses the move (it stays pending, their schedule
    /// stays); a change that keeps the hours (another minute) is built on: the move keeps their minute. A change made
    /// while the move was being applied is caught in its transaction, and a change after a move refuses its undo.
    @Test func aPersonsChangeOfTheScheduleIsNeverOverwritten() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let workspace = try await WorkspaceStore(database).ensure(slug: "default")
            let campaign = try await Self.campaign(database, workspace)
            let campaigns = CampaignStore(database, workspace: workspace)
            let store = AutopilotStore(database, workspace: workspace)
            let person = AuditActor.cli(login: "jana")
            func edit(_ cron: String) async throws -> Campaign {
                let schedule = try Schedule(parsing: cron, timeZone: "Europe/Berlin")
                return try await campaigns.setSchedule(
                    campaign.id,
                    .init(attachment: CampaignSchedule.attachment(schedule, now: Self.now), activeFrom: nil, activeUntil: campaign.schedule?.until),
                    actor: person
                )
            }
            let pending = try await Self.pendingMove(database, workspace, campaign, to: Self.moved, from: Self.weekdays)

            // Other hours: refused, nothing changes.
            let other = try await edit("0 8 * * *")
            let refused = await #expect(throws: ConflictError.self) {
                try await AutopilotRunner.apply(pending, store: store, campaign: other, by: AutopilotRunner.actor, at: Self.now)
            }
            #expect(refused?.message.contains("changed since this was planned") == true, "\(String(describing: refused))")
            #expect(try await store.action(pending.id).state == "pending")
            #expect(try await campaigns.find(campaign.id).schedule?.cron == "0 8 * * *")

            // The same hours at another minute: applied on top, at the person's minute.
            let minute = try await edit("45 9 * * 1-5")
            // A campaign read before that edit: the store sees the rule changed and refuses in its transaction.
            let stale = await #expect(throws: ConflictError.self) {
                try await AutopilotRunner.apply(pending, store: store, campaign: campaign, by: AutopilotRunner.actor, at: Self.now)
            }
            #expect(stale?.message.contains("a person's change is never overwritten") == true, "\(String(describing: stale))")
            let applied = try await AutopilotRunner.apply(pending, store: store, campaign: minute, by: AutopilotRunner.actor, at: Self.now)
            #expect(applied.state == "applied")
            #expect(try await campaigns.find(campaign.id).schedule?.cron == "45 10 * * MON,SAT,SUN; 45 19 * * TUE,THU")

            // Changed after the move: undo refuses, and says what to do.
            _ = try await edit("0 12 * * *")
            let undo = await #expect(throws: ConflictError.self) {
                try await AutopilotRunner.undo(applied, store: store, by: .cli(login: "jana"), at: Self.now)
            }
            #expect(undo?.message.contains("set the schedule by hand instead") == true, "\(String(describing: undo))")
            #expect(try await store.action(pending.id).state == "applied")
            #expect(try await campaigns.find(campaign.id).schedule?.cron == "0 12 * * *")
        }
    }

    /// Auto mode after an analysis whose engagement stands out on Tuesday and Thursday evenings (Berlin time) moves the
    /// posting hours there, as often as before and at most the rail's posts per account per day; the report's timeline
    /// shows the move with the hours before and after.
    @Test func autoModeMovesToTheStandoutHoursWithinThePostsPerDayRail() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let workspace = try await WorkspaceStore(database).ensure(slug: "default")
            let campaign = try await Self.campaign(database, workspace)
            let store = AutopilotStore(database, workspace: workspace)
            try await store.setSettings(campaign: campaign.id, mode: "auto", railsJSON: #"{"posts_per_account_per_day": 2}"#)
            // Monday 12 October 2026 00:00 Berlin (summer time): 400 impressions per variant in each of the weekday 09:00
            // hours and Tuesday and Thursday 19:00; clicks 10% in the evenings, 3% in the mornings, alike for A, B and C.
            let monday = Date(timeIntervalSince1970: 1_791_756_000)
            var events: [EngagementEvent] = []
            for variant in campaign.variants {
                for hour in Self.weekdays + [43, 91] {
                    let rate = [43, 91].contains(hour) ? 0.10 : 0.03
                    for index in 0..<400 {
                        let time = monday.addingTimeInterval(Double(hour) * 3_600 + Double(index % 60) * 60)
                        events.append(EngagementEvent(id: EventID(UUID()), variantID: variant.id, kind: .impression, occurredAt: time))
                        if Double(index) < 400 * rate {
                            events.append(EngagementEvent(id: EventID(UUID()), variantID: variant.id, kind: .click, occurredAt: time))
                        }
                    }
                }
            }
            _ = try await EventIngestor(database, workspace: workspace).ingest(events)
            let runner = AutopilotRunner(database: database, workspace: workspace, logger: TestDatabase.logger)
            let current = try await CampaignStore(database, workspace: workspace).find(campaign.id)
            let analysis = try await CampaignAnalysis(database: database, workspace: workspace).analyze(current, now: Self.now)
            #expect(analysis.sendTime?.standouts().map(\.hourOfWeek).sorted() == [43, 91])
            let outcome = try await runner.run(after: analysis, now: Self.now)
            let move = try #require(outcome.recorded.first { $0.kind == "move_schedule" }, "\(outcome.recorded.map(\.kind)) \(outcome.held)")
            #expect(move.state == "applied" && move.decidedBy == AutopilotRunner.actor.decider)

            // Five posts a week as before, the evenings kept, at most two a day.
            let after = try await CampaignStore(database, workspace: workspace).find(campaign.id)
            #expect(after.schedule?.cron == "30 9 * * MON,TUE,WED; 30 19 * * TUE,THU")
            let (_, fires) = try await Self.fires(database, workspace, campaign, count: 15)
            let hours = fires.map { Self.hourOfWeek($0).hour }
            #expect(Set(hours) == [9, 33, 43, 57, 91])
            let perDay = Dictionary(grouping: fires) { Calendar.current.dateComponents(in: Self.berlin, from: $0).day! }
            #expect(perDay.values.allSatisfy { $0.count <= 2 })
            #expect(fires.filter { $0 < fires[0].addingTimeInterval(7 * 86_400) }.count == 5)

            // The next report's timeline shows the move and its effect.
            let next = try await CampaignAnalysis(database: database, workspace: workspace).analyze(after, now: Self.now.addingTimeInterval(3_600))
            let shown = try #require(next.report.autopilot?.actions.first { $0.kind == "move_schedule" })
            #expect(
                shown.effect
                    == "posting hours Mon 09:00, Tue 09:00, Wed 09:00, Thu 09:00, Fri 09:00 → Mon 09:00, Tue 09:00, Tue 19:00, Wed 09:00, Thu 19:00"
            )
            #expect(HTMLRenderer.render(next.report).contains("Thu 09:00, Fri 09:00 → Mon 09:00"))
            #expect(MarkdownRenderer.render(next.report).contains("| Effect |"))
        }
    }

    /// A sample-ratio mismatch holds the move as it holds everything else (the planner's rule 1).
    @Test func aMismatchHoldsTheMove() {
        let input = AutopilotInput(
            arms: [.init(id: "A", trials: 5_000, share: 0.5, pBest: 0.5), .init(id: "B", trials: 5_000, share: 0.5, pBest: 0.5)],
            sampleRatioMismatch: true,
            standoutHours: [43],
            scheduledHours: Self.weekdays,
            now: Self.now
        )
        #expect(Autopilot.plan(input, rails: GuardRails()).actions.isEmpty)
    }
}
