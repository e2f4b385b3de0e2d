import Foundation
import HeraldCore
import HeraldTestSupport
import Jobs
import Scheduling
import Storage
import Testing

struct JobKindTests {
    @Test func everyKindHasAHandlerInTheWorkersStandardSet() {
        let handlers = JobHandlers.standard(reportsDirectory: URL(fileURLWithPath: NSTemporaryDirectory()))
        for kind in JobKind.allCases {
            #expect(handlers[kind]?.kind == kind, "no handler for \(kind.rawValue)")
        }
        #expect(handlers.kinds == JobKind.allCases.map(\.rawValue).sorted())
    }

    @Test func payloadsKeepTheStoredJSONShape() throws {
        let campaign = try #require(CampaignID("0b7c4a38-5a3f-4c61-9d2e-1f0a6b1c2d3e"))
        let workspace = try #require(WorkspaceID("8f14e45f-ceea-467f-a0e6-1b2c3d4e5f60"))
        let publication = try #require(UUID(uuidString: "6F9619FF-8B86-D011-B42D-00C04FC964FF"))
        #expect(PublishPayload(publication: publication).json == #"{"publication_id":"6f9619ff-8b86-d011-b42d-00c04fc964ff"}"#)
        #expect(
            PublishCampaignPayload(campaign: campaign, workspace: workspace).json
                == #"{"campaign_id":"\#(campaign)","workspace_id":"\#(workspace)"}"#
        )
        #expect(
            ReportPayload(
                campaign: campaign,
                workspace: workspace,
                format: .html,
                webhookURL: "https://hooks.example.com/h",
                webhookSecretEnv: "HERALD_WEBHOOK_A"
            )
            .json
                == #"{"campaign_id":"\#(campaign)","format":"html","webhook_secret_env":"HERALD_WEBHOOK_A","webhook_url":"https://hooks.example.com/h","workspace_id":"\#(workspace)"}"#
        )
        #expect(NoopPayload().json == "{}" && ProbePayload().json == "{}")
        // Rows written before the payloads were typed (PostgreSQL's jsonb text, extra keys) still decode.
        let old = #"{"campaign_id": "\#(campaign)", "workspace_id": "\#(workspace)", "brief": {"product": "Shoes"}, "channel": "x", "seed": 7}"#
        let generate = try GenerateVariantsPayload(json: old)
        #expect(
            generate.campaign == campaign && generate.brief == .object(["product": .string("Shoes")]) && generate.count == nil && generate.seed == 7
        )
        #expect(try AnalyzePayload(json: old) == AnalyzePayload(campaign: campaign, workspace: workspace))
    }

    @Test func kindsTypedByAPersonAreCheckedByName() throws {
        #expect(try JobKind(parsing: "publish_campaign", field: "kind") == .publishCampaign)
        let error = #expect(throws: ValidationError.self) { try JobKind(parsing: "pubish", field: "kind") }
        #expect(error?.description == #"kind: "pubish" is not a job kind; one of \#(JobKind.names)"#)
        #expect(JobKind.aboutOneCampaign == [.publishCampaign, .analyze, .report])
    }

    @Test func aScheduleFiresAJobWhosePayloadDecodesIntoTheTypedPayload() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let workspace = try await WorkspaceStore(database).ensure(slug: "default")
            let start = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z
            let spec = try CampaignSpec(
                name: "Typed",
                channels: [.x],
                schedule: .init(cron: "0 9 * * *", tz: "UTC"),
                variants: [.init(key: "A", text: "one"), .init(key: "B", text: "two")],
                dryRun: true
            )
            let schedule = try #require(try CampaignSchedule.validate(spec))
            let campaign = try await CampaignStore(database, workspace: workspace)
                .create(spec, schedule: CampaignSchedule.attachment(schedule, now: start))
            // The API's and the CLI's way: a schedule stored with a payload encoded from its type.
            _ = try await ScheduleStore(database).create(
                name: "analyze:typed",
                rule: "0 9 * * *",
                timeZone: "UTC",
                workspace: workspace,
                campaign: campaign.id,
                job: EncodedJobPayload(AnalyzePayload(campaign: campaign.id, workspace: workspace)),
                nextFireAt: start.addingTimeInterval(9 * 3_600),
                now: start
            )
            let clock = ManualClock(now: start.addingTimeInterval(9 * 3_600 + 1))
            let scheduler = SchedulerService(database: database, clock: clock, logger: TestDatabase.logger)
            try await scheduler.runOnce(ScheduleStore(database))
            let jobs = try await JobQueue(database).claim(queues: ["default"], limit: 10, worker: "test", lease: 30, now: clock.now())
            #expect(jobs.count == 2)
            let fire = try #require(jobs.first { $0.kind == JobKind.publishCampaign.rawValue })
            #expect(try PublishCampaignPayload(json: fire.payload) == PublishCampaignPayload(campaign: campaign.id, workspace: workspace))
            #expect(fire.workspace == workspace)
            let analyze = try #require(jobs.first { $0.kind == JobKind.analyze.rawValue })
            #expect(try AnalyzePayload(json: analyze.payload) == AnalyzePayload(campaign: campaign.id, workspace: workspace))
        }
    }
}
