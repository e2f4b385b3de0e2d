import Foundation
import HeraldCore
import Logging
import NIOCore
import PostgresNIO

/// Contacts, their consent and its history, and the suppression of addresses, per workspace.
///
/// Every method takes the workspace it works in; nothing crosses workspaces. Addresses are stored normalised
/// (``EmailAddress``, ``PhoneNumber``) with their digests (``AddressDigester``), which is how suppression
/// (`suppressed_addresses`) outlives a contact's erasure.
public struct ContactStore: Sendable {
    let database: Database
    let digester: AddressDigester

    /// - Parameters:
    ///   - database: Herald's database.
    ///   - secrets: Herald's secret key, from which each workspace's address-digest key is derived.
    public init(_ database: Database, secrets: SecretBox) {
        self.database = database
        self.digester = AddressDigester(secrets: secrets)
    }

    /// The size of the chunks a file is read in.
    static let chunkSize = 1 << 20

    // MARK: Import

    /// Imports a contacts CSV file (see ``ContactCSV``), all rows or none, reading it a chunk at a time: memory stays
    /// flat however long the file is.
    ///
    /// In one transaction, checked rows travel by binary COPY into a temporary table while the file is read; if any
    /// row is bad nothing is written and every bad row is named by line. Then rows with the same address are merged
    /// (later rows' non-empty fields win, attributes are added together), and merged into `contacts` on the normalised
    /// address (see ``importContacts(workspace:read:errors:source:locate:list:)``).
    ///
    /// - Parameters:
    ///   - workspace: The workspace the contacts belong to.
    ///   - file: The CSV file.
    ///   - list: A list to add every imported contact to, created when missing.
    ///   - progress: Called with the fraction of the file read.
    /// - Throws: ``ValidationErrors`` naming bad rows (`contacts.csv:17: email: …`); nothing is written then.
    public func importCSV(
        workspace: WorkspaceID,
        file: URL,
        list: String?,
        progress: (Double) -> Void = { _ in }
    ) async throws -> ContactImportResult {
        let source = file.lastPathComponent
        let handle: FileHandle
        do {
            handle = try FileHandle(forReadingFrom: file)
        } catch {
            throw ValidationError(location: file.path, field: "", reason: "cannot read the file (does it exist?)")
        }
        defer { try? handle.close() }
        let size = (try? FileManager.default.attributesOfItem(atPath: file.path))?[.size] as? Int
        var reader = ContactCSV.Reader(source: source, expectedSize: size)
        return try await importContacts(
            workspace: workspace,
            read: {
                while !reader.isAtEnd {
                    var rows: [ContactInput] = []
                    while let row = reader.next() { rows.append(row) }
                    if let data = try handle.read(upToCount: Self.chunkSize), !data.isEmpty {
                        reader.append(data)
                    } else {
                        reader.finish()
                        while let row = reader.next() { rows.append(row) }
                    }
                    progress(reader.progress)
                    if !rows.isEmpty { return rows }
                }
                return nil
            },
            errors: { reader.errors },
            source: source,
            locate: { "\(source):\($0)" },
            list: list
        )
    }

    /// Imports a contacts CSV held in memory (an API request's body), all rows or none.
    ///
    /// - Throws: ``ValidationErrors`` naming bad rows by line.
    public func importCSV(workspace: WorkspaceID, bytes: [UInt8], source: String, list: String?) async throws -> ContactImportResult {
        let contacts = try ContactCSV.parse(bytes: bytes, source: source)
        return try await importContacts(workspace: workspace, contacts, source: source, locate: { "\(source):\($0)" }, list: list)
    }

    /// Imports contacts already checked (a JSON request's), all or none; `locate` names a contact's ``ContactInput/line``
    /// in errors (`row 3`).
    public func importContacts(
        workspace: WorkspaceID,
        _ contacts: [ContactInput],
        source: String,
        locate: @escaping (Int) -> String,
        list: String?
    ) async throws -> ContactImportResult {
        guard !contacts.isEmpty else {
            throw ValidationErrors([ValidationError(location: source, field: "", reason: "no contacts were given")])
        }
        var pending: [ContactInput]? = contacts
        return try await importContacts(
            workspace: workspace,
            read: {
                defer { pending = nil }
                return pending
            },
            errors: { nil },
            source: source,
            locate: locate,
            list: list
        )
    }

    /// The import itself: COPY into a temporary table, merge rows by address, upsert into `contacts`, record consent,
    /// suppress addresses whose consent says so, add to the list; one transaction.
    ///
    /// - Parameters:
    ///   - read: The next checked rows, `nil` at the end.
    ///   - errors: Once `read` has ended, the bad rows (nil when none): then everything is rolled back.
    ///   - source: Where the rows came from, recorded as the consent's detail.
    ///   - locate: Names a row by its line, for errors found while merging.
    ///   - list: A list to add the contacts to, created when missing.
    func importContacts(
        workspace: WorkspaceID,
        read: () async throws -> [ContactInput]?,
        errors: () -> ValidationErrors?,
        source: String,
        locate: (Int) -> String,
        list: String?
    ) async throws -> ContactImportResult {
        // A large file may rightly take longer than the statement timeout that protects everything else.
        let database = self.database.allowingLongStatements()
        let logger = database.logger
        let key = digester.key(for: workspace)
        let digester = self.digester
        let started = ContinuousClock.now
        let result: ContactImportResult = try await database.transaction { connection in
            try await connection.execute(ContactRows.createTable, logger: logger)
            var rows = 0
            try await EventRows.copyBinary(into: "contact_import", columns: ContactRows.columns, connection: connection, logger: logger) {
                writer in
                var buffer = ByteBuffer()
                buffer.reserveCapacity(Self.chunkSize + 4_096)
                while let chunk = try await read() {
                    for contact in chunk {
                        ContactRows.append(
                            contact,
                            emailDigest: contact.email.map { digester.digest($0.normalized, key: key) },
                            phoneDigest: contact.phone.map { digester.digest($0.e164, key: key) },
                            to: &buffer
                        )
                    }
                    rows += chunk.count
                    if buffer.readableBytes >= Self.chunkSize {
                        try await writer.write(buffer)
                        buffer.clear()
                    }
                }
                if buffer.readableBytes > 0 { try await writer.write(buffer) }
            }
            if let errors = errors() { throw errors }
            let copied = ContinuousClock.now
            let result = try await merge(workspace: workspace, rows: rows, source: source, locate: locate, list: list, connection: connection)
            logger.debug(
                "imported contacts",
                metadata: [
                    "herald.workspace.id": "\(workspace.uuid)", "herald.rows": "\(rows)",
                    "herald.read_and_copy": "\(copied - started)", "herald.merge": "\(ContinuousClock.now - copied)",
                ]
            )
            return result
        }
        return result
    }

    /// Merges the temporary table's rows into `contacts` (see ``importCSV(workspace:file:list:progress:)``).
    private func merge(
        workspace: WorkspaceID,
        rows: Int,
        source: String,
        locate: (Int) -> String,
        list: String?,
        connection: PostgresConnection
    ) async throws -> ContactImportResult {
        let logger = database.logger
        // One row per address: the email, else the phone. Later rows' non-empty fields win; attributes add up.
        try await connection.execute(
            """
            CREATE TEMP TABLE contact_import_merged ON COMMIT DROP AS
            WITH keyed AS (SELECT coalesce(email, phone) AS key, * FROM contact_import),
            attributes AS (
                SELECT k.key, jsonb_object_agg(a.key, a.value ORDER BY k.line) AS attributes
                FROM keyed k CROSS JOIN LATERAL jsonb_each(k.attributes::jsonb) a
                WHERE k.attributes IS NOT NULL
                GROUP BY k.key
            )
            SELECT g.*, coalesce(a.attributes, '{}'::jsonb) AS attributes
            FROM (
                SELECT key, max(line) AS line, count(*) AS rows,
                       (array_agg(email ORDER BY line DESC) FILTER (WHERE email IS NOT NULL))[1] AS email,
                       (array_agg(email_digest ORDER BY line DESC) FILTER (WHERE email IS NOT NULL))[1] AS email_digest,
                       (array_agg(phone ORDER BY line DESC) FILTER (WHERE phone IS NOT NULL))[1] AS phone,
                       (array_agg(phone_digest ORDER BY line DESC) FILTER (WHERE phone IS NOT NULL))[1] AS phone_digest,
                       (array_agg(name ORDER BY line DESC) FILTER (WHERE name IS NOT NULL))[1] AS name,
                       (array_agg(time_zone ORDER BY line DESC) FILTER (WHERE time_zone IS NOT NULL))[1] AS time_zone,
                       (array_agg(consent ORDER BY line DESC) FILTER (WHERE consent IS NOT NULL))[1] AS consent
                FROM keyed GROUP BY key
            ) g LEFT JOIN attributes a ON a.key = g.key
            """,
            logger: logger
        )
        try await checkPhones(workspace: workspace, locate: locate, connection: connection)
        try await connection.execute(
            "CREATE TEMP TABLE contact_import_done (id uuid NOT NULL, key text NOT NULL, inserted bool NOT NULL) ON COMMIT DROP",
            logger: logger
        )
        // Contacts with an email merge on it; those with only a phone merge on the phone. A new contact without a stated
        // consent is subscribed; an existing one keeps its consent unless the row states one (below).
        try await connection.execute(
            """
            WITH upserted AS (
                INSERT INTO contacts (workspace_id, email, email_digest, phone, phone_digest, name, time_zone, attributes, consent)
                SELECT \(workspace.uuid), email, email_digest, phone, phone_digest, name, time_zone, attributes, coalesce(consent, 'subscribed')
                FROM contact_import_merged WHERE email IS NOT NULL ORDER BY email
                ON CONFLICT (workspace_id, email) WHERE email IS NOT NULL DO UPDATE SET
                    phone = coalesce(EXCLUDED.phone, contacts.phone),
                    phone_digest = CASE WHEN EXCLUDED.phone IS NULL THEN contacts.phone_digest ELSE EXCLUDED.phone_digest END,
                    name = coalesce(EXCLUDED.name, contacts.name),
                    time_zone = coalesce(EXCLUDED.time_zone, contacts.time_zone),
                    attributes = contacts.attributes || EXCLUDED.attributes,
                    updated_at = now()
                RETURNING id, email AS key, (xmax = 0) AS inserted
            )
            INSERT INTO contact_import_done SELECT id, key, inserted FROM upserted
            """,
            logger: logger
        )
        try await connection.execute(
            """
            WITH upserted AS (
                INSERT INTO contacts (workspace_id, phone, phone_digest, name, time_zone, attributes, consent)
                SELECT \(workspace.uuid), phone, phone_digest, name, time_zone, attributes, coalesce(consent, 'subscribed')
                FROM contact_import_merged WHERE email IS NULL ORDER BY phone
                ON CONFLICT (workspace_id, phone) WHERE phone IS NOT NULL DO UPDATE SET
                    name = coalesce(EXCLUDED.name, contacts.name),
                    time_zone = coalesce(EXCLUDED.time_zone, contacts.time_zone),
                    attributes = contacts.attributes || EXCLUDED.attributes,
                    updated_at = now()
                RETURNING id, phone AS key, (xmax = 0) AS inserted
            )
            INSERT INTO contact_import_done SELECT id, key, inserted FROM upserted
            """,
            logger: logger
        )
        // Consent: every new contact's, and every change the file states, is recorded with the file as its source.
        try await connection.execute(
            """
            WITH changed AS (
                UPDATE contacts c SET consent = m.consent, consent_at = now()
                FROM contact_import_done d JOIN contact_import_merged m ON m.key = d.key
                WHERE c.id = d.id AND NOT d.inserted AND m.consent IS NOT NULL AND c.consent <> m.consent
                RETURNING c.id, c.consent
            )
            INSERT INTO consent_changes (contact_id, state, source, detail)
            SELECT id, consent, 'import', \(source) FROM changed
            UNION ALL
            SELECT c.id, c.consent, 'import', \(source)
            FROM contact_import_done d JOIN contacts c ON c.id = d.id WHERE d.inserted
            """,
            logger: logger
        )
        try await connection.execute(
            """
            INSERT INTO suppressed_addresses (workspace_id, digest, reason)
            SELECT \(workspace.uuid), v.digest, c.consent
            FROM contact_import_done d JOIN contacts c ON c.id = d.id
                 CROSS JOIN LATERAL (VALUES (c.email_digest), (c.phone_digest)) AS v(digest)
            WHERE c.consent <> 'subscribed' AND v.digest IS NOT NULL
            ON CONFLICT (workspace_id, digest) DO NOTHING
            """,
            logger: logger
        )
        if let list {
            let listID = try await ContactListStore.ensure(name: list, workspace: workspace, connection: connection, logger: logger)
            try await connection.execute(
                """
                INSERT INTO contact_list_members (list_id, contact_id)
                SELECT \(listID), id FROM contact_import_done ORDER BY id
                ON CONFLICT DO NOTHING
                """,
                logger: logger
            )
        }
        let counts = try await connection.query(
            "SELECT count(*) FILTER (WHERE inserted)::int, count(*) FILTER (WHERE NOT inserted)::int FROM contact_import_done",
            logger: logger
        )
        for try await (inserted, updated) in counts.decode((Int, Int).self) {
            return ContactImportResult(rows: rows, inserted: inserted, updated: updated, skipped: rows - inserted - updated)
        }
        throw StorageError("the contact import counted nothing")
    }

    /// Refuses an import in which a phone would belong to two contacts: two addresses of the input with one phone, or
    /// a phone another contact of the workspace already has.
    private func checkPhones(workspace: WorkspaceID, locate: (Int) -> String, connection: PostgresConnection) async throws {
        let rows = try await connection.query(
            """
            SELECT m.line, m.phone, EXISTS (
                SELECT 1 FROM contact_import_merged o WHERE o.phone = m.phone AND o.key <> m.key AND o.line < m.line
            )
            FROM contact_import_merged m
            WHERE m.phone IS NOT NULL AND (
                EXISTS (SELECT 1 FROM contact_import_merged o WHERE o.phone = m.phone AND o.key <> m.key AND o.line < m.line)
                OR (m.email IS NOT NULL AND EXISTS (
                    SELECT 1 FROM contacts c WHERE c.workspace_id = \(workspace.uuid) AND c.phone = m.phone
                    AND (c.email IS NULL OR c.email <> m.email)))
            )
            ORDER BY m.line LIMIT 21
            """,
            logger: database.logger
        )
        var errors: [ValidationError] = []
        for try await (line, phone, inInput) in rows.decode((Int, String, Bool).self) {
            errors.append(
                ValidationError(
                    location: locate(line),
                    field: "phone",
                    reason: inInput
                        ? "\(phone) is also the phone of another address earlier in the input; a phone belongs to one contact"
                        : "\(phone) is already the phone of another contact; a phone belongs to one contact"
                )
            )
        }
        guard errors.isEmpty else { throw ValidationErrors(Array(errors.prefix(20)), total: errors.count) }
    }
}
