import Foundation
import HeraldCore
import Logging
import Reports
import Scheduling
import Storage

/// Analyzes a campaign, writes its report to the reports folder (refreshing the workspace
/// overview for HTML), and, when the payload names a webhook, posts a signed summary to it (``ReportPayload``).
///
/// The secret itself never enters the database: the payload names an environment variable of the worker,
/// which must start with `HERALD_WEBHOOK_`.
public struct ReportHandler: JobHandler {
    let directory: URL
    let secrets: WebhookSecrets
    let sender: WebhookSender

    public init(directory: URL, secrets: WebhookSecrets = WebhookSecrets([:]), sender: WebhookSender = .init()) {
        self.directory = directory
        self.secrets = secrets
        self.sender = sender
    }

    public func run(_ job: ClaimedJob, payload: ReportPayload, context: JobContext) async throws {
        let campaign = try await payload.campaign(in: context)
        let workspace = payload.workspace
        var secret: String?
        if let url = payload.webhookURL {
            do {
                try WebhookSender.validate(url: url)
                secret = try payload.webhookSecretEnv.map { name throws(ValidationError) in try secrets.secret(named: name) }
            } catch {
                throw PermanentJobError("job \(job.id) (report): \(error)")
            }
        }
        let now = context.clock.now()
        let outcome = try await CampaignAnalysis(database: context.database, workspace: workspace).analyze(campaign, now: now)
        let format = payload.format ?? .md
        let publisher = ReportPublisher(directory: directory)
        let written = try publisher.write(outcome.report, formats: [format], at: now)
        if format == .html {
            let name = try await WorkspaceStore(context.database).name(of: workspace)
            try await publisher.writeOverview(database: context.database, workspace: workspace, name: name, at: now)
        }
        context.logger.info(
            "report written",
            metadata: [
                "herald.campaign.slug": "\(campaign.slug)", "herald.report.path": "\(written.first?.file.path ?? "")", "herald.job.id": "\(job.id)",
            ]
        )
        if let url = payload.webhookURL {
            let body = try WebhookSummary(outcome.report, location: written.first?.latest.path).json()
            try await sender.post(
                url: url,
                body: body,
                secret: secret,
                timestamp: Int(now.timeIntervalSince1970),
                delivery: "report-\(job.id)",
                logger: context.logger
            )
        }
    }
}
