import ContentVariants
import Foundation
import HeraldCore
import Logging
import Scheduling
import Storage

/// What a handler gets besides its job: the database, the clock and a logger.
public struct JobContext: Sendable {
    public let database: Database
    public let clock: any HeraldClock
    public let logger: Logger
    /// The id of the worker running the job.
    public let worker: String

    public init(database: Database, clock: any HeraldClock, logger: Logger, worker: String) {
        self.database = database
        self.clock = clock
        self.logger = logger
        self.worker = worker
    }
}

/// Runs the jobs of one kind. Throwing retries the job (with backoff) until its attempts run out;
/// throwing ``PermanentJobError`` makes it dead at once.
public protocol JobHandler: Sendable {
    /// The job kind this handler runs.
    var kind: String { get }
    func run(_ job: ClaimedJob, context: JobContext) async throws
}

/// A failure that retrying cannot fix (bad payload, missing campaign): the job is dead at once.
public struct PermanentJobError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The handlers a worker knows, by kind.
public struct JobHandlers: Sendable {
    private var handlers: [String: any JobHandler] = [:]

    public init(_ handlers: [any JobHandler]) {
        for handler in handlers { self.handlers[handler.kind] = handler }
    }

    public subscript(kind: String) -> (any JobHandler)? { handlers[kind] }

    /// The kinds, sorted.
    public var kinds: [String] { handlers.keys.sorted() }

    /// Herald's job kinds: noop, probe, publish, publish_campaign, analyze, report and generate_variants.
    ///
    /// - Parameters:
    ///   - reportsDirectory: Where `report` jobs write.
    ///   - publishPause: Fault injection for crash tests: wait this long between delivering and recording it.
    ///   - llm: The LLM endpoint for `generate_variants` (nil: the rule generator).
    ///   - webhookSecrets: The secrets `report` jobs may sign webhooks with.
    public static func standard(
        reportsDirectory: URL, publishPause: Duration? = nil, llm: LLMConfiguration? = nil, webhookSecrets: WebhookSecrets = WebhookSecrets([:])
    ) -> JobHandlers {
        JobHandlers([
            NoopHandler(), ProbeHandler(), PublishHandler(pauseAfterDelivery: publishPause), PublishCampaignHandler(),
            AnalyzeHandler(), ReportHandler(directory: reportsDirectory, secrets: webhookSecrets), GenerateVariantsHandler(llm: llm),
        ])
    }
}

/// Decodes a job's JSON payload, or fails the job permanently with a clear message.
func decodePayload<T: Decodable>(_ type: T.Type, from job: ClaimedJob) throws -> T {
    do {
        return try JSONDecoder().decode(T.self, from: Data(job.payload.utf8))
    } catch {
        throw PermanentJobError("job \(job.id) (\(job.kind)): payload \(ValidationError(decoding: error))")
    }
}
