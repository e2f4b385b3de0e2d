import ContentVariants
import Foundation
import HeraldCore
import Storage

/// The handlers a worker knows, by kind.
public struct JobHandlers: Sendable {
    private var handlers: [JobKind: any JobHandler] = [:]

    public init(_ handlers: [any JobHandler]) {
        for handler in handlers { self.handlers[handler.kind] = handler }
    }

    /// The handler of `kind`.
    public subscript(kind: JobKind) -> (any JobHandler)? { handlers[kind] }

    /// The handler of a stored job's kind; nil when no handler runs it or this version does not know the kind.
    public subscript(kind: String) -> (any JobHandler)? { JobKind(rawValue: kind).flatMap { handlers[$0] } }

    /// The kinds' names, sorted.
    public var kinds: [String] { handlers.keys.map(\.rawValue).sorted() }

    /// A handler for every ``JobKind``: what `herald worker` and the worker in `herald serve` run.
    ///
    /// - Parameters:
    ///   - reportsDirectory: Where `report` jobs write.
    ///   - publishPause: Fault injection for crash tests: wait this long between delivering and recording it.
    ///   - probePause: Fault injection for crash tests: each `probe` job waits this long before it records its run.
    ///   - llm: The LLM endpoint for `generate_variants` (nil: the rule generator).
    ///   - webhookSecrets: The secrets `report` and `notify` jobs may sign webhooks with.
    ///   - publicURL: Where this service is reached, for the tracking links and pixels in posts.
    ///   - accounts: Connected accounts and their connectors, for `publish` and `collect_metrics` (nil: publish dry runs
    ///     only; metrics collection fails, saying so).
    ///   - secrets: The box recipient tokens of audience messages are signed under (nil: `send_messages` fails, saying so).
    public static func standard(
        reportsDirectory: URL,
        publishPause: Duration? = nil,
        probePause: Duration? = nil,
        llm: LLMConfiguration? = nil,
        webhookSecrets: WebhookSecrets = WebhookSecrets([:]),
        publicURL: String = CampaignFire.defaultPublicURL,
        accounts: (any AccountConnections)? = nil,
        secrets: SecretBox? = nil
    ) -> JobHandlers {
        JobHandlers([
            NoopHandler(), ProbeHandler(pause: probePause),
            PublishHandler(pauseAfterDelivery: publishPause, publicURL: publicURL, accounts: accounts),
            PublishCampaignHandler(publicURL: publicURL),
            AnalyzeHandler(), ReportHandler(directory: reportsDirectory, secrets: webhookSecrets), GenerateVariantsHandler(llm: llm),
            CollectMetricsHandler(accounts: accounts),
            NotifyHandler(secrets: webhookSecrets),
            SendAudienceHandler(), SendMessagesHandler(publicURL: publicURL, secrets: secrets),
            DecideWinnerHandler(),
        ])
    }
}
