import Connectors
import Foundation
import HeraldCore
import Logging
import PostgresNIO

/// The delivery state machine's records: each request that may post a publication (``DeliveryAttempt``), the
/// publication's moves between states, and the pacing of each account (one sender at a time, a token bucket).
///
/// States: scheduled → sending → published (provider id, URL, time) or failed (class and the platform's message);
/// sending → scheduled again when the post certainly did not go out and will be retried (transient, rate limited,
/// account needs reconnecting); cancelled; dry_run.
public struct DeliveryStore: Sendable {
    let database: Database

    public init(_ database: Database) {
        self.database = database
    }

    /// The publication's attempts, oldest first.
    public func attempts(of publication: UUID) async throws -> [DeliveryAttempt] {
        let rows = try await database.client.query(
            """
            SELECT number, started_at, finished_at, outcome, http_status, message, worker
            FROM delivery_attempts WHERE publication_id = \(publication) ORDER BY number
            """,
            logger: database.logger
        )
        var attempts: [DeliveryAttempt] = []
        for try await (number, started, finished, outcome, status, message, worker) in rows.decode(
            (Int, Date, Date?, String?, Int?, String?, String).self
        ) {
            attempts.append(
                DeliveryAttempt(
                    number: number,
                    startedAt: started,
                    finishedAt: finished,
                    outcome: outcome.flatMap(DeliveryAttempt.Outcome.init(rawValue:)),
                    httpStatus: status,
                    message: message,
                    worker: worker
                )
            )
        }
        return attempts
    }

    /// Records that a request is about to go out (before it does): returns the attempt's number.
    public func begin(publication: UUID, account: UUID?, worker: String, at time: Date) async throws -> Int {
        let rows = try await database.client.query(
            """
            INSERT INTO delivery_attempts (publication_id, number, account_id, worker, started_at)
            SELECT \(publication), coalesce(max(number), 0) + 1, \(account), \(worker), \(time)
            FROM delivery_attempts WHERE publication_id = \(publication)
            RETURNING number
            """,
            logger: database.logger
        )
        for try await number in rows.decode(Int.self) { return number }
        throw StorageError("recording a delivery attempt returned no number")
    }

    /// Records how an attempt ended.
    public func finish(
        publication: UUID,
        attempt: Int,
        _ outcome: DeliveryAttempt.Outcome,
        status: Int? = nil,
        message: String? = nil,
        at time: Date
    ) async throws {
        try await database.client.query(
            """
            UPDATE delivery_attempts SET outcome = \(outcome.rawValue), http_status = \(status), message = \(message.map { String($0.prefix(2_000)) }),
                   finished_at = \(time)
            WHERE publication_id = \(publication) AND number = \(attempt)
            """,
            logger: database.logger
        )
    }

    /// Records in one transaction that attempt `attempt` ended with the post on the platform (`outcome` published, or
    /// found by reconciliation) and marks the publication published with the platform's id and URL (empty id: the
    /// platform gave none). One transaction, so no crash leaves an attempt that says published beside a publication
    /// that does not (which a later run would post again). `followUps` (the collection of the post's engagement) are
    /// queued in the same transaction.
    public func recordPublished(
        _ publication: UUID,
        attempt: Int,
        _ outcome: DeliveryAttempt.Outcome,
        post: PostedPost,
        at time: Date,
        followUps: [JobRequest] = []
    ) async throws {
        let logger = database.logger
        try JobQueue.check(followUps)
        try await database.transaction { connection in
            try await connection.query(
                """
                UPDATE delivery_attempts SET outcome = \(outcome.rawValue), message = \(post.id), finished_at = \(time)
                WHERE publication_id = \(publication) AND number = \(attempt)
                """,
                logger: logger
            )
            try await connection.query(
                """
                UPDATE publications SET status = 'published', published_at = \(time), provider_id = nullif(\(post.id), ''),
                       provider_url = \(post.url), provider_cid = \(post.cid), error = NULL, failure_class = NULL
                WHERE id = \(publication) AND status IN ('scheduled', 'sending')
                """,
                logger: logger
            )
            // Queued with the record, so a worker stopped between the two can leave neither without the other.
            _ = try await JobQueue.insert(followUps, connection: connection, logger: logger)
        }
    }

    /// Marks a publication failed with its class and the platform's own message (a published one stays published).
    public func markFailed(_ publication: UUID, class failure: String, message: String) async throws {
        try await database.client.query(
            """
            UPDATE publications SET status = 'failed', failure_class = \(failure), error = \(String(message.prefix(2_000)))
            WHERE id = \(publication) AND status IN ('scheduled', 'sending')
            """,
            logger: database.logger
        )
    }

    /// Puts a publication that certainly did not go out back to scheduled, noting why it waits.
    public func reschedule(_ publication: UUID, class failure: String, note: String) async throws {
        try await database.client.query(
            """
            UPDATE publications SET status = 'scheduled', failure_class = \(failure), error = \(String(note.prefix(2_000)))
            WHERE id = \(publication) AND status IN ('scheduled', 'sending')
            """,
            logger: database.logger
        )
    }

    /// Marks a dry run's publication as gone to the table-only sink.
    public func markDryRun(_ publication: UUID, at time: Date) async throws {
        try await database.client.query(
            """
            UPDATE publications SET status = 'dry_run', published_at = \(time), error = NULL, failure_class = NULL
            WHERE id = \(publication) AND status IN ('scheduled', 'sending')
            """,
            logger: database.logger
        )
    }
}
