import Foundation
import HTTPTypes
import HeraldCore
import Hummingbird
import NIOCore
import Storage

extension TrackingRoutes {
    /// The message of an unsubscribe URL's token.
    ///
    /// - Throws: 404 for anything that is not a valid recipient token.
    func unsubscribeTarget(context: APIContext) async throws -> TrackingTarget {
        let code = try context.parameters.require("code")
        guard RecipientToken.hasTokenShape(code), let target = try await self.target(code: code), target.message != nil else {
            throw APIError.notFound("no unsubscribe link \"\(code)\"")
        }
        return target
    }

    /// `GET /u/{token}`: a plain page asking to confirm, with a form that posts back (no script, no cookie). Loading the
    /// page changes nothing: mail scanners follow links.
    @Sendable func unsubscribePage(_ request: Request, context: APIContext) async throws -> Response {
        _ = try await unsubscribeTarget(context: context)
        let code = try context.parameters.require("code")
        return Self.page(
            title: "Unsubscribe",
            body: """
                <p>Stop receiving these emails?</p>
                <form method="post" action="/u/\(HTMLEscaping.escape(code))">
                <input type="hidden" name="confirm" value="yes">
                <button type="submit">Unsubscribe</button>
                </form>
                """
        )
    }

    /// `POST /u/{token}`: unsubscribes the message's contact, from the POST alone (RFC 8058 one-click: a body of
    /// `List-Unsubscribe=One-Click`, no cookie, no session), or from the page's form. The `unsubscribe` event and the
    /// consent change go through the tracking spool, so an unsubscribe answered during a database outage is kept.
    @Sendable func unsubscribe(_ request: Request, context: APIContext) async throws -> Response {
        let target = try await unsubscribeTarget(context: context)
        var request = request
        let body = try await request.collectBody(upTo: 4_096)
        let form = String(buffer: body)
        let oneClick = form.split(separator: "&").contains { field in
            String(field).trimmingCharacters(in: .whitespacesAndNewlines) == "List-Unsubscribe=One-Click"
        }
        let client = ClientAddress.of(request, peer: context.remoteAddress, trustedProxies: trustedProxies)
        tracking.record(
            target,
            kind: .unsubscribe,
            client: client,
            userAgent: request.headers[.userAgent],
            detail: oneClick ? "one_click" : "unsubscribe_page"
        )
        return Self.page(title: "Unsubscribed", body: "<p>You are unsubscribed and will not receive these emails again.</p>")
    }

    /// A small self-contained HTML page (escaped text only; no script, no external resource).
    static func page(title: String, body: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        headers[HTTPField.Name("Content-Security-Policy")!] = "default-src 'none'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        let html = """
            <!DOCTYPE html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">\
            <title>\(HTMLEscaping.escape(title))</title></head><body>\(body)</body></html>
            """
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}
