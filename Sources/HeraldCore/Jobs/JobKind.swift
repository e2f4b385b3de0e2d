/// The kinds of job Herald's workers run. The raw value is the name stored in `jobs.kind` and
/// `schedules.job_kind`, so it never changes once a kind exists.
///
/// Each kind has one payload type (``JobPayload``) that knows its kind: enqueue with the payload
/// (`JobRequest(payload: PublishPayload(publication: id), runAt: now)`) and never with a name.
public enum JobKind: String, CaseIterable, Sendable, Codable {
    /// Does nothing: measures the queue itself (``NoopPayload``).
    case noop
    /// Records each run in `job_probes` (``ProbePayload``).
    case probe
    /// Publishes one publication (``PublishPayload``).
    case publish
    /// A campaign's schedule fire: creates its publications and their `publish` jobs (``PublishCampaignPayload``).
    case publishCampaign = "publish_campaign"
    /// Analyzes a campaign and stores the analysis (``AnalyzePayload``).
    case analyze
    /// Analyzes a campaign, writes its report and optionally posts a signed webhook (``ReportPayload``).
    case report
    /// Generates variants for a campaign from a brief (``GenerateVariantsPayload``).
    case generateVariants = "generate_variants"
    /// Reads a published post's engagement counts from its platform, stores the snapshot and turns increases into
    /// events (``CollectMetricsPayload``).
    case collectMetrics = "collect_metrics"
    /// Sends one lifecycle event to one subscribed webhook, signed, retried with backoff (``NotifyPayload``).
    case notify
    /// Makes the messages of one send phase of an audience campaign (one per contact), then enqueues `send_messages`
    /// (``SendAudiencePayload``).
    case sendAudience = "send_audience"
    /// Sends a campaign's due messages, a batch at a time, and records each outcome (``SendMessagesPayload``).
    case sendMessages = "send_messages"
    /// One look at a test-then-send campaign's test phase: records a winner (by the sequential test or, past the
    /// deadline, the best arm) and sends it to the rest, or schedules the next look (``DecideWinnerPayload``).
    case decideWinner = "decide_winner"

    /// Every kind's name, in declaration order, comma-separated: for help texts and errors.
    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// Reads a kind a person typed (a CLI argument).
    ///
    /// - Parameters:
    ///   - text: The kind's name, e.g. `publish_campaign`.
    ///   - field: The input it came from, named in the error (e.g. `kind` or `--job`).
    /// - Throws: ``ValidationError`` naming every kind when `text` is none of them.
    public init(parsing text: String, field: String) throws(ValidationError) {
        guard let kind = JobKind(rawValue: text) else {
            throw ValidationError(field: field, reason: "\"\(text)\" is not a job kind; one of \(Self.names)")
        }
        self = kind
    }
}
