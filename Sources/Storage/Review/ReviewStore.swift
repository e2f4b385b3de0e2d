import Foundation
import HeraldCore
import Logging
import PostgresNIO

/// Review and approval of variants, always within one workspace: who may decide, what a decision does, and what waits.
///
/// The rules:
/// - Only an approver or an admin approves or rejects; a rejection needs a comment.
/// - No one approves a variant whose current content they wrote (`variants.written_by`).
/// - The workspace requires one approval or two by two different people (``Settings/approvalsRequired``); a person's
///   second approval of the same content does not count twice.
/// - A rejection makes the variant rejected at once; approvals after it start counting again.
/// - Decisions are about one revision of the content: an edit starts a new revision and sends the variant back to
///   pending (a trigger on `variants` does it, whatever path edits).
/// - Every decision is written to the audit log in the transaction that records it.
public struct ReviewStore: Sendable {
    let database: Database
    /// The workspace every query is scoped to.
    public let workspace: WorkspaceID

    public init(_ database: Database, workspace: WorkspaceID) {
        self.database = database
        self.workspace = workspace
    }

    /// What a reviewer decides.
    public enum Decision: String, Sendable, Codable, CaseIterable {
        case approve, reject

        /// Parses `approve` or `reject`.
        public init(parsing text: String, field: String = "decision") throws(ValidationError) {
            guard let decision = Decision(rawValue: text.lowercased()) else {
                throw ValidationError(field: field, reason: "\"\(text)\" is not one of approve, reject")
            }
            self = decision
        }
    }

    /// The workspace's review rules.
    public struct Settings: Sendable, Equatable, Codable {
        /// How many different people must approve a variant: 1 or 2.
        public var approvalsRequired: Int
        /// Whether variants written by hand need review too; when false, a hand-written variant made by a role that may
        /// publish (editor, approver, admin) is approved as it is created.
        public var reviewHandWritten: Bool
        /// Whether challengers autopilot has the rule generator write go out without review (approved as written,
        /// audited as autopilot's); an LLM's variants always wait for a person.
        public var ruleChallengersWithoutReview: Bool

        public init(approvalsRequired: Int = 1, reviewHandWritten: Bool = false, ruleChallengersWithoutReview: Bool = false) {
            self.approvalsRequired = approvalsRequired
            self.reviewHandWritten = reviewHandWritten
            self.ruleChallengersWithoutReview = ruleChallengersWithoutReview
        }

        enum CodingKeys: String, CodingKey {
            case approvalsRequired = "approvals_required"
            case reviewHandWritten = "review_hand_written"
            case ruleChallengersWithoutReview = "rule_challengers_without_review"
        }
    }

    /// One recorded decision.
    public struct DecisionRecord: Sendable, Equatable, Codable {
        public var decision: Decision
        public var comment: String
        /// ``AuditActor/reference`` of who decided, and their name.
        public var actor: String
        public var actorName: String
        /// The revision of the content it was about.
        public var revision: Int
        public var decidedAt: Date

        enum CodingKeys: String, CodingKey {
            case decision, comment, actor, revision
            case actorName = "actor_name"
            case decidedAt = "decided_at"
        }
    }

    /// A variant as a reviewer sees it.
    public struct Review: Sendable, Equatable, Codable {
        public var variant: VariantID
        public var campaign: CampaignID
        public var campaignSlug: String
        public var key: String
        public var text: String
        /// The email subject, when it goes out by email.
        public var subject: String?
        /// rules/en, llm:<model>, manual...
        public var generator: String
        /// Who wrote the current content (nil: a generator).
        public var writtenBy: String?
        public var state: ReviewState
        /// The revision of the content (1, then one more per edit).
        public var revision: Int
        /// How many approvals it needs, and the people who approved the current revision since its last rejection.
        public var approvalsRequired: Int
        public var approvedBy: [String]
        /// Every decision on any revision, oldest first.
        public var decisions: [DecisionRecord]

        enum CodingKeys: String, CodingKey {
            case variant, campaign, key, text, subject, generator, state, revision, decisions
            case campaignSlug = "campaign_slug"
            case writtenBy = "written_by"
            case approvalsRequired = "approvals_required"
            case approvedBy = "approved_by"
        }
    }

    /// The workspace's review rules.
    public func settings() async throws -> Settings {
        let rows = try await database.client.query(
            "SELECT approvals_required, review_hand_written, rule_challengers_without_review FROM workspaces WHERE id = \(workspace.uuid)",
            logger: database.logger
        )
        for try await (required, handWritten, ruleChallengers) in rows.decode((Int, Bool, Bool).self) {
            return Settings(approvalsRequired: required, reviewHandWritten: handWritten, ruleChallengersWithoutReview: ruleChallengers)
        }
        throw NotFoundError(kind: "workspace", id: workspace.description)
    }

    /// Changes the workspace's review rules (admins only), recorded in the audit log.
    ///
    /// - Throws: ``ForbiddenError`` for any other role; ``ValidationError`` when `approvalsRequired` is not 1 or 2.
    public func update(_ settings: Settings, actor: AuditActor) async throws {
        guard actor.role == .admin else {
            throw ForbiddenError("only an admin may change the workspace's review rules (\(actor.reference) is \(actor.role.rawValue))")
        }
        guard (1...2).contains(settings.approvalsRequired) else {
            throw ValidationError(field: "approvals_required", reason: "is \(settings.approvalsRequired); it must be 1 or 2")
        }
        try await database.transaction { connection in
            try await connection.execute(
                """
                UPDATE workspaces SET approvals_required = \(settings.approvalsRequired), review_hand_written = \(settings.reviewHandWritten),
                                      rule_challengers_without_review = \(settings.ruleChallengersWithoutReview)
                WHERE id = \(workspace.uuid)
                """,
                logger: database.logger
            )
            try await AuditLog.record(
                "review.settings",
                subjectKind: "workspace",
                subjectID: workspace.description,
                details: [
                    "approvals_required": .integer(Int64(settings.approvalsRequired)),
                    "review_hand_written": .bool(settings.reviewHandWritten),
                    "rule_challengers_without_review": .bool(settings.ruleChallengersWithoutReview),
                ],
                actor: actor,
                workspace: workspace,
                on: connection,
                logger: database.logger
            )
        }
    }

    /// The variant's review.
    ///
    /// - Throws: ``NotFoundError`` when the workspace has no such variant.
    public func review(of variant: VariantID) async throws -> Review {
        guard let found = try await reviews(variant: variant, campaign: nil, states: nil).first else {
            throw NotFoundError(kind: "variant", id: variant.description)
        }
        return found
    }

    /// The variant's review state, read now (the publish job and the audience send ask just before they send); nil when
    /// the workspace has no such variant.
    public func state(of variant: VariantID) async throws -> ReviewState? {
        let rows = try await database.client.query(
            "SELECT review FROM variants WHERE id = \(variant.uuid) AND workspace_id = \(workspace.uuid)",
            logger: database.logger
        )
        for try await state in rows.decode(String.self) { return ReviewState(rawValue: state) ?? .pending }
        return nil
    }

    /// The workspace's pending variants (of one campaign, when given), oldest campaign first, in variant order.
    public func pending(campaign: CampaignID? = nil) async throws -> [Review] {
        try await reviews(variant: nil, campaign: campaign, states: [.pending])
    }

    /// The pending variants `actor` may decide now: not written by them, and not approved by them already.
    public func pending(for actor: AuditActor, campaign: CampaignID? = nil) async throws -> [Review] {
        guard actor.role.reviews else { return [] }
        return try await pending(campaign: campaign).filter { $0.writtenBy != actor.reference && !$0.approvedBy.contains(actor.reference) }
    }

    /// Approves or rejects a variant, as `actor`, and writes the decision to the audit log; answers the variant's review.
    ///
    /// - Throws: ``ForbiddenError`` when `actor` is not an approver or admin, or approves content they wrote;
    ///   ``ValidationError`` on `comment` for a rejection without one; ``NotFoundError`` for an unknown variant;
    ///   ``ConflictError`` when the decision changes nothing (approved already, or approved by this person already).
    @discardableResult
    public func decide(variant: VariantID, decision: Decision, comment: String?, actor: AuditActor) async throws -> Review {
        guard actor.role.reviews else {
            throw ForbiddenError(
                "\(actor.reference) is \(actor.role == .viewer ? "a" : "an") \(actor.role.rawValue) and may not \(decision.rawValue) variants; only an approver or an admin may"
            )
        }
        let comment = (comment ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if decision == .reject, comment.isEmpty {
            throw ValidationError(field: "comment", reason: "a rejection needs a comment saying what to change")
        }
        let settings = try await settings()
        try await database.transaction { connection in
            // The variant's row is locked, so two decisions on it take turns and each counts the other's.
            let rows = try await connection.query(
                """
                SELECT review, revision, written_by, key, campaign_id FROM variants
                WHERE id = \(variant.uuid) AND workspace_id = \(workspace.uuid)
                FOR UPDATE
                """,
                logger: database.logger
            )
            var current: (review: String, revision: Int, writtenBy: String?, key: String, campaign: UUID)?
            for try await row in rows.decode((String, Int, String?, String, UUID).self) { current = row }
            guard let current else { throw NotFoundError(kind: "variant", id: variant.description) }
            let state = ReviewState(rawValue: current.review) ?? .pending
            if decision == .approve, current.writtenBy == actor.reference {
                throw ForbiddenError("\(actor.reference) wrote variant \(current.key)'s content; someone else must approve it")
            }
            let approvers = try await Self.approvers(of: variant, revision: current.revision, on: connection, logger: database.logger)
            switch decision {
            case .approve where state == .approved:
                throw ConflictError("variant \(current.key) is approved already")
            case .approve where approvers.contains(actor.reference):
                throw ConflictError(
                    "\(actor.reference) approved variant \(current.key) already; the workspace needs \(settings.approvalsRequired) approvals by different people"
                )
            case .reject where state == .rejected:
                throw ConflictError("variant \(current.key) is rejected already; it goes back to review when its content is edited")
            default:
                break
            }
            let next: ReviewState
            switch decision {
            case .reject: next = .rejected
            case .approve: next = approvers.count + 1 >= settings.approvalsRequired ? .approved : .pending
            }
            try await connection.execute(
                """
                INSERT INTO review_decisions (workspace_id, variant_id, revision, decision, comment, actor, actor_name)
                VALUES (\(workspace.uuid), \(variant.uuid), \(current.revision), \(decision.rawValue), \(comment), \(actor.reference), \(actor.name))
                """,
                logger: database.logger
            )
            try await connection.execute(
                "UPDATE variants SET review = \(next.rawValue) WHERE id = \(variant.uuid) AND workspace_id = \(workspace.uuid)",
                logger: database.logger
            )
            try await AuditLog.record(
                "variant.\(decision.rawValue)",
                subjectKind: "variant",
                subjectID: variant.description,
                details: [
                    "campaign": .string(CampaignID(current.campaign).description),
                    "key": .string(current.key),
                    "revision": .integer(Int64(current.revision)),
                    "comment": .string(comment),
                    "from": .string(state.rawValue),
                    "review": .string(next.rawValue),
                    "approvals": .integer(Int64(decision == .approve ? approvers.count + 1 : 0)),
                    "approvals_required": .integer(Int64(settings.approvalsRequired)),
                ],
                actor: actor,
                workspace: workspace,
                on: connection,
                logger: database.logger
            )
        }
        database.logger.info(
            "variant review decided",
            metadata: [
                "herald.variant.id": "\(variant)", "herald.review.decision": "\(decision.rawValue)",
                "herald.review.actor": "\(actor.reference)",
            ]
        )
        return try await review(of: variant)
    }

    /// The people who approved `revision` since its last rejection.
    static func approvers(of variant: VariantID, revision: Int, on connection: PostgresConnection, logger: Logger) async throws -> [String] {
        let rows = try await connection.query(
            """
            SELECT DISTINCT d.actor FROM review_decisions d
            WHERE d.variant_id = \(variant.uuid) AND d.revision = \(revision) AND d.decision = 'approve'
              AND d.decided_at > coalesce((SELECT max(r.decided_at) FROM review_decisions r
                                           WHERE r.variant_id = d.variant_id AND r.revision = d.revision AND r.decision = 'reject'),
                                          '-infinity')
            ORDER BY d.actor
            """,
            logger: logger
        )
        var actors: [String] = []
        for try await actor in rows.decode(String.self) { actors.append(actor) }
        return actors
    }

    /// Reviews of one variant, or of a campaign's or the workspace's variants, in a state when given.
    func reviews(variant: VariantID?, campaign: CampaignID?, states: [ReviewState]?) async throws -> [Review] {
        let stateNames = states?.map(\.rawValue)
        let rows = try await database.client.query(
            """
            SELECT v.id, v.campaign_id, c.slug, v.key, v.text, v.subject, v.generator, v.written_by, v.review, v.revision,
                   w.approvals_required
            FROM variants v JOIN campaigns c ON c.id = v.campaign_id JOIN workspaces w ON w.id = v.workspace_id
            WHERE v.workspace_id = \(workspace.uuid)
              AND (\(variant?.uuid)::uuid IS NULL OR v.id = \(variant?.uuid)::uuid)
              AND (\(campaign?.uuid)::uuid IS NULL OR v.campaign_id = \(campaign?.uuid)::uuid)
              AND (\(stateNames)::text[] IS NULL OR v.review = ANY(\(stateNames)::text[]))
            ORDER BY c.created_at, c.id, v.position
            """,
            logger: database.logger
        )
        var reviews: [Review] = []
        for try await (id, campaignID, slug, key, text, subject, generator, writtenBy, state, revision, required) in rows.decode(
            (UUID, UUID, String, String, String, String?, String, String?, String, Int, Int).self
        ) {
            reviews.append(
                Review(
                    variant: VariantID(id),
                    campaign: CampaignID(campaignID),
                    campaignSlug: slug,
                    key: key,
                    text: text,
                    subject: subject,
                    generator: generator,
                    writtenBy: writtenBy,
                    state: ReviewState(rawValue: state) ?? .pending,
                    revision: revision,
                    approvalsRequired: required,
                    approvedBy: [],
                    decisions: []
                )
            )
        }
        guard !reviews.isEmpty else { return [] }
        let decisions = try await database.client.query(
            """
            SELECT variant_id, decision, comment, actor, actor_name, revision, decided_at FROM review_decisions
            WHERE workspace_id = \(workspace.uuid) AND variant_id = ANY(\(reviews.map(\.variant.uuid))::uuid[])
            ORDER BY decided_at, id
            """,
            logger: database.logger
        )
        var byVariant: [VariantID: [DecisionRecord]] = [:]
        for try await (id, decision, comment, actor, name, revision, at) in decisions.decode((UUID, String, String, String, String, Int, Date).self) {
            byVariant[VariantID(id), default: []].append(
                DecisionRecord(
                    decision: Decision(rawValue: decision) ?? .reject,
                    comment: comment,
                    actor: actor,
                    actorName: name,
                    revision: revision,
                    decidedAt: at
                )
            )
        }
        for index in reviews.indices {
            let all = byVariant[reviews[index].variant] ?? []
            reviews[index].decisions = all
            // Approvals of the current revision since its last rejection, as ``decide`` counts them.
            let current = all.filter { $0.revision == reviews[index].revision }
            let sinceReject = current.lastIndex { $0.decision == .reject }.map { Array(current[($0 + 1)...]) } ?? current
            var seen: [String] = []
            for record in sinceReject where record.decision == .approve && !seen.contains(record.actor) { seen.append(record.actor) }
            reviews[index].approvedBy = seen
        }
        return reviews
    }
}
