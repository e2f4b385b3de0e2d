import Foundation
import HeraldCore
import PostgresNIO

extension ContactStore {
    /// The contacts of a list that may be written to, a page at a time in id order: subscribed, and no address of
    /// theirs suppressed (by digest, so an address suppressed before an erasure stays suppressed when imported again).
    ///
    /// - Parameters:
    ///   - workspace: The list's workspace.
    ///   - list: The list.
    ///   - segment: Only contacts matching it, if given.
    ///   - after: The last id of the previous page (nil for the first).
    ///   - limit: At most this many.
    public func audience(workspace: WorkspaceID, list: UUID, segment: Segment?, after: UUID?, limit: Int) async throws -> [AudienceMember] {
        let filter = Filter(segment)
        let rows = try await database.client.query(
            """
            SELECT c.id, c.email, c.phone, c.name, c.time_zone, c.attributes::text
            FROM contact_list_members m JOIN contacts c ON c.id = m.contact_id
            WHERE m.list_id = \(list) AND c.workspace_id = \(workspace.uuid) AND c.consent = 'subscribed'
              AND (\(after)::uuid IS NULL OR c.id > \(after)::uuid)
              AND (\(filter.attributes)::jsonb IS NULL OR c.attributes @> \(filter.attributes)::jsonb)
              AND (\(filter.timeZone)::text IS NULL OR c.time_zone = \(filter.timeZone)::text)
              AND NOT EXISTS (
                  SELECT 1 FROM suppressed_addresses s
                  WHERE s.workspace_id = c.workspace_id AND (s.digest = c.email_digest OR s.digest = c.phone_digest))
            ORDER BY c.id LIMIT \(max(0, limit))
            """,
            logger: database.logger
        )
        var members: [AudienceMember] = []
        for try await (id, email, phone, name, zone, attributes) in rows.decode((UUID, String?, String?, String?, String?, String).self) {
            members.append(
                AudienceMember(id: id, email: email, phone: phone, name: name, timeZone: zone, attributes: try Self.attributes(attributes))
            )
        }
        return members
    }

    /// The workspace's contacts (on `list` if given, matching `segment` if given), whatever their consent, a page at a
    /// time in id order.
    public func contacts(workspace: WorkspaceID, list: UUID?, segment: Segment?, after: UUID?, limit: Int) async throws -> [Contact] {
        let filter = Filter(segment)
        let rows = try await database.client.query(
            """
            SELECT \(unescaped: Self.contactColumns) FROM contacts c
            WHERE c.workspace_id = \(workspace.uuid)
              AND (\(list)::uuid IS NULL OR EXISTS (SELECT 1 FROM contact_list_members m WHERE m.list_id = \(list)::uuid AND m.contact_id = c.id))
              AND (\(after)::uuid IS NULL OR c.id > \(after)::uuid)
              AND (\(filter.attributes)::jsonb IS NULL OR c.attributes @> \(filter.attributes)::jsonb)
              AND (\(filter.timeZone)::text IS NULL OR c.time_zone = \(filter.timeZone)::text)
            ORDER BY c.id LIMIT \(max(0, limit))
            """,
            logger: database.logger
        )
        return try await Self.decodeContacts(rows)
    }

    /// The contact with this address (its email, or its phone), if any.
    public func contact(workspace: WorkspaceID, address: ContactAddress) async throws -> Contact? {
        let rows = try await database.client.query(
            """
            SELECT \(unescaped: Self.contactColumns) FROM contacts c
            WHERE c.workspace_id = \(workspace.uuid) AND \(unescaped: Self.addressColumn(address)) = \(address.normalized)
            """,
            logger: database.logger
        )
        return try await Self.decodeContacts(rows).first
    }

    /// Whether nothing may be sent to this address: its digest is suppressed in the workspace, or its contact's consent
    /// is not `subscribed`.
    public func isSuppressed(workspace: WorkspaceID, address: ContactAddress) async throws -> Bool {
        let digest = Data(digester.digest(address.normalized, workspace: workspace))
        let rows = try await database.client.query(
            """
            SELECT EXISTS (SELECT 1 FROM suppressed_addresses WHERE workspace_id = \(workspace.uuid) AND digest = \(digest))
                OR EXISTS (SELECT 1 FROM contacts c WHERE c.workspace_id = \(workspace.uuid)
                           AND \(unescaped: Self.addressColumn(address)) = \(address.normalized) AND c.consent <> 'subscribed')
            """,
            logger: database.logger
        )
        for try await suppressed in rows.decode(Bool.self) { return suppressed }
        return false
    }

    /// Changes a contact's consent and records the change; a state other than `subscribed` suppresses the contact's
    /// addresses (their digests), and `subscribed` (a person opting in again) lifts that suppression. What bounces,
    /// complaints and unsubscribes call.
    ///
    /// - Parameters:
    ///   - source: Where the change came from: `api`, `cli`, `unsubscribe_page`, `one_click`, `bounce`, `complaint`...
    ///   - detail: Evidence, if any (an SMTP reply, a campaign) — never an IP address.
    /// - Throws: ``NotFoundError`` when the workspace has no such contact.
    public func setConsent(workspace: WorkspaceID, contact: UUID, state: ConsentState, source: String, detail: String?) async throws {
        let logger = database.logger
        try await database.transaction { connection in
            let rows = try await connection.query(
                """
                UPDATE contacts SET consent = \(state.rawValue), consent_at = now(), updated_at = now()
                WHERE id = \(contact) AND workspace_id = \(workspace.uuid)
                RETURNING email_digest, phone_digest
                """,
                logger: logger
            )
            var digests: [Data] = []
            var found = false
            for try await (email, phone) in rows.decode((Data?, Data?).self) {
                found = true
                digests = [email, phone].compactMap { $0 }
            }
            guard found else { throw NotFoundError(kind: "contact", id: contact.uuidString.lowercased()) }
            try await connection.execute(
                "INSERT INTO consent_changes (contact_id, state, source, detail) VALUES (\(contact), \(state.rawValue), \(source), \(detail))",
                logger: logger
            )
            for digest in digests {
                if state.isSuppressed {
                    try await connection.execute(
                        """
                        INSERT INTO suppressed_addresses (workspace_id, digest, reason) VALUES (\(workspace.uuid), \(digest), \(state.rawValue))
                        ON CONFLICT (workspace_id, digest) DO UPDATE SET reason = EXCLUDED.reason, at = now()
                        """,
                        logger: logger
                    )
                } else {
                    try await connection.execute(
                        "DELETE FROM suppressed_addresses WHERE workspace_id = \(workspace.uuid) AND digest = \(digest)",
                        logger: logger
                    )
                }
            }
        }
        logger.info(
            "consent changed",
            metadata: [
                "herald.workspace.id": "\(workspace.uuid)", "herald.contact.id": "\(contact)", "herald.consent": "\(state)",
                "herald.source": "\(source)",
            ]
        )
    }

    /// A segment as query parameters.
    struct Filter {
        var attributes: String?
        var timeZone: String?

        init(_ segment: Segment?) {
            attributes = segment.flatMap { $0.attributes.isEmpty ? nil : ContactRows.jsonObject($0.attributes) }
            timeZone = segment?.timeZone
        }
    }

    static let contactColumns = "c.id, c.email, c.phone, c.name, c.time_zone, c.attributes::text, c.consent, c.consent_at, c.created_at, c.updated_at"

    /// The column an address is looked up in (a constant, never input).
    static func addressColumn(_ address: ContactAddress) -> String {
        switch address {
        case .email: "c.email"
        case .phone: "c.phone"
        }
    }

    static func decodeContacts(_ rows: PostgresRowSequence) async throws -> [Contact] {
        var contacts: [Contact] = []
        for try await (id, email, phone, name, zone, json, consent, consentAt, createdAt, updatedAt) in rows.decode(
            (UUID, String?, String?, String?, String?, String, String, Date, Date, Date).self
        ) {
            contacts.append(
                Contact(
                    id: id,
                    email: email,
                    phone: phone,
                    name: name,
                    timeZone: zone,
                    attributes: try Self.attributes(json),
                    consent: ConsentState(rawValue: consent) ?? .unsubscribed,
                    consentAt: consentAt,
                    createdAt: createdAt,
                    updatedAt: updatedAt
                )
            )
        }
        return contacts
    }

    /// A contact's attributes from their JSON (values other than strings are given as their JSON text).
    static func attributes(_ json: String) throws -> [String: String] {
        guard let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return [:] }
        var attributes: [String: String] = [:]
        for (key, value) in object {
            attributes[key] = value as? String ?? "\(value)"
        }
        return attributes
    }
}
