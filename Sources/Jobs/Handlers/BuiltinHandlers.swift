import Foundation
import HeraldCore
import Logging
import Reports
import Scheduling
import Storage

/// Does nothing: for measuring the queue itself.
public struct NoopHandler: JobHandler {
    public let kind = "noop"
    public init() {}
    public func run(_ job: ClaimedJob, context: JobContext) async throws {}
}

/// Records each of its runs in `job_probes`: shows operators and tests that a job ran, and how often.
public struct ProbeHandler: JobHandler {
    public let kind = "probe"
    public init() {}
    public func run(_ job: ClaimedJob, context: JobContext) async throws {
        try await JobQueue(context.database).recordProbe(job, worker: context.worker, now: context.clock.now())
    }
}

/// Publishes one publication, at least once but never twice: delivery goes through the outbox
/// keyed by the publication's idempotency key, so a retried or rescued job only counts an attempt.
///
/// Payload: `{"publication_id": "<uuid>"}`.
public struct PublishHandler: JobHandler {
    public let kind = "publish"
    /// Fault injection: a pause between delivering and recording the delivery (crash tests).
    let pauseAfterDelivery: Duration?

    public init(pauseAfterDelivery: Duration? = nil) {
        self.pauseAfterDelivery = pauseAfterDelivery
    }

    struct Payload: Decodable {
        var publication_id: UUID
    }

    public func run(_ job: ClaimedJob, context: JobContext) async throws {
        let payload = try decodePayload(Payload.self, from: job)
        let store = PublicationStore(context.database)
        let publication: Publication
        do {
            publication = try await store.find(payload.publication_id)
        } catch let error as NotFoundError {
            throw PermanentJobError("\(error)")
        }
        guard publication.status != "published" else { return }
        let first = try await store.deliverToOutbox(publication, body: publication.text)
        context.logger.info(
            "delivered publication",
            metadata: [
                "herald.publication.id": "\(publication.id)", "herald.publication.channel": "\(publication.channel)",
                "herald.delivery.first": "\(first)", "herald.job.id": "\(job.id)",
            ]
        )
        if let pauseAfterDelivery { try await Task.sleep(for: pauseAfterDelivery) }
        try await store.markPublished(publication.id, at: context.clock.now())
    }
}

/// On a campaign's schedule fire: creates a publication per variant and channel for this fire and
/// enqueues their publish jobs, both idempotent, so a repeated fire job adds nothing.
///
/// Payload: `{"campaign_id": "<uuid>", "workspace_id": "<uuid>"}`.
public struct PublishCampaignHandler: JobHandler {
    public let kind = "publish_campaign"
    public init() {}

    public func run(_ job: ClaimedJob, context: JobContext) async throws {
        let (campaign, workspace) = try await campaignOf(job, context: context)
        let store = PublicationStore(context.database)
        var requests: [JobRequest] = []
        let fire = Timestamp.format(job.runAt)
        for variant in campaign.variants {
            for channel in campaign.channels {
                let publication = try await store.create(
                    workspace: workspace, campaign: campaign.id, variant: variant.id, channel: channel,
                    scheduledAt: job.runAt, idempotencyKey: "\(campaign.id):\(fire):\(variant.key):\(channel.rawValue)"
                )
                requests.append(
                    JobRequest(
                        kind: "publish", payload: #"{"publication_id": "\#(publication.id.uuidString.lowercased())"}"#,
                        runAt: job.runAt, uniqueKey: "publish:\(publication.idempotencyKey)", workspace: workspace
                    )
                )
            }
        }
        try await JobQueue(context.database).enqueue(requests)
    }
}

/// Analyzes a campaign from its rollups and stores the result in `analyses`.
///
/// Payload: `{"campaign_id": "<uuid>", "workspace_id": "<uuid>"}`.
public struct AnalyzeHandler: JobHandler {
    public let kind = "analyze"
    public init() {}

    public func run(_ job: ClaimedJob, context: JobContext) async throws {
        let (campaign, workspace) = try await campaignOf(job, context: context)
        _ = try await CampaignAnalysis(database: context.database, workspace: workspace).analyze(campaign, now: context.clock.now())
    }
}

/// Writes a campaign's report to the reports folder.
///
/// Payload: `{"campaign_id": "<uuid>", "workspace_id": "<uuid>", "format": "md|csv|json"}` (format optional, md).
public struct ReportHandler: JobHandler {
    public let kind = "report"
    let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    struct Options: Decodable {
        var format: ReportFormat?
    }

    public func run(_ job: ClaimedJob, context: JobContext) async throws {
        let options = try decodePayload(Options.self, from: job)
        let (campaign, workspace) = try await campaignOf(job, context: context)
        let now = context.clock.now()
        let outcome = try await CampaignAnalysis(database: context.database, workspace: workspace).analyze(campaign, now: now)
        let format = options.format ?? .md
        _ = try ReportWriter(directory: directory).write(
            try format.render(outcome.report), slug: outcome.campaign.slug, format: format.rawValue, at: now
        )
    }
}

/// The payload of jobs about one campaign: `{"campaign_id": "<uuid>", "workspace_id": "<uuid>", ...}`.
struct CampaignJobPayload: Decodable {
    var campaign_id: UUID
    var workspace_id: UUID
}

/// The campaign a job is about; a bad payload or a campaign that no longer exists fails the job permanently.
func campaignOf(_ job: ClaimedJob, context: JobContext) async throws -> (Campaign, WorkspaceID) {
    let payload = try decodePayload(CampaignJobPayload.self, from: job)
    let workspace = WorkspaceID(payload.workspace_id)
    do {
        return (try await CampaignStore(context.database, workspace: workspace).find(CampaignID(payload.campaign_id)), workspace)
    } catch let error as NotFoundError {
        throw PermanentJobError("\(error)")
    }
}
