import Connectors
import Foundation
import HeraldCore
import Logging
import Scheduling
import Storage

/// Reads a published post's engagement counts from its platform (``CollectMetricsPayload``, one round of
/// ``MetricsSchedule``), stores the snapshot, and turns the increases into engagement events through the one ingestor
/// (``EngagementIncrease``: deterministic ids, so collecting again never counts twice).
///
/// Where the platform gives no impressions (Mastodon, Bluesky), the post's exposure is the account's follower reach at
/// posting time (`publications.reach`, recorded when it was published; read from the account now, at the first
/// collection, when it was not). A rate limit retries the job when the platform's limit resets; refused credentials
/// stop collecting for the account (the account then needs reconnecting, which is told once).
public struct CollectMetricsHandler: JobHandler {
    /// Where connected accounts come from; nil in a worker started without them (its collect_metrics jobs fail).
    let accounts: (any AccountConnections)?
    /// Events are ingested in batches of at most this many (a post's reach can be large).
    let batchSize: Int

    public init(accounts: (any AccountConnections)?, batchSize: Int = 50_000) {
        self.accounts = accounts
        self.batchSize = max(1, batchSize)
    }

    public func run(_ job: ClaimedJob, payload: CollectMetricsPayload, context: JobContext) async throws {
        guard let accounts else {
            throw PermanentJobError("collect_metrics: this worker was started without connected accounts to read engagement through")
        }
        let publications = PublicationStore(context.database)
        guard let target = try await publications.metricsTarget(payload.publication) else {
            throw PermanentJobError("collect_metrics: publication \(payload.publication.uuidString.lowercased()) not found")
        }
        var logger = context.logger
        logger[metadataKey: "herald.publication.id"] = "\(target.publication.uuidString.lowercased())"
        logger[metadataKey: "herald.publication.channel"] = "\(target.channel)"
        logger[metadataKey: "herald.metrics.round"] = "\(payload.round)"
        guard target.status == "published", let providerID = target.providerID, let accountID = target.account else {
            logger.info(
                "no engagement to collect: the publication is not a post on a platform",
                metadata: ["herald.publication.status": "\(target.status)"]
            )
            return
        }
        let connector: any ChannelConnector
        let account: ConnectedAccount
        do {
            (connector, account) = try await accounts.connection(for: accountID, workspace: target.workspace)
        } catch let unavailable as AccountUnavailable {
            // Told once when the account's health changed; each round skips quietly until it is reconnected.
            logger.debug("engagement not collected: the account needs reconnecting", metadata: ["herald.error": "\(unavailable)"])
            return
        }
        // A webhook receiver gives no engagement back.
        guard connector.kind != .webhook else { return }
        let accountLogger = logger
        let refused: @Sendable (ConnectorError) async throws -> Void = { error in
            if try await accounts.setHealth(account: accountID, workspace: target.workspace, .needsReconnect, reason: error.message, until: nil) {
                accountLogger.warning(
                    "engagement collection stopped: the platform refused the account's credentials; reconnect the account",
                    metadata: ["herald.account.id": "\(accountID.uuidString.lowercased())", "herald.error": "\(error)"]
                )
            }
        }
        let post = PostedPost(id: providerID, url: target.providerURL, cid: target.providerCID)
        guard let counts = try await Self.classified({ try await connector.engagement(of: post, account: account) }, refused: refused, logger: logger)
        else { return }
        // Impressions only from a platform that reports them (a count another platform might send is not one).
        let impressions = connector.kind.reportsImpressions ? counts.impressions : nil
        var reach = target.reach
        var followers: Int?
        if impressions == nil, reach == nil {
            // No impressions: the exposure is the follower reach at posting time. Not recorded when the post was
            // published, the first collection (an hour later) is the closest reading there is.
            guard let profile = try await Self.classified({ try await connector.check(account) }, refused: refused, logger: logger) else {
                return
            }
            followers = profile.followers
            if let known = profile.followers { reach = try await publications.setReach(target.publication, followers: known) }
        }
        let now = context.clock.now()
        let snapshot = EngagementSnapshot(
            publication: target.publication,
            // Whole microseconds, as PostgreSQL keeps them, so the snapshot and its events name the same instant.
            takenAt: Date(timeIntervalSince1970: (now.timeIntervalSince1970 * 1_000_000).rounded() / 1_000_000),
            round: payload.round,
            likes: counts.likes,
            shares: counts.shares,
            comments: counts.comments,
            impressions: impressions,
            followers: followers
        )
        let result = try await Self.collect(
            snapshot,
            reach: reach,
            target: target,
            database: context.database,
            batchSize: batchSize
        )
        logger.info(
            "engagement collected",
            metadata: [
                "herald.metrics.likes": "\(counts.likes)", "herald.metrics.shares": "\(counts.shares)",
                "herald.metrics.comments": "\(counts.comments)", "herald.metrics.exposure": "\(result.counted.exposure)",
                "herald.events.accepted": "\(result.ingested.accepted)", "herald.events.duplicates": "\(result.ingested.duplicates)",
            ]
        )
    }

    /// Counts a snapshot: ingests the events above what its publication's events stood for, then stores the snapshot
    /// with the new totals. Ingesting first means a crash in between only repeats events the ingestor finds by id.
    ///
    /// - Returns: The publication's totals afterwards and what the ingestor did.
    public static func collect(
        _ snapshot: EngagementSnapshot,
        reach: Int?,
        target: MetricsTarget,
        database: Database,
        batchSize: Int = 50_000
    ) async throws -> (counted: EngagementTotals, ingested: IngestResult) {
        let snapshots = EngagementSnapshotStore(database, workspace: target.workspace)
        let before = try await snapshots.counted(of: target.publication)
        var after = before
        var ingested = IngestResult(accepted: 0, duplicates: 0)
        // Exposure unknown (no impressions, no reach): the counts are kept as a snapshot only, until it is known.
        if let totals = EngagementTotals(snapshot, reach: reach) {
            after = before.maximum(totals)
            let events = EngagementIncrease.events(
                from: before,
                to: after,
                publication: target.publication,
                variant: target.variant,
                channel: target.channel,
                at: snapshot.takenAt
            )
            let ingestor = EventIngestor(database, workspace: target.workspace)
            for start in stride(from: 0, to: events.count, by: batchSize) {
                let result = try await ingestor.ingest(Array(events[start..<min(start + batchSize, events.count)]))
                ingested.accepted += result.accepted
                ingested.duplicates += result.duplicates
            }
        }
        try await snapshots.record(snapshot, counted: after)
        return (after, ingested)
    }

    /// Runs a platform call, turning its classified failure into what follows for a collection: rate_limited retries
    /// the job at the platform's reset; auth reports the account refused and ends this round (nil); a refusal of the
    /// post itself (deleted, not visible) ends the round (nil); anything else retries with backoff.
    static func classified<Value: Sendable>(
        _ call: () async throws -> Value,
        refused: (ConnectorError) async throws -> Void,
        logger: Logger
    ) async throws -> Value? {
        do {
            return try await call()
        } catch let error as ConnectorError {
            switch error.kind {
            case .rateLimited:
                guard let retryAt = error.retryAt else { throw error }
                throw PostponeJob(until: retryAt, reason: "\(error)")
            case .auth:
                try await refused(error)
                return nil
            case .rejectedContent:
                logger.warning("engagement not collected: the platform refused to give the post's counts", metadata: ["herald.error": "\(error)"])
                return nil
            case .transient, .unknownOutcome:
                throw error
            }
        }
    }
}
