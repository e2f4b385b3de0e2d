import Foundation
import HTTPTypes
import HeraldCore
import Hummingbird
import Logging
import Storage

/// Contacts and lists: `GET /app/contacts?address=&consent=&list=&after=` and `GET /app/lists`. Personal data
/// (addresses, names) is shown to editors and above only, as in the API; a viewer sees counts.
struct ContactPages<Context: RequestContext & RemoteAddressRequestContext> {
    let app: WebApp<Context>

    static var pageSize: Int { 50 }

    func add(to group: RouterGroup<Context>) {
        group.get("contacts") { request, context in try await contacts(request, context: context) }
        group.get("lists") { request, context in try await lists(request, context: context) }
    }

    struct Option {
        var value: String
        var label: String
        var selected: Bool
    }

    struct Count {
        var label: String
        var count: Int
    }

    struct ContactsModel {
        struct Row {
            var email: String
            var phone: String
            var name: String
            var consent: String
            var timeZone: String
        }

        var mayReadPersonalData: Bool
        var counts: [Count]
        var total: Int
        var address: String
        var consents: [Option]
        var lists: [Option]
        var contacts: [Row]
        var hasContacts: Bool
        var searched: Bool
        var next: String?
    }

    func contacts(_ request: Request, context: Context) async throws -> Response {
        let session = try await app.requireSession(request, context: context)
        let query = request.uri.queryParameters
        let directory = ContactDirectory(app.database, workspace: session.user.workspace)
        let counts = try await directory.consentCounts()
        let lists = try await ContactListStore(app.database).lists(workspace: session.user.workspace)
        let address = query["address"].map(String.init)?.trimmingCharacters(in: .whitespaces) ?? ""
        let consent = query["consent"].flatMap { ConsentState(rawValue: String($0)) }
        let list = query["list"].flatMap { UUID(uuidString: String($0)) }
        let after = query["after"].flatMap { UUID(uuidString: String($0)) }
        let mayRead = session.user.role >= .editor
        var rows: [ContactsModel.Row] = []
        var next: UUID?
        if mayRead {
            let search = ContactDirectory.Search(address: address.isEmpty ? nil : address, consent: consent, list: list)
            let page = try await directory.page(search, after: after, limit: Self.pageSize)
            next = page.next
            rows = page.contacts.map {
                ContactsModel.Row(
                    email: $0.email ?? "",
                    phone: $0.phone ?? "",
                    name: $0.name ?? "",
                    consent: $0.consent.rawValue,
                    timeZone: $0.timeZone ?? ""
                )
            }
        }
        var nextLink: String?
        if let next {
            var components = URLComponents()
            components.queryItems = [
                URLQueryItem(name: "address", value: address), URLQueryItem(name: "consent", value: consent?.rawValue ?? ""),
                URLQueryItem(name: "list", value: list.map { $0.uuidString.lowercased() } ?? ""),
                URLQueryItem(name: "after", value: next.uuidString.lowercased()),
            ]
            nextLink = "/app/contacts?" + (components.percentEncodedQuery ?? "")
        }
        let model = ContactsModel(
            mayReadPersonalData: mayRead,
            counts: ConsentState.allCases.map { Count(label: $0.rawValue, count: counts[$0] ?? 0) },
            total: counts.values.reduce(0, +),
            address: address,
            consents: [Option(value: "", label: "any", selected: consent == nil)]
                + ConsentState.allCases.map { Option(value: $0.rawValue, label: $0.rawValue, selected: $0 == consent) },
            lists: [Option(value: "", label: "any list or none", selected: list == nil)]
                + lists.map { Option(value: $0.id.uuidString.lowercased(), label: $0.name, selected: $0.id == list) },
            contacts: rows,
            hasContacts: !rows.isEmpty,
            searched: mayRead,
            next: nextLink
        )
        var person = PageRenderer.Person(session)
        person.atContacts = true
        return app.pages.page("contacts", model, title: "Contacts", person: person)
    }

    struct ListsModel {
        struct Row {
            var id: String
            var name: String
            var members: Int
        }

        var lists: [Row]
        var hasLists: Bool
        var mayReadPersonalData: Bool
    }

    func lists(_ request: Request, context: Context) async throws -> Response {
        let session = try await app.requireSession(request, context: context)
        let lists = try await ContactListStore(app.database).lists(workspace: session.user.workspace)
        let rows = lists.map { ListsModel.Row(id: $0.id.uuidString.lowercased(), name: $0.name, members: $0.members) }
        var person = PageRenderer.Person(session)
        person.atContacts = true
        let model = ListsModel(lists: rows, hasLists: !rows.isEmpty, mayReadPersonalData: session.user.role >= .editor)
        return app.pages.page("lists", model, title: "Lists", person: person)
    }
}
