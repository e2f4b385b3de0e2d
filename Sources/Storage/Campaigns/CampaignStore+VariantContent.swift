import Channels
import Foundation
import HeraldCore
import PostgresNIO

extension CampaignStore {
    /// Changes a variant's content, as `editor`: its text and, for an email variant, its subject, preheader and body
    /// (nil leaves each as it is). The edit is a new revision, written by `editor`: the variant goes back to pending
    /// review (the `variants` trigger does it, whatever its state was), and the edit is written to the audit log.
    ///
    /// - Throws: ``ForbiddenError`` for a viewer; ``NotFoundError``; ``ConflictError`` for an ended or archived campaign;
    ///   ``ValidationError`` naming the field and channel rule the new content breaks.
    @discardableResult
    public func editVariant(
        _ variantID: VariantID,
        of id: CampaignID,
        text: String?,
        email: EmailContent?,
        editor: AuditActor,
        trackingLinkLength: Int = CampaignStore.defaultTrackingLinkLength
    ) async throws -> Campaign.Variant {
        guard editor.role >= .editor else {
            throw ForbiddenError("a \(editor.role.rawValue) may not edit variants; an editor, approver or admin may")
        }
        let campaign = try await find(id)
        guard campaign.status != .archived, campaign.status != .ended else {
            throw ConflictError("the campaign is \(campaign.status.rawValue); its variants can no longer change")
        }
        guard let index = campaign.variants.firstIndex(where: { $0.id == variantID }) else {
            throw NotFoundError(kind: "variant", id: variantID.description)
        }
        let current = campaign.variants[index]
        var edited = current
        if let text { edited.text = text }
        if let email {
            guard current.email != nil || current.goes(to: .email) else {
                throw ValidationError(field: "subject", reason: "variant \(current.key) does not go out by email; it has no subject to change")
            }
            edited.email = email
        }
        guard edited != current else { return current }
        var all = campaign.variants
        all[index] = edited
        _ = try CampaignSpec(
            name: campaign.name,
            slug: campaign.slug,
            primaryMetric: campaign.primaryMetric,
            channels: campaign.channels,
            destination: campaign.destination,
            schedule: nil,
            variants: all.map(Self.specVariant),
            dryRun: campaign.dryRun,
            audience: campaign.audience
        )
        try CampaignChannelCheck.check(
            [edited],
            hasDestination: campaign.destination != nil,
            smsOptOut: try await smsOptOut(),
            linkLength: trackingLinkLength
        )
        try await database.transaction { connection in
            let rows = try await connection.query(
                """
                UPDATE variants SET text = \(edited.text), subject = \(edited.email?.subject), preheader = \(edited.email?.preheader),
                                    body = \(edited.email?.body), written_by = \(editor.reference)
                WHERE id = \(variantID.uuid) AND campaign_id = \(id.uuid) AND workspace_id = \(workspace.uuid)
                RETURNING revision, review
                """,
                logger: database.logger
            )
            var outcome: (revision: Int, review: String)?
            for try await row in rows.decode((Int, String).self) { outcome = row }
            guard let outcome else { throw NotFoundError(kind: "variant", id: variantID.description) }
            try await AuditLog.record(
                "variant.edit",
                subjectKind: "variant",
                subjectID: variantID.description,
                details: [
                    "campaign": .string(id.description),
                    "key": .string(current.key),
                    "revision": .integer(Int64(outcome.revision)),
                    "from": .string(current.review.rawValue),
                    "review": .string(outcome.review),
                ],
                actor: editor,
                workspace: workspace,
                on: connection,
                logger: database.logger
            )
        }
        return try await variants(of: id).first { $0.id == variantID } ?? edited
    }
}
