import Analytics
import Connectors
import Crypto
import Foundation
import HeraldCore
import HeraldTestSupport
import Jobs
import Reports
import Scheduling
import Storage
import Testing

struct ReportJobTests {
    static let secret = "whsec-test-7f3a"

    /// A campaign with a hostile variant text and a week of simulated traffic.
    func campaign(_ database: Database, workspace: WorkspaceID) async throws -> Campaign {
        let campaign = try await CampaignStore(database, workspace: workspace).create(
            try CampaignSpec(
                name: "Weekly <b>digest</b>",
                channels: [.x],
                variants: [.init(key: "A", text: "Plain."), .init(key: "B", text: "<script>alert(1)</script><img src=x onerror=alert(2)>")]
            )
        )
        var generator = SplitMix64(seed: 11)
        let simulator = AudienceSimulator(
            arms: zip(campaign.variants, [0.03, 0.04]).map { .init(variant: $0.id, trueRate: $1) },
            impressionsPerDay: 2_000
        )
        let start = Date(timeIntervalSince1970: 1_772_323_200)
        _ = try await EventIngestor(database, workspace: workspace).ingest(simulator.events(days: 7, start: start, using: &generator))
        return campaign
    }

    /// Enqueues, claims and runs one report job.
    func runReportJob(_ database: Database, payload: ReportPayload, handler: ReportHandler) async throws {
        let queue = JobQueue(database)
        try await queue.enqueue([JobRequest(payload: payload, runAt: Date())])
        let job = try #require(try await queue.claim(queues: ["default"], limit: 1, worker: "test", lease: 60, now: Date()).first)
        let context = JobContext(database: database, clock: SystemClock(), logger: TestDatabase.logger, worker: "test")
        try await handler.run(job, context: context)
    }

    @Test func writesTheHTMLReportAndOverviewAndPostsASignedSummary() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let workspace = try await WorkspaceStore(database).ensure(slug: "default")
            let campaign = try await campaign(database, workspace: workspace)
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("herald-report-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: folder) }
            try await WebhookReceiver.with { receiver, url in
                let handler = ReportHandler(directory: folder, secrets: WebhookSecrets(["HERALD_WEBHOOK_TEAM": Self.secret, "DATABASE_URL": "x"]))
                let payload = ReportPayload(
                    campaign: campaign.id,
                    workspace: workspace,
                    format: .html,
                    webhookURL: url,
                    webhookSecretEnv: "HERALD_WEBHOOK_TEAM"
                )
                try await runReportJob(database, payload: payload, handler: handler)

                let html = try String(contentsOf: folder.appendingPathComponent("\(campaign.slug)/latest/report.html"), encoding: .utf8)
                #expect(html.contains("data-chart=\"cumulative-rate\""))
                #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
                let overview = try String(contentsOf: folder.appendingPathComponent("default/index.html"), encoding: .utf8)
                #expect(overview.contains("href=\"../\(campaign.slug)/latest/report.html\""))
                #expect(overview.contains("Weekly &lt;b&gt;digest&lt;/b&gt;"))

                let request = try #require(receiver.requests.first)
                #expect(receiver.requests.count == 1)
                #expect(request.method == "POST")
                #expect(request.path == "/hooks/herald")
                #expect(request.headers["content-type"] == "application/json")
                let timestamp = try #require(request.headers["herald-timestamp"])
                #expect(abs(Double(timestamp)! - Date().timeIntervalSince1970) < 120)
                // Verified independently of Herald's code: HMAC-SHA256 over "<timestamp>.<raw body>".
                let mac = HMAC<SHA256>.authenticationCode(
                    for: Data("\(timestamp).\(request.body)".utf8),
                    using: SymmetricKey(data: Data(Self.secret.utf8))
                )
                #expect(request.headers["herald-signature"] == "v1=" + mac.map { String(format: "%02x", $0) }.joined())
                #expect(
                    WebhookSignature.verify(
                        signature: request.headers["herald-signature"] ?? "",
                        body: request.body,
                        timestamp: Int(timestamp)!,
                        secret: Self.secret
                    )
                )
                #expect(
                    !WebhookSignature.verify(
                        signature: request.headers["herald-signature"] ?? "",
                        body: request.body + " ",
                        timestamp: Int(timestamp)!,
                        secret: Self.secret
                    )
                )
                #expect(request.headers["herald-delivery"]?.hasPrefix("report-") == true)

                let summary = try #require(try JSONSerialization.jsonObject(with: Data(request.body.utf8)) as? [String: Any])
                #expect(summary["event"] as? String == "report.generated")
                #expect(summary["campaign_slug"] as? String == campaign.slug)
                #expect((summary["headline"] as? String)?.isEmpty == false)
                #expect((summary["variants"] as? [[String: Any]])?.count == 2)
                #expect((summary["report"] as? String)?.hasSuffix("/latest/report.html") == true)
            }
        }
    }

    @Test func aRefusedDeliveryRetriesAndAMissingSecretFailsForGood() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let workspace = try await WorkspaceStore(database).ensure(slug: "default")
            let campaign = try await campaign(database, workspace: workspace)
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("herald-report-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: folder) }
            try await WebhookReceiver.with { receiver, url in
                receiver.answer(503)
                let handler = ReportHandler(directory: folder, secrets: WebhookSecrets(["HERALD_WEBHOOK_TEAM": Self.secret]))
                await #expect(throws: WebhookSender.DeliveryError.self) {
                    try await runReportJob(
                        database,
                        payload: ReportPayload(
                            campaign: campaign.id,
                            workspace: workspace,
                            format: .md,
                            webhookURL: url,
                            webhookSecretEnv: "HERALD_WEBHOOK_TEAM"
                        ),
                        handler: handler
                    )
                }
                #expect(receiver.requests.count == 1)
                for secretName in ["HERALD_WEBHOOK_OTHER", "DATABASE_URL"] {
                    let error = await #expect(throws: PermanentJobError.self) {
                        try await runReportJob(
                            database,
                            payload: ReportPayload(campaign: campaign.id, workspace: workspace, webhookURL: url, webhookSecretEnv: secretName),
                            handler: handler
                        )
                    }
                    #expect(error?.message.contains("webhook_secret_env") == true, "\(String(describing: error))")
                }
                #expect(receiver.requests.count == 1)
            }
        }
    }
}
