import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import NIOCore
import Storage

/// Renders the back office's pages from ``Templates`` into responses.
struct PageRenderer: Sendable {
    let library: MustacheLibrary

    init() {
        var library = MustacheLibrary()
        let templates: [(String, String)] =
            [
                ("layout", Templates.layout), ("login", Templates.login), ("invitation", Templates.invitation),
                ("campaigns", Templates.campaigns), ("campaign", Templates.campaign), ("problem", Templates.problem),
            ] + Templates.reviewTemplates + Templates.calendarPages + Templates.directoryPages
        for (name, text) in templates {
            // The templates are constants of this file's module: a parse error is a bug caught by every page test.
            try! library.register(text, named: name)
        }
        self.library = library
    }

    /// The signed-in person as the page header shows them.
    struct Person {
        var email: String
        var role: String
        var workspace: String
        var csrf: String
        var atCampaigns: Bool
        var atCalendar = false
        var atAccounts = false
        var atContacts = false
        var atAudit = false
        /// Whether the page is the review queue, and how many variants wait for this person there (see `WebApp.person`).
        var atReview = false
        var waiting = 0
        var hasWaiting = false

        init(_ session: WebSession, atCampaigns: Bool = false) {
            email = session.user.email
            role = session.user.role.rawValue
            workspace = session.workspaceSlug
            csrf = session.csrfSecret
            self.atCampaigns = atCampaigns
        }
    }

    struct Layout {
        var title: String
        var person: Person?
        var content: String
    }

    struct Problem {
        var title: String
        var message: String
    }

    /// A page: `template` rendered with `model` inside the layout.
    func page(
        _ template: String,
        _ model: Any,
        title: String,
        person: Person? = nil,
        status: HTTPResponse.Status = .ok
    ) -> Response {
        let content = library.render(model, withTemplate: template) ?? ""
        let html = library.render(Layout(title: title, person: person, content: content), withTemplate: "layout") ?? ""
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    /// The page of a refusal.
    func problem(_ error: WebError, person: Person? = nil) -> Response {
        var response = page("problem", Problem(title: error.title, message: error.message), title: error.title, person: person, status: error.status)
        if let retryAfter = error.retryAfter { response.headers[.retryAfter] = String(retryAfter) }
        return response
    }

    /// A `303 See Other` to `location` (after a form is posted, or to the sign-in page).
    static func redirect(to location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }
}
