import Foundation
import HeraldCore
import PostgresNIO

/// The back office's read of a workspace's contacts: a search by address, consent and list, a page at a time, and the
/// counts a viewer may see (no personal data). Reads only: imports, consent changes and erasure stay with
/// ``ContactStore``.
public struct ContactDirectory: Sendable {
    let database: Database
    /// The workspace every query is scoped to.
    public let workspace: WorkspaceID

    public init(_ database: Database, workspace: WorkspaceID) {
        self.database = database
        self.workspace = workspace
    }

    /// What to look for; nil fields match every contact.
    public struct Search: Sendable, Equatable {
        /// Part of an email address or phone number, matched case-insensitively.
        public var address: String?
        public var consent: ConsentState?
        /// A list's id: only its members.
        public var list: UUID?

        public init(address: String? = nil, consent: ConsentState? = nil, list: UUID? = nil) {
            self.address = address
            self.consent = consent
            self.list = list
        }
    }

    /// The contacts matching `search` after the contact `after` (id order), at most `limit`, and the id to pass as
    /// `after` for the next page (nil on the last).
    public func page(_ search: Search, after: UUID?, limit: Int) async throws -> (contacts: [Contact], next: UUID?) {
        let limit = min(max(limit, 1), 500)
        let pattern = search.address.map { "%" + Self.escapeLike($0.lowercased()) + "%" }
        let rows = try await database.client.query(
            """
            SELECT \(unescaped: ContactStore.contactColumns) FROM contacts c
            WHERE c.workspace_id = \(workspace.uuid)
              AND (\(pattern)::text IS NULL OR lower(c.email) LIKE \(pattern)::text OR c.phone LIKE \(pattern)::text)
              AND (\(search.consent?.rawValue)::text IS NULL OR c.consent = \(search.consent?.rawValue)::text)
              AND (\(search.list)::uuid IS NULL
                   OR EXISTS (SELECT 1 FROM contact_list_members m WHERE m.list_id = \(search.list)::uuid AND m.contact_id = c.id))
              AND (\(after)::uuid IS NULL OR c.id > \(after)::uuid)
            ORDER BY c.id LIMIT \(limit + 1)
            """,
            logger: database.logger
        )
        var contacts = try await ContactStore.decodeContacts(rows)
        guard contacts.count > limit else { return (contacts, nil) }
        contacts.removeLast()
        return (contacts, contacts.last?.id)
    }

    /// How many of the workspace's contacts are in each consent state (states with none left out).
    public func consentCounts() async throws -> [ConsentState: Int] {
        let rows = try await database.client.query(
            "SELECT consent, count(*)::int FROM contacts WHERE workspace_id = \(workspace.uuid) GROUP BY consent",
            logger: database.logger
        )
        var counts: [ConsentState: Int] = [:]
        for try await (state, count) in rows.decode((String, Int).self) {
            if let state = ConsentState(rawValue: state) { counts[state] = count }
        }
        return counts
    }

    /// `text` with LIKE's wildcards taken literally.
    static func escapeLike(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
    }
}
