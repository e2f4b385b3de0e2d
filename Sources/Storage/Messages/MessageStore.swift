import Foundation
import HeraldCore
import Logging
import PostgresNIO

/// One message per campaign and contact (`messages`): made by the fan-out of a send phase, claimed in batches under a
/// lease, sent at most once, and its outcome recorded with the engagement it stands for.
///
/// The states: queued → sending (just before the transport is called) → sent, bounced (a 5xx: the contact is
/// suppressed), failed (given up, or an unknown outcome), or back to queued (a transient failure, with backoff). A
/// message found `sending` after its lease ran out (its worker died mid-send) is never sent again: it becomes failed
/// with the class `unknown_outcome`, since the server may have accepted it, and no contact may receive a campaign twice.
public struct MessageStore: Sendable {
    let database: Database

    public init(_ database: Database) {
        self.database = database
    }

    /// A claimed message, with what sending it needs.
    public struct Claimed: Sendable, Equatable {
        public var id: UUID
        public var workspace: WorkspaceID
        public var campaign: CampaignID
        /// nil when the variant was deleted since the fan-out.
        public var variant: VariantID?
        public var contact: UUID
        public var channel: HeraldCore.Channel
        /// The contact's email (for email) or phone (for SMS); nil when the contact no longer has one.
        public var address: String?
        /// The contact's consent now: a message to a contact who is no longer subscribed is not sent.
        public var consent: String
        public var idempotencyKey: String
        /// Attempts made before this one.
        public var attempts: Int
    }

    /// What a fan-out wrote.
    public struct FanOut: Sendable, Equatable {
        /// Contacts considered (eligible members of the list that matched the phase).
        public var considered: Int
        /// New messages (a contact who had one already gets none).
        public var created: Int
    }

    /// An eligible contact of a fan-out page, as the send-time planner sees it.
    public struct Recipient: Sendable, Equatable {
        public var id: UUID
        /// The contact's IANA time zone, as imported (nil: unknown).
        public var timeZone: String?

        public init(id: UUID, timeZone: String?) {
            self.id = id
            self.timeZone = timeZone
        }
    }

    /// Makes the messages of one send phase of a campaign, one per eligible contact, a page of contacts at a time (so
    /// a list of a million never sits in memory): `INSERT … SELECT` from the page's contacts, each contact's variant
    /// and test-share membership drawn as ``VariantAssignment`` draws them (SHA-256 of the two ids, computed here in
    /// SQL with the same arithmetic), `ON CONFLICT (campaign_id, contact_id) DO NOTHING`: a second run adds nothing.
    ///
    /// Eligible: a member of the list, subscribed, with an address for the channel, matching the segment.
    ///
    /// - Parameters:
    ///   - phase: `test`: the contacts in the test share, each with their variant; `rest`: everyone else, with
    ///     `winner`; `all`: everyone, each with their variant.
    ///   - variants: The variants that go to the channel, in order, with their weights (for `test` and `all`).
    ///   - testShare: The test share (for `test` and `rest`).
    ///   - winner: The variant the rest receive (for `rest`).
    ///   - sendAt: When the messages are due, unless `sendTimes` says otherwise for a contact.
    ///   - sendTimes: Each page's contacts' own due times (send time per contact); a contact it leaves out is due at
    ///     `sendAt`. Nil: everyone at `sendAt`.
    public func fanOut(
        campaign: CampaignID,
        workspace: WorkspaceID,
        list: UUID,
        channel: HeraldCore.Channel,
        phase: SendPhase,
        variants: [(id: VariantID, weight: Double)],
        testShare: Double?,
        winner: VariantID?,
        segment: CampaignAudience.Segment?,
        sendAt: Date,
        pageSize: Int = 10_000,
        sendTimes: (@Sendable ([Recipient]) async throws -> [UUID: Date])? = nil
    ) async throws -> FanOut {
        // Cumulative weights as VariantAssignment.pick adds them; the last bound open so rounding never leaves a draw out.
        let usable = variants.filter { $0.weight.isFinite && $0.weight > 0 }
        let total = usable.reduce(0) { $0 + $1.weight }
        var bounds: [Double] = []
        var cumulative = 0.0
        for candidate in usable {
            cumulative += candidate.weight / total
            bounds.append(cumulative)
        }
        if !bounds.isEmpty { bounds[bounds.count - 1] = .infinity }
        var ids = usable.map { $0.id.uuid }
        switch phase {
        case .rest:
            guard let winner else { throw StorageError("the rest of an audience is sent the winner, and campaign \(campaign) has none yet") }
            ids = [winner.uuid]
            bounds = [.infinity]
        case .test, .all:
            guard !ids.isEmpty else { throw StorageError("campaign \(campaign) has no variant with a positive weight for \(channel.rawValue)") }
        }
        if phase != .all, testShare == nil { throw StorageError("a \(phase.rawValue) phase needs the campaign's test share") }
        let share = testShare ?? 1
        let attributes = String(decoding: try JSONEncoder().encode(segment?.attributes ?? [:]), as: UTF8.self)
        let zone = segment?.timeZone
        var after = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
        var result = FanOut(considered: 0, created: 0)
        while true {
            // Suppressed contacts are left out twice over: by their consent, and by their addresses' digests (an
            // address that unsubscribed or bounced, was erased and imported again stays suppressed).
            let rows = try await database.client.query(
                """
                SELECT c.id, c.time_zone
                FROM contact_list_members m
                JOIN contacts c ON c.id = m.contact_id
                WHERE m.list_id = \(list) AND c.workspace_id = \(workspace.uuid) AND c.id > \(after)
                  AND c.consent = 'subscribed'
                  AND NOT EXISTS (
                      SELECT 1 FROM suppressed_addresses s
                      WHERE s.workspace_id = c.workspace_id AND s.digest IN (c.email_digest, c.phone_digest)
                  )
                  AND CASE \(channel.rawValue) WHEN 'email' THEN c.email IS NOT NULL ELSE c.phone IS NOT NULL END
                  AND c.attributes @> \(attributes)::jsonb
                  AND (\(zone)::text IS NULL OR c.time_zone = \(zone)::text)
                ORDER BY c.id
                LIMIT \(pageSize)
                """,
                logger: database.logger
            )
            var page: [Recipient] = []
            for try await (id, timeZone) in rows.decode((UUID, String?).self) { page.append(Recipient(id: id, timeZone: timeZone)) }
            guard let last = page.last else { break }
            let planned = try await sendTimes?(page) ?? [:]
            let contacts = page.map(\.id)
            let times = page.map { planned[$0.id] ?? sendAt }
            let written = try await database.client.query(
                """
                WITH page AS (
                    SELECT p.id, p.send_at FROM unnest(\(contacts)::uuid[], \(times)::timestamptz[]) AS p(id, send_at)
                ), drawn AS (
                    SELECT d.contact_id, d.send_at,
                           (('x' || encode(substring(d.digest FROM 1 FOR 8), 'hex'))::bit(64) >> 11)::bigint::float8 / 9007199254740992.0 AS variant_draw,
                           (('x' || encode(substring(d.digest FROM 9 FOR 8), 'hex'))::bit(64) >> 11)::bigint::float8 / 9007199254740992.0 AS test_draw
                    FROM (SELECT p.id AS contact_id, p.send_at, sha256(uuid_send(\(campaign.uuid)) || uuid_send(p.id)) AS digest FROM page p) d
                ), chosen AS (
                    SELECT gen_random_uuid() AS id, dr.contact_id, dr.send_at,
                           (SELECT b.variant FROM unnest(\(ids)::uuid[], \(bounds)::float8[]) WITH ORDINALITY AS b(variant, bound, position)
                            WHERE dr.variant_draw < b.bound ORDER BY b.position LIMIT 1) AS variant_id
                    FROM drawn dr
                    WHERE CASE \(phase.rawValue) WHEN 'test' THEN dr.test_draw < \(share)
                                                 WHEN 'rest' THEN dr.test_draw >= \(share)
                                                 ELSE true END
                ), inserted AS (
                    INSERT INTO messages (id, workspace_id, campaign_id, variant_id, contact_id, channel, phase, send_at, idempotency_key)
                    SELECT ch.id, \(workspace.uuid), \(campaign.uuid), ch.variant_id, ch.contact_id, \(channel.rawValue), \(phase.rawValue),
                           ch.send_at, 'msg-' || ch.id::text
                    FROM chosen ch
                    ORDER BY ch.contact_id
                    ON CONFLICT (campaign_id, contact_id) DO NOTHING
                    RETURNING 1
                )
                SELECT (SELECT count(*) FROM chosen)::int, (SELECT count(*) FROM inserted)::int
                """,
                logger: database.logger
            )
            for try await (chosen, inserted) in written.decode((Int, Int).self) {
                result.considered += chosen
                result.created += inserted
            }
            guard page.count == pageSize else { break }
            after = last.id
        }
        return result
    }

    /// Claims up to `limit` due messages of a campaign for `worker` until `now + lease` (`FOR UPDATE SKIP LOCKED`: two
    /// workers never claim one message). They stay queued; ``markSending(_:worker:)`` moves each on just before it
    /// goes out. Messages whose contact was erased are cancelled first.
    public func claim(campaign: CampaignID, worker: String, limit: Int, lease: TimeInterval, now: Date) async throws -> [Claimed] {
        try await database.client.query(
            "UPDATE messages SET state = 'cancelled', error = 'the contact was erased' WHERE campaign_id = \(campaign.uuid) AND state = 'queued' AND contact_id IS NULL",
            logger: database.logger
        )
        let until = now.addingTimeInterval(lease)
        let rows = try await database.client.query(
            """
            WITH due AS (
                SELECT id FROM messages
                WHERE campaign_id = \(campaign.uuid) AND state = 'queued' AND send_at <= \(now)
                  AND (claimed_until IS NULL OR claimed_until < \(now))
                ORDER BY send_at, id
                LIMIT \(limit)
                FOR UPDATE SKIP LOCKED
            )
            UPDATE messages m SET claimed_by = \(worker), claimed_until = \(until)
            FROM due, contacts c
            WHERE m.id = due.id AND c.id = m.contact_id
            RETURNING m.id, m.workspace_id, m.campaign_id, m.variant_id, m.contact_id, m.channel,
                      CASE m.channel WHEN 'email' THEN c.email ELSE c.phone END, c.consent, m.idempotency_key, m.attempts
            """,
            logger: database.logger
        )
        var claimed: [Claimed] = []
        for try await row in rows.decode((UUID, UUID, UUID, UUID?, UUID, String, String?, String, String, Int).self) {
            claimed.append(
                Claimed(
                    id: row.0,
                    workspace: WorkspaceID(row.1),
                    campaign: CampaignID(row.2),
                    variant: row.3.map(VariantID.init),
                    contact: row.4,
                    channel: HeraldCore.Channel(rawValue: row.5) ?? .email,
                    address: row.6,
                    consent: row.7,
                    idempotencyKey: row.8,
                    attempts: row.9
                )
            )
        }
        return claimed
    }

    /// Moves a claimed message to `sending`, counting the attempt: called just before the transport. Consent and
    /// suppression are checked again here, at the moment of sending (a contact may have unsubscribed, bounced or had
    /// its address suppressed since the fan-out): such a message becomes `suppressed` instead. False when the message
    /// is not to be sent: suppressed now, or no longer this worker's (its lease passed to another, or it was cancelled).
    ///
    /// - Parameter until: The message's claim is extended to this instant (its send's own lease, from the moment it
    ///   goes out), so a message marked late in a long batch is not taken for abandoned while it is being sent; nil:
    ///   the claim is kept as it is.
    public func markSending(_ id: UUID, worker: String, until: Date? = nil) async throws -> Bool {
        try await markSending([id], worker: worker, until: until).contains(id)
    }

    /// ``markSending(_:worker:until:)-(UUID,_,_)`` for several messages in one statement (a chunk about to go to the
    /// transport together): each is checked and marked as that one would be.
    ///
    /// - Returns: The messages now `sending` (the others are suppressed now, or no longer this worker's).
    public func markSending(_ ids: [UUID], worker: String, until: Date? = nil) async throws -> Set<UUID> {
        guard !ids.isEmpty else { return [] }
        let rows = try await database.client.query(
            """
            WITH candidates AS (
                SELECT m.id,
                       coalesce(c.consent = 'subscribed', false) AND NOT EXISTS (
                           SELECT 1 FROM suppressed_addresses s
                           WHERE s.workspace_id = c.workspace_id AND s.digest IN (c.email_digest, c.phone_digest)
                       ) AS ok
                FROM messages m LEFT JOIN contacts c ON c.id = m.contact_id
                WHERE m.id = ANY(\(ids)::uuid[])
            )
            UPDATE messages
            SET state = CASE WHEN candidates.ok THEN 'sending' ELSE 'suppressed' END,
                attempts = attempts + CASE WHEN candidates.ok THEN 1 ELSE 0 END,
                error = CASE WHEN candidates.ok THEN messages.error ELSE 'suppressed when it was to be sent' END,
                claimed_until = CASE WHEN candidates.ok THEN coalesce(\(until), messages.claimed_until) ELSE messages.claimed_until END
            FROM candidates
            WHERE messages.id = candidates.id AND messages.state = 'queued' AND messages.claimed_by = \(worker)
            RETURNING messages.id, messages.state
            """,
            logger: database.logger
        )
        var sending: Set<UUID> = []
        for try await (id, state) in rows.decode((UUID, String).self) where state == "sending" { sending.insert(id) }
        return sending
    }

    /// Gives up, without sending, every message of the campaign left `sending` past its lease (its worker died between
    /// `sending` and the record of the server's answer): failed with `unknown_outcome`, never sent again.
    ///
    /// - Returns: How many.
    @discardableResult
    public func failAbandoned(campaign: CampaignID, now: Date) async throws -> Int {
        let rows = try await database.client.query(
            """
            UPDATE messages SET state = 'failed', failure_class = 'unknown_outcome', claimed_by = NULL, claimed_until = NULL,
                   error = 'the worker stopped while sending; the server may have accepted it, so it is not sent again'
            WHERE campaign_id = \(campaign.uuid) AND state = 'sending' AND claimed_until < \(now)
            RETURNING 1
            """,
            logger: database.logger
        )
        var count = 0
        for try await _ in rows { count += 1 }
        return count
    }

    /// Marks a claimed message suppressed (its contact is no longer subscribed): never sent.
    public func markSuppressed(_ id: UUID, consent: String) async throws {
        try await database.client.query(
            """
            UPDATE messages SET state = 'suppressed', error = \("the contact is " + consent), claimed_by = NULL, claimed_until = NULL
            WHERE id = \(id) AND state = 'queued'
            """,
            logger: database.logger
        )
    }

    /// Cancels a claimed message whose variant is not approved (it was edited or rejected after the messages were
    /// made): never sent, with the class `not_approved`.
    public func markNotApproved(_ id: UUID, review: ReviewState) async throws {
        try await database.client.query(
            """
            UPDATE messages SET state = 'cancelled', failure_class = 'not_approved',
                                error = \("its variant is " + review.rawValue + " review; only approved variants are sent"),
                                claimed_by = NULL, claimed_until = NULL
            WHERE id = \(id) AND state = 'queued'
            """,
            logger: database.logger
        )
    }

    /// Records a message the server accepted: `sent`, and its `impression` event (the email's trial), in one transaction.
    /// A message given up as `unknown_outcome` meanwhile (its lease ran out while the server was slow) is recorded too.
    ///
    /// - Parameter segments: A text message's billed segments (nil for email).
    public func recordSent(_ id: UUID, providerID: String, segments: Int? = nil, at time: Date) async throws {
        try await settle(
            id,
            event: .impression,
            at: time,
            update: """
                UPDATE messages SET state = 'sent', sent_at = \(time), provider_id = \(providerID), segments = \(segments),
                       claimed_by = NULL, claimed_until = NULL,
                       failure_class = NULL, error = NULL
                WHERE id = \(id) AND (state = 'sending' OR (state = 'failed' AND failure_class = 'unknown_outcome'))
                RETURNING workspace_id, campaign_id, variant_id, channel, contact_id
                """
        )
    }

    /// Records a hard bounce (a 5xx reply): `bounced`, a `bounce` event, and the contact's consent set to bounced, in one
    /// transaction.
    public func recordBounce(_ id: UUID, reply: String, at time: Date) async throws {
        try await settle(
            id,
            event: .bounce,
            at: time,
            update: """
                UPDATE messages SET state = 'bounced', failure_class = 'rejected_content', error = \(reply),
                       claimed_by = NULL, claimed_until = NULL
                WHERE id = \(id) AND state = 'sending'
                RETURNING workspace_id, campaign_id, variant_id, channel, contact_id
                """
        ) { contact, connection, logger in
            try await ContactConsent.bounce(contact: contact, detail: reply, at: time, on: connection, logger: logger)
        }
    }

    /// Records a refusal by the gateway of a message that says nothing about the recipient (an empty or too long text,
    /// a sender the account does not own): failed with the class `rejected_content`, the contact left as they are.
    public func recordRejected(_ id: UUID, error: String) async throws {
        try await database.client.query(
            """
            UPDATE messages SET state = 'failed', failure_class = 'rejected_content', error = \(error), claimed_by = NULL, claimed_until = NULL
            WHERE id = \(id) AND state = 'sending'
            """,
            logger: database.logger
        )
    }

    /// Records a refusal because the recipient opted out at the gateway (Twilio 21610: they replied STOP): the message
    /// `suppressed`, an `unsubscribe` event, and the contact's consent set to unsubscribed (source `gateway`), in one
    /// transaction, so no campaign writes to them again.
    public func recordUnsubscribed(_ id: UUID, reply: String, at time: Date) async throws {
        try await settle(
            id,
            event: .unsubscribe,
            at: time,
            update: """
                UPDATE messages SET state = 'suppressed', failure_class = 'rejected_content', error = \(reply),
                       claimed_by = NULL, claimed_until = NULL
                WHERE id = \(id) AND state = 'sending'
                RETURNING workspace_id, campaign_id, variant_id, channel, contact_id
                """
        ) { contact, connection, logger in
            try await ContactConsent.unsubscribe(contact: contact, source: "gateway", detail: reply, at: time, on: connection, logger: logger)
        }
    }

    /// Ends a message with `update` (which returns its workspace, campaign, variant, channel and contact when it applied),
    /// stores the message's `event` for its variant through the one ingestor, and runs `contact` for its contact, all in
    /// one transaction. Nothing happens when `update` matched no row (the message was settled already).
    private func settle(
        _ id: UUID,
        event kind: EventKind,
        at time: Date,
        update: PostgresQuery,
        contact: ((UUID, PostgresConnection, Logger) async throws -> Void)? = nil
    ) async throws {
        try await PartitionManager(database).ensure(covering: [time])
        let logger = database.logger
        try await database.transaction { connection in
            let rows = try await connection.query(update, logger: logger)
            var settled: [(UUID, UUID, UUID?, String, UUID?)] = []
            for try await row in rows.decode((UUID, UUID, UUID?, String, UUID?).self) { settled.append(row) }
            for (workspace, campaign, variant, channel, person) in settled {
                if let variant {
                    let event = EngagementEvent(
                        id: EventID(UUID()),
                        variantID: VariantID(variant),
                        kind: kind,
                        occurredAt: time,
                        channel: channel,
                        messageID: id
                    )
                    try await EventStore.storeNew(
                        [event],
                        campaign: CampaignID(campaign),
                        workspace: WorkspaceID(workspace),
                        on: connection,
                        logger: logger
                    )
                }
                if let person, let contact { try await contact(person, connection, logger) }
            }
        }
    }

    /// Records a transient failure (a 4xx, a lost connection before the end of DATA): back to queued, due after an
    /// exponential backoff (`backoff × 2^(attempts − 1)`), or failed after `maximumAttempts` attempts.
    public func recordTransient(_ id: UUID, error: String, maximumAttempts: Int, backoff: TimeInterval, now: Date) async throws {
        try await database.client.query(
            """
            UPDATE messages
            SET state = CASE WHEN attempts >= \(maximumAttempts) THEN 'failed' ELSE 'queued' END,
                failure_class = 'transient', error = \(error),
                send_at = \(now) + make_interval(secs => \(backoff) * power(2, greatest(attempts - 1, 0))),
                claimed_by = NULL, claimed_until = NULL
            WHERE id = \(id) AND state = 'sending'
            """,
            logger: database.logger
        )
    }

    /// Records a send whose outcome is unknown (no answer after the end of DATA): failed, never sent again.
    public func recordUnknownOutcome(_ id: UUID, error: String) async throws {
        try await database.client.query(
            """
            UPDATE messages SET state = 'failed', failure_class = 'unknown_outcome', error = \(error), claimed_by = NULL, claimed_until = NULL
            WHERE id = \(id) AND state = 'sending'
            """,
            logger: database.logger
        )
    }

    /// When the campaign next needs a `send_messages` run: its first queued message is due (and free: a message still
    /// claimed by a job that stopped is due when that claim ends), or the first lease of a message left `sending` ends
    /// (to fail it as `unknown_outcome`); nil when nothing waits.
    public func nextDue(campaign: CampaignID) async throws -> Date? {
        let rows = try await database.client.query(
            """
            SELECT min(CASE state WHEN 'queued' THEN greatest(send_at, coalesce(claimed_until, send_at)) ELSE claimed_until END)
            FROM messages WHERE campaign_id = \(campaign.uuid) AND state IN ('queued', 'sending')
            """,
            logger: database.logger
        )
        for try await next in rows.decode(Date?.self) { return next }
        return nil
    }

    /// How many of the campaign's messages are in each state.
    public func counts(campaign: CampaignID) async throws -> [String: Int] {
        let rows = try await database.client.query(
            "SELECT state, count(*)::int FROM messages WHERE campaign_id = \(campaign.uuid) GROUP BY state",
            logger: database.logger
        )
        var counts: [String: Int] = [:]
        for try await (state, count) in rows.decode((String, Int).self) { counts[state] = count }
        return counts
    }
}
