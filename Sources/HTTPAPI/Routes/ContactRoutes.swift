import Foundation
import HTTPTypes
import HeraldCore
import Hummingbird
import NIOCore
import Storage

/// The workspace's contacts and lists: `/v1/contacts`, `/v1/lists`.
///
/// Addresses in paths are an email or a phone (`/v1/contacts/jana@example.com/export`), normalised as stored.
struct ContactRoutes {
    let database: Database
    let settings: ServerSettings

    func add(to group: RouterGroup<APIContext>) {
        group.post("contacts", use: importContacts)
        group.get("contacts", use: list)
        group.get("contacts/{address}/export", use: export)
        group.delete("contacts/{address}", use: erase)
        group.put("contacts/{address}/consent", use: consent)
        group.get("lists", use: lists)
        group.post("lists", use: createList)
    }

    /// The workspace of a principal allowed to read people's addresses and data: an editor or admin. A viewer token
    /// (reports, dashboards) reads lists and aggregates, never who is on them.
    static func requirePersonalData(_ context: APIContext) throws -> WorkspaceID {
        let principal = try context.requirePrincipal()
        guard principal.role >= .editor else {
            throw APIError.forbidden("a viewer token cannot read contacts' personal data; it needs an editor or admin token")
        }
        return principal.workspace
    }

    /// The contact store; contacts' addresses are digested under the server's key, so without one the routes answer 503.
    func store() throws -> ContactStore {
        guard let secrets = settings.secrets else {
            throw APIError(
                status: .serviceUnavailable,
                code: "no_secret_key",
                message: "this server has no key to digest addresses with: start it with HERALD_SECRET_KEY or a key file under HERALD_HOME"
            )
        }
        return ContactStore(database, secrets: secrets)
    }

    /// Body: a JSON array of contacts (`[{"email", "phone", "name", "time_zone", "consent", "attributes"}]`), or a CSV
    /// file as `text/csv`; `?list=NAME` adds them to a list (created when missing). All or nothing: any bad row is
    /// answered 422 naming every bad row (`row 3`, or `contacts.csv:4` for CSV) and writes nothing.
    @Sendable func importContacts(_ request: Request, context: APIContext) async throws -> EditedResponse<ContactImportResult> {
        let workspace = try context.requirePrincipal().workspace
        let list = request.uri.queryParameters["list"].map { String($0) }
        let isCSV = request.headers[values: .contentType].contains { $0.lowercased().hasPrefix("text/csv") }
        let body = Array(try await JSONBody.bytes(of: request, limit: settings.maximumBodyBytes).readableBytesView)
        let store = try store()
        let result: ContactImportResult
        if isCSV {
            result = try await store.importCSV(workspace: workspace, bytes: body, source: "contacts.csv", list: list)
        } else {
            let contacts = try Self.decodeContacts(body)
            result = try await store.importContacts(workspace: workspace, contacts, source: "api", locate: { "row \($0)" }, list: list)
        }
        return EditedResponse(status: .created, response: result)
    }

    /// A JSON array of contacts, each checked on its own so that every bad row is named (`row 3`, 1-based).
    static func decodeContacts(_ body: [UInt8]) throws -> [ContactInput] {
        guard let array = try? JSONSerialization.jsonObject(with: Data(body)) as? [Any] else {
            throw APIError.badRequest("the body must be a JSON array of contacts, or a CSV file sent as text/csv")
        }
        var contacts: [ContactInput] = []
        var errors: [ValidationError] = []
        let decoder = JSONDecoder()
        for (index, element) in array.enumerated() {
            let location = "row \(index + 1)"
            guard element is [String: Any], let data = try? JSONSerialization.data(withJSONObject: element) else {
                errors.append(ValidationError(location: location, field: "", reason: "must be an object"))
                continue
            }
            do {
                var contact = try decoder.decode(ContactInput.self, from: data)
                contact.line = index + 1
                contacts.append(contact)
            } catch let error as ValidationError {
                errors.append(error.at(location))
            } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
                errors.append(
                    ValidationError(
                        location: location,
                        field: context.codingPath.map(\.stringValue).joined(separator: "."),
                        reason: "must be a string (attributes: an object of strings)"
                    )
                )
            } catch {
                errors.append(ValidationError(location: location, field: "", reason: "is not a contact"))
            }
        }
        guard errors.isEmpty else { throw ValidationErrors(Array(errors.prefix(50)), total: errors.count) }
        return contacts
    }

    /// `?list=NAME&limit=N&after=ID`: a page of contacts in id order, whatever their consent, and the id to continue
    /// after (`next`, absent on the last page).
    @Sendable func list(_ request: Request, context: APIContext) async throws -> ContactsResponse {
        let workspace = try Self.requirePersonalData(context)
        let query = request.uri.queryParameters
        var limit = 100
        if let text = query["limit"] {
            guard let value = Int(text), (1...1_000).contains(value) else {
                throw ValidationError(field: "limit", reason: "\"\(text)\" must be a whole number from 1 to 1000")
            }
            limit = value
        }
        let after = try query["after"].map { text throws(ValidationError) in
            guard let id = UUID(uuidString: String(text)) else { throw ValidationError(field: "after", reason: "\"\(text)\" is not a contact id") }
            return id
        }
        var listID: UUID?
        if let name = query["list"] { listID = try await ContactListStore(database).list(workspace: workspace, named: String(name)).id }
        let contacts = try await store().contacts(workspace: workspace, list: listID, segment: nil, after: after, limit: limit)
        return ContactsResponse(contacts: contacts, next: contacts.count == limit ? contacts.last?.id : nil)
    }

    /// Everything held about the person, as `herald contacts export` prints it.
    @Sendable func export(_ request: Request, context: APIContext) async throws -> ContactExport {
        let workspace = try Self.requirePersonalData(context)
        return try await Self.export(try Self.address(context), workspace: workspace, store: try store())
    }

    /// Erases the person; answers what was removed and kept.
    @Sendable func erase(_ request: Request, context: APIContext) async throws -> ContactErasure {
        let workspace = try context.requirePrincipal().workspace
        return try await Self.erase(try Self.address(context), workspace: workspace, store: try store())
    }

    // Export and erasure are called out of line: the release compiler (Swift 6.3.1) crashed with signal 11 ("while
    // splitting coroutine") when it inlined the store's export or erase into a route handler.

    @inline(never)
    static func export(_ address: ContactAddress, workspace: WorkspaceID, store: ContactStore) async throws -> ContactExport {
        try await store.export(workspace: workspace, address: address)
    }

    @inline(never)
    static func erase(_ address: ContactAddress, workspace: WorkspaceID, store: ContactStore) async throws -> ContactErasure {
        try await store.erase(workspace: workspace, address: address)
    }

    /// Body: `{"state": "unsubscribed", "detail": "…"}` (detail optional). Answers the contact as it now is.
    @Sendable func consent(_ request: Request, context: APIContext) async throws -> Contact {
        let workspace = try context.requirePrincipal().workspace
        let body = try await request.decode(as: ConsentRequest.self, context: context)
        let state = try ConsentState(parsing: body.state, field: "state")
        let address = try Self.address(context)
        let store = try store()
        guard let contact = try await store.contact(workspace: workspace, address: address) else {
            throw NotFoundError(kind: "contact", id: address.normalized)
        }
        try await store.setConsent(workspace: workspace, contact: contact.id, state: state, source: "api", detail: body.detail)
        guard let changed = try await store.contact(workspace: workspace, address: address) else {
            throw NotFoundError(kind: "contact", id: address.normalized)
        }
        return changed
    }

    @Sendable func lists(_ request: Request, context: APIContext) async throws -> ContactListsResponse {
        ContactListsResponse(lists: try await ContactListStore(database).lists(workspace: try context.requirePrincipal().workspace))
    }

    /// Body: `{"name": "newsletter"}`; 409 when the workspace has a list of that name.
    @Sendable func createList(_ request: Request, context: APIContext) async throws -> EditedResponse<ContactList> {
        let workspace = try context.requirePrincipal().workspace
        let body = try await request.decode(as: CreateListRequest.self, context: context)
        return EditedResponse(status: .created, response: try await ContactListStore(database).create(workspace: workspace, name: body.name))
    }

    /// The path's address, percent-decoded and normalised.
    static func address(_ context: APIContext) throws -> ContactAddress {
        let raw = try context.parameters.require("address")
        return try ContactAddress(parsing: raw.removingPercentEncoding ?? raw)
    }
}

/// A page of contacts.
struct ContactsResponse: ResponseEncodable {
    var contacts: [Contact]
    /// The id to pass as `after` for the next page; nil on the last.
    var next: UUID?
}

/// The workspace's lists.
struct ContactListsResponse: ResponseEncodable {
    var lists: [ContactList]
}

/// `PUT /v1/contacts/{address}/consent`.
struct ConsentRequest: Decodable {
    var state: String
    var detail: String?
}

/// `POST /v1/lists`.
struct CreateListRequest: Decodable {
    var name: String
}

extension ContactImportResult: ResponseEncodable {}
extension ContactExport: ResponseEncodable {}
extension ContactErasure: ResponseEncodable {}
extension Contact: ResponseEncodable {}
extension ContactList: ResponseEncodable {}
