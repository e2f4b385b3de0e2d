import Foundation
import HeraldCore
import PostgresNIO

extension PublicationStore {
    /// Sends a failed or cancelled publication again (`herald publications retry ID`): in one transaction it goes back
    /// to `scheduled` (its error and failure class cleared, its retry count raised) with a new `publish` job due at
    /// `now`. The delivery state machine reconciles the earlier attempts whose outcome is unknown before it posts, so a
    /// retry never makes a second post of one that went out.
    ///
    /// - Throws: ``NotFoundError`` when the workspace has no such publication; ``ConflictError`` saying why and what
    ///   to do instead when it is published, a dry run, scheduled or sending, when it broke its channel's rules, when its
    ///   variant is not approved, or when its campaign does not publish (draft, paused, ended, archived).
    @discardableResult
    public func retry(_ id: UUID, workspace: WorkspaceID, now: Date = Date()) async throws -> Publication {
        let logger = database.logger
        let refusal: ConflictError? = try await database.transaction { connection in
            let rows = try await connection.query(
                """
                SELECT p.status, p.failure_class, p.idempotency_key, c.status, c.slug, v.review, v.key, v.id
                FROM publications p JOIN campaigns c ON c.id = p.campaign_id JOIN variants v ON v.id = p.variant_id
                WHERE p.id = \(id) AND p.workspace_id = \(workspace.uuid)
                FOR UPDATE OF p
                """,
                logger: logger
            )
            var found:
                (
                    state: String, failureClass: String?, key: String, campaignStatus: String, slug: String, review: String, variant: String,
                    variantID: UUID
                )?
            for try await row in rows.decode((String, String?, String, String, String, String, String, UUID).self) { found = row }
            guard let found else { throw NotFoundError(kind: "publication", id: id.uuidString.lowercased()) }
            if let refusal = Self.retryRefusal(id, state: found.state, failureClass: found.failureClass) { return refusal }
            // The review gate: it would only be refused again.
            guard found.review == ReviewState.approved.rawValue else {
                return ConflictError(
                    "publication \(id.uuidString.lowercased()) cannot be sent again: its variant \(found.variant) is \(found.review) review; "
                        + "approve it first (herald variants approve \(found.variantID.uuidString.lowercased()))"
                )
            }
            guard CampaignStatus(rawValue: found.campaignStatus)?.publishes == true else {
                return ConflictError(
                    "publication \(id.uuidString.lowercased()) cannot be sent again: its campaign \(found.slug) is \(found.campaignStatus) "
                        + (found.campaignStatus == "paused"
                            ? "(resume it first: herald campaigns resume \(found.slug))"
                            : "and publishes nothing more")
                )
            }
            try await connection.execute(
                """
                UPDATE publications SET status = 'scheduled', error = NULL, failure_class = NULL, retries = retries + 1
                WHERE id = \(id)
                """,
                logger: logger
            )
            let job = JobRequest(
                payload: PublishPayload(publication: id),
                runAt: now,
                uniqueKey: "publish:\(found.key)",
                workspace: workspace
            )
            _ = try await JobQueue.insert([job], connection: connection, logger: logger)
            return nil
        }
        if let refusal { throw refusal }
        return try await find(id)
    }

    /// Why a publication in `state` cannot be sent again, or nil when it can (failed or cancelled).
    static func retryRefusal(_ id: UUID, state: String, failureClass: String?) -> ConflictError? {
        let name = "publication \(id.uuidString.lowercased())"
        switch PublicationState(rawValue: state) {
        case .failed where failureClass == "rules":
            return ConflictError("\(name) breaks its channel's rules and would fail again: edit the variant and publish the campaign again")
        case .failed, .cancelled:
            return nil
        case .published:
            return ConflictError("\(name) is already published: sending it again would post it twice")
        case .dryRun:
            return ConflictError("\(name) was a dry run (nothing was posted): there is nothing to retry")
        case .sending:
            return ConflictError("\(name) is being sent right now: wait for its outcome (herald publications list)")
        case .scheduled:
            return ConflictError("\(name) is scheduled and will go out: there is nothing to retry")
        case nil:
            return ConflictError("\(name) is \(state): only failed or cancelled publications can be sent again")
        }
    }
}
