import Foundation
import HeraldCore
import Logging
import PostgresNIO

extension CampaignStore {
    /// A test-then-send campaign's state: its settings, when its test went out, and its winner once chosen.
    public struct TestPhase: Sendable, Equatable {
        /// The campaign's `audience` settings (no test share: the campaign sends to everyone at once).
        public var settings: TestThenSend
        /// When the first test message was queued; nil before the test went out.
        public var testStartedAt: Date?
        public var winner: WinnerChoice?

        /// When the winner must be chosen: ``TestThenSend/decideWithin`` after the test went out.
        public var deadline: Date? { testStartedAt.map { $0.addingTimeInterval(settings.decideWithin) } }
    }

    /// What asking to record a winner came to.
    public enum WinnerOutcome: Sendable, Equatable {
        /// This call recorded the winner (and queued the send to the rest).
        case chosen(WinnerChoice)
        /// A winner had been chosen before (by a person, the analysis or the deadline); nothing changed.
        case alreadyChosen(WinnerChoice)
    }

    /// Messages of the test and of the rest, for the report.
    public struct TestThenSendCounts: Sendable, Equatable {
        /// Test messages per variant key (suppressed and cancelled ones left out), in the campaign's variant order.
        public var testByVariant: [(key: String, messages: Int)]
        /// Messages written for the rest (every state but suppressed and cancelled).
        public var restMessages: Int
        /// Of those, how many the mail server accepted.
        public var restSent: Int

        public static func == (lhs: Self, rhs: Self) -> Bool {
            lhs.testByVariant.map(\.key) == rhs.testByVariant.map(\.key) && lhs.testByVariant.map(\.messages) == rhs.testByVariant.map(\.messages)
                && lhs.restMessages == rhs.restMessages && lhs.restSent == rhs.restSent
        }
    }

    /// The campaign's test-then-send state; nil when it sends to no audience (`campaigns.audience` is empty).
    ///
    /// - Throws: ``NotFoundError``; ``ValidationError`` naming the `audience` key that is stored wrong.
    public func testPhase(of id: CampaignID) async throws -> TestPhase? {
        let rows = try await database.client.query(
            """
            SELECT c.audience::text,
                   (SELECT min(m.created_at) FROM messages m WHERE m.campaign_id = c.id AND m.phase = 'test'),
                   c.winner_chosen_by, c.winner_variant_id, v.key, c.winner_chosen_at, c.winner_reason
            FROM campaigns c LEFT JOIN variants v ON v.id = c.winner_variant_id
            WHERE c.workspace_id = \(workspace.uuid) AND c.id = \(id.uuid)
            """,
            logger: database.logger
        )
        for try await (audience, started, chosenBy, variant, key, chosenAt, reason) in rows.decode(
            (String?, Date?, String?, UUID?, String?, Date?, String?).self
        ) {
            guard let audience else { return nil }
            return TestPhase(
                settings: try TestThenSend(audienceJSON: audience),
                testStartedAt: started,
                winner: Self.winner(chosenBy: chosenBy, variant: variant, key: key, chosenAt: chosenAt, reason: reason)
            )
        }
        throw NotFoundError(kind: "campaign", id: id.description)
    }

    /// Replaces the campaign's `audience` object (list, test share, deadline, looks, send window); the campaign file
    /// gives it at creation, this changes it afterwards.
    ///
    /// - Throws: ``ValidationError`` when the object is not a valid audience (a list is required); ``NotFoundError``.
    public func setAudience(_ id: CampaignID, json: String) async throws {
        let audience: CampaignAudience
        do {
            audience = try JSONDecoder().decode(CampaignAudience.self, from: Data(json.utf8))
        } catch {
            throw ValidationError(
                field: "audience",
                reason: "must be an object with at least a list, e.g. {\"list\": \"newsletter\", \"test_share\": 0.2}"
            )
        }
        try audience.validate()
        let rows = try await database.client.query(
            "UPDATE campaigns SET audience = \(json)::jsonb WHERE workspace_id = \(workspace.uuid) AND id = \(id.uuid) RETURNING 1",
            logger: database.logger
        )
        for try await _ in rows.decode(Int.self) { return }
        throw NotFoundError(kind: "campaign", id: id.description)
    }

    /// Records the winner of the campaign's test unless one is already recorded, and with it queues the send of the
    /// winner to the rest of the audience (a `send_audience` job, phase `rest`), in one transaction.
    ///
    /// The update is conditional (`WHERE winner_chosen_at IS NULL`), so of a person and the `decide_winner` job (or two
    /// people) choosing at once exactly one records the winner and queues the rest; the others get
    /// ``WinnerOutcome/alreadyChosen(_:)`` with the winner that stands.
    ///
    /// - Parameters:
    ///   - variantKey: The winning variant's key (`B`).
    ///   - chosenBy: `analysis`, `deadline`, `person` or an API token's name (see ``WinnerChoice/chosenBy``).
    ///   - completing: The `decide_winner` job whose completion commits with the winner.
    /// - Throws: ``NotFoundError``; ``ValidationError`` on `variant` for a key the campaign does not have or a variant not
    ///   written for the audience's channel (email or SMS); ``ConflictError``
    ///   when the campaign has no test share (it has no rest to send a winner to).
    public func chooseWinner(
        _ id: CampaignID,
        variantKey: String,
        chosenBy: String,
        reason: String,
        at now: Date,
        completing: JobCompletion? = nil
    ) async throws -> WinnerOutcome {
        // Only a variant written for the channel the audience is sent on can go to the rest.
        let campaign = try await find(id)
        if let channel = campaign.audienceChannel, campaign.variants.contains(where: { $0.key == variantKey }) {
            let valid = campaign.variants(for: channel).map(\.key)
            guard valid.contains(variantKey) else {
                throw ValidationError(
                    field: "variant",
                    reason: "\"\(variantKey)\" is not written for \(channel.rawValue), the channel campaign \(campaign.slug) sends to its list; "
                        + "choose one of \(valid.joined(separator: ", "))"
                )
            }
        }
        let logger = database.logger
        let workspace = workspace
        return try await JobCompletion.run(completing, in: database) { connection in
            try await Self.chooseWinner(
                id,
                variantKey: variantKey,
                chosenBy: chosenBy,
                reason: reason,
                at: now,
                workspace: workspace,
                connection: connection,
                logger: logger
            )
        }
    }

    /// ``chooseWinner(_:variantKey:chosenBy:reason:at:completing:)`` inside the caller's transaction.
    static func chooseWinner(
        _ id: CampaignID,
        variantKey: String,
        chosenBy: String,
        reason: String,
        at now: Date,
        workspace: WorkspaceID,
        connection: PostgresConnection,
        logger: Logger
    ) async throws -> WinnerOutcome {
        let rows = try await connection.query(
            """
            SELECT c.slug, c.audience::text, coalesce((SELECT array_agg(key ORDER BY position) FROM variants WHERE campaign_id = c.id), '{}'),
                   (SELECT id FROM variants WHERE campaign_id = c.id AND key = \(variantKey))
            FROM campaigns c WHERE c.workspace_id = \(workspace.uuid) AND c.id = \(id.uuid)
            """,
            logger: logger
        )
        var found: (slug: String, audience: String?, keys: [String], variant: UUID?)?
        for try await row in rows.decode((String, String?, [String], UUID?).self) { found = row }
        guard let found else { throw NotFoundError(kind: "campaign", id: id.description) }
        guard let audience = found.audience, try TestThenSend(audienceJSON: audience).testShare != nil else {
            throw ConflictError(
                "campaign \(found.slug) has no test share (audience.test_share), so it has no winner to choose: it sends the split to everyone"
            )
        }
        guard let variant = found.variant else {
            throw ValidationError(
                field: "variant",
                reason: "\"\(variantKey)\" is not a variant of campaign \(found.slug) (\(found.keys.joined(separator: ", ")))"
            )
        }
        let updated = try await connection.query(
            """
            UPDATE campaigns SET winner_variant_id = \(variant), winner_chosen_at = \(now), winner_chosen_by = \(chosenBy),
                                 winner_reason = \(reason)
            WHERE workspace_id = \(workspace.uuid) AND id = \(id.uuid) AND winner_chosen_at IS NULL AND winner_variant_id IS NULL
            RETURNING 1
            """,
            logger: logger
        )
        var won = false
        for try await _ in updated.decode(Int.self) { won = true }
        guard won else { return .alreadyChosen(try await Self.winner(of: id, connection: connection, logger: logger)) }
        let rest = JobRequest(
            payload: SendAudiencePayload(campaign: id, workspace: workspace, phase: .rest),
            runAt: now,
            uniqueKey: "send_audience:\(id):rest",
            workspace: workspace
        )
        _ = try await JobQueue.insert([rest], connection: connection, logger: logger)
        return .chosen(WinnerChoice(chosenBy: chosenBy, variant: VariantID(variant), variantKey: variantKey, chosenAt: now, reason: reason))
    }

    /// Records a winner a person chose (``chooseWinner(_:variantKey:chosenBy:reason:at:completing:)``), refusing when
    /// one is already recorded.
    ///
    /// - Parameters:
    ///   - chosenBy: `person`, or the name of the API token that chose.
    ///   - reason: Why (nil: "chosen by hand").
    /// - Throws: As ``chooseWinner(_:variantKey:chosenBy:reason:at:completing:)``, and ``ConflictError`` naming who chose
    ///   the standing winner and when.
    public func chooseWinnerByHand(_ id: CampaignID, variantKey: String, chosenBy: String, reason: String?, at now: Date) async throws -> WinnerChoice
    {
        let text = reason?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        switch try await chooseWinner(id, variantKey: variantKey, chosenBy: chosenBy, reason: text.isEmpty ? "chosen by hand" : text, at: now) {
        case .chosen(let winner): return winner
        case .alreadyChosen(let winner): throw winner.refusal(campaign: try await find(id).slug)
        }
    }

    /// How many test messages each variant got and how many messages went to the rest.
    public func testThenSendCounts(of id: CampaignID) async throws -> TestThenSendCounts {
        let rows = try await database.client.query(
            """
            SELECT v.key,
                   (SELECT count(*)::int FROM messages m
                    WHERE m.campaign_id = v.campaign_id AND m.variant_id = v.id AND m.phase = 'test'
                      AND m.state NOT IN ('suppressed', 'cancelled'))
            FROM variants v WHERE v.campaign_id = \(id.uuid) AND v.workspace_id = \(workspace.uuid)
            ORDER BY v.position
            """,
            logger: database.logger
        )
        var counts = TestThenSendCounts(testByVariant: [], restMessages: 0, restSent: 0)
        for try await (key, messages) in rows.decode((String, Int).self) { counts.testByVariant.append((key, messages)) }
        let rest = try await database.client.query(
            """
            SELECT count(*) FILTER (WHERE state NOT IN ('suppressed', 'cancelled'))::int, count(*) FILTER (WHERE state = 'sent')::int
            FROM messages WHERE campaign_id = \(id.uuid) AND workspace_id = \(workspace.uuid) AND phase = 'rest'
            """,
            logger: database.logger
        )
        for try await (messages, sent) in rest.decode((Int, Int).self) {
            counts.restMessages = messages
            counts.restSent = sent
        }
        return counts
    }

    /// The recorded winner, read inside the transaction that found one already there.
    static func winner(of id: CampaignID, connection: PostgresConnection, logger: Logger) async throws -> WinnerChoice {
        let rows = try await connection.query(
            """
            SELECT c.winner_chosen_by, c.winner_variant_id, v.key, c.winner_chosen_at, c.winner_reason
            FROM campaigns c LEFT JOIN variants v ON v.id = c.winner_variant_id WHERE c.id = \(id.uuid)
            """,
            logger: logger
        )
        for try await (chosenBy, variant, key, chosenAt, reason) in rows.decode((String?, UUID?, String?, Date?, String?).self) {
            if let winner = winner(chosenBy: chosenBy, variant: variant, key: key, chosenAt: chosenAt, reason: reason) { return winner }
        }
        throw NotFoundError(kind: "winner of campaign", id: id.description)
    }

    static func winner(chosenBy: String?, variant: UUID?, key: String?, chosenAt: Date?, reason: String?) -> WinnerChoice? {
        guard let chosenAt else { return nil }
        return WinnerChoice(
            chosenBy: chosenBy ?? WinnerChoice.byPerson,
            // A winner whose variant was deleted since keeps its record, without the variant.
            variant: variant.map { VariantID($0) },
            variantKey: key ?? "(deleted variant)",
            chosenAt: chosenAt,
            reason: reason ?? ""
        )
    }
}
