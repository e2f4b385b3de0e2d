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

/// Analyzes a campaign, writes its report to the reports folder (refreshing the workspace
/// overview for HTML), and, when the payload names a webhook, posts a signed summary to it.
///
/// Payload: `{"campaign_id": "<uuid>", "workspace_id": "<uuid>", "format": "html|md|csv|json",
/// "webhook_url": "https://…", "webhook_secret_env": "HERALD_WEBHOOK_SECRET_…"}` (all but the ids optional;
/// format md). The secret itself never enters the database: the payload names an environment
/// variable of the worker, which must start with `HERALD_WEBHOOK_`.
public struct ReportHandler: JobHandler {
    public let kind = "report"
    let directory: URL
    let secrets: WebhookSecrets
    let sender: WebhookSender

    public init(directory: URL, secrets: WebhookSecrets = WebhookSecrets([:]), sender: WebhookSender = .init()) {
        self.directory = directory
        self.secrets = secrets
        self.sender = sender
    }

    /// The options of a report job besides its campaign.
    public struct Options: Codable, Sendable, Equatable {
        public var format: ReportFormat?
        public var webhookURL: String?
        public var webhookSecretEnv: String?

        public init(format: ReportFormat? = nil, webhookURL: String? = nil, webhookSecretEnv: String? = nil) {
            self.format = format
            self.webhookURL = webhookURL
            self.webhookSecretEnv = webhookSecretEnv
        }

        enum CodingKeys: String, CodingKey {
            case format
            case webhookURL = "webhook_url"
            case webhookSecretEnv = "webhook_secret_env"
        }
    }

    public func run(_ job: ClaimedJob, context: JobContext) async throws {
        let options = try decodePayload(Options.self, from: job)
        let (campaign, workspace) = try await campaignOf(job, context: context)
        var secret: String?
        if let url = options.webhookURL {
            do {
                try WebhookSender.validate(url: url)
                secret = try options.webhookSecretEnv.map { name throws(ValidationError) in try secrets.secret(named: name) }
            } catch {
                throw PermanentJobError("job \(job.id) (report): \(error)")
            }
        }
        let now = context.clock.now()
        let outcome = try await CampaignAnalysis(database: context.database, workspace: workspace).analyze(campaign, now: now)
        let format = options.format ?? .md
        let publisher = ReportPublisher(directory: directory)
        let written = try publisher.write(outcome.report, formats: [format], at: now)
        if format == .html {
            let name = try await WorkspaceStore(context.database).name(of: workspace)
            try await publisher.writeOverview(database: context.database, workspace: workspace, name: name, at: now)
        }
        context.logger.info(
            "report written",
            metadata: ["herald.campaign.slug": "\(campaign.slug)", "herald.report.path": "\(written.first?.file.path ?? "")", "herald.job.id": "\(job.id)"]
        )
        if let url = options.webhookURL {
            let body = try WebhookSummary(outcome.report, location: written.first?.latest.path).json()
            try await sender.post(
                url: url, body: body, secret: secret, timestamp: Int(now.timeIntervalSince1970),
                delivery: "report-\(job.id)", logger: context.logger
            )
        }
    }
}

/// The webhook secrets a worker can sign with: environment variables whose names start with
/// `HERALD_WEBHOOK_`, read once at startup (so a job payload can name a secret but never read
/// any other variable, and the secret never enters the database).
public struct WebhookSecrets: Sendable {
    /// The prefix every secret's variable name must have.
    public static let prefix = "HERALD_WEBHOOK_"
    private let values: [String: String]

    /// Keeps the `HERALD_WEBHOOK_*` entries of `environment`.
    public init(_ environment: [String: String]) {
        values = environment.filter { $0.key.hasPrefix(Self.prefix) && !$0.value.isEmpty }
    }

    /// Checks that `name` may hold a webhook secret.
    public static func validate(name: String) throws(ValidationError) {
        guard name.hasPrefix(prefix), name.count > prefix.count,
            name.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber || $0 == "_") })
        else {
            throw ValidationError(field: "webhook_secret_env", reason: "\"\(name)\" must be an environment variable named \(prefix)<NAME> (capitals, digits, _)")
        }
    }

    /// The secret in the variable `name`.
    ///
    /// - Throws: ``ValidationError`` when the name is not allowed or the worker's environment does not set it.
    public func secret(named name: String) throws(ValidationError) -> String {
        try Self.validate(name: name)
        guard let value = values[name] else {
            throw ValidationError(field: "webhook_secret_env", reason: "\(name) is not set in the worker's environment")
        }
        return value
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
