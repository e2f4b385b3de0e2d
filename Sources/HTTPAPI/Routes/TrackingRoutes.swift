import Foundation
import HTTPTypes
import HeraldCore
import Hummingbird
import NIOCore
import Storage

/// Public tracking endpoints: `GET /r/{code}` (click, then redirect) and `GET /p/{code}.gif` (impression pixel).
///
/// A hit is answered at once, whatever the database's state: the link comes from the pipeline's cache (the remembered
/// target while the database is unreachable) and the hit is appended to the tracking spool before the answer goes
/// out; a flusher stores the hits in batches (``TrackingPipeline``), so the redirect never waits on a transaction.
///
/// `HEAD` on either answers as `GET` would (status and headers, no body) without recording anything: link checkers,
/// unfurlers and mail scanners probe links that way, and a probe is not a person's click.
///
/// Repeated hits of one link from one client (address and `User-Agent`) within the deduplication window are answered
/// as usual but recorded once (``TrackingDeduplicator``, applied when the hits are stored); bots are de-duplicated the
/// same way.
struct TrackingRoutes {
    let tracking: TrackingPipeline
    /// Peers whose `X-Forwarded-For` names the client (see ``ClientAddress``).
    let trustedProxies: Set<String>
    /// The box recipient tokens' keys derive from; nil: recipient tokens are not answered (404).
    let secrets: SecretBox?

    func add(to router: Router<APIContext>) {
        router.get("r/{code}", use: click)
        router.head("r/{code}", use: probeClick)
        router.get("p/{file}", use: pixel)
        router.head("p/{file}", use: probePixel)
        router.get("u/{code}", use: unsubscribePage)
        router.post("u/{code}", use: unsubscribe)
    }

    /// Records a click and redirects to the campaign's own destination with UTM parameters.
    ///
    /// A `to` parameter naming any other place is refused (no open redirect); unknown codes are 404s; neither records anything.
    @Sendable func click(_ request: Request, context: APIContext) async throws -> Response {
        let (target, location) = try await link(request, context: context)
        record(target, kind: .click, request: request, context: context)
        return Self.redirect(to: location)
    }

    /// Appends a hit of `target` to the spool (deduplicated and stored later, by the pipeline's flusher).
    func record(_ target: TrackingTarget, kind: EventKind, request: Request, context: APIContext) {
        let client = ClientAddress.of(request, peer: context.remoteAddress, trustedProxies: trustedProxies)
        tracking.record(target, kind: kind, client: client, userAgent: request.headers[.userAgent])
    }

    /// `HEAD /r/{code}`: the redirect `GET` would answer, recording nothing.
    @Sendable func probeClick(_ request: Request, context: APIContext) async throws -> Response {
        Self.redirect(to: try await link(request, context: context).location)
    }

    /// The publication of a tracking link and where it redirects: the campaign's own destination with UTM parameters.
    ///
    /// - Throws: 404 for an unknown code or a campaign without a destination; 400 when a `to` parameter names any
    ///   other place (no open redirect).
    func link(_ request: Request, context: APIContext) async throws -> (target: TrackingTarget, location: String) {
        let code = try context.parameters.require("code")
        guard let link = try await self.link(code: code) else {
            throw APIError.notFound("no tracking link \"\(code)\"")
        }
        guard let destination = link.target.destination, let location = link.location else {
            throw APIError(status: .notFound, code: "no_destination", message: "the campaign of this link has no destination URL")
        }
        if let asked = request.uri.queryParameters["to"], String(asked) != destination {
            throw APIError(
                status: .badRequest,
                code: "destination_refused",
                message: "tracking links only redirect to their campaign's own destination"
            )
        }
        return (link.target, location)
    }

    /// The target of a publication's tracking code or of a recipient token; nil for an unknown code and for a token
    /// whose signature does not check under its workspace's key (a changed token names no message).
    func target(code: String) async throws -> TrackingTarget? {
        try await link(code: code)?.target
    }

    /// ``target(code:)`` with where the link's clicks redirect.
    func link(code: String) async throws -> TrackingLinkCache.Link? {
        guard let link = try await tracking.links.link(code: code) else { return nil }
        guard let message = link.target.message else { return link }
        guard let secrets, let verified = RecipientToken.verify(code, key: RecipientToken.key(workspace: link.target.workspace, secrets: secrets)),
            verified == message
        else { return nil }
        return link
    }

    /// A redirect that no cache keeps (every click must reach Herald).
    static func redirect(to location: String) -> Response {
        var response = Response.redirect(to: location, type: .found)
        response.headers[.cacheControl] = "no-store"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer-when-downgrade"
        return response
    }

    /// A transparent 1x1 GIF.
    static let gif: [UInt8] = [
        0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0x21, 0xF9, 0x04,
        0x01, 0x00, 0x00, 0x00, 0x00, 0x2C, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3B,
    ]

    /// Records an impression and answers the pixel, never cached.
    @Sendable func pixel(_ request: Request, context: APIContext) async throws -> Response {
        let target = try await pixelTarget(context: context)
        // A message's pixel is its open; its impression was recorded when the server accepted it.
        record(target, kind: target.message == nil ? .impression : .open, request: request, context: context)
        return Response(status: .ok, headers: Self.pixelHeaders, body: .init(byteBuffer: ByteBuffer(bytes: Self.gif)))
    }

    /// `HEAD /p/{code}.gif`: the pixel's status and headers, recording nothing.
    @Sendable func probePixel(_ request: Request, context: APIContext) async throws -> Response {
        _ = try await pixelTarget(context: context)
        var headers = Self.pixelHeaders
        headers[.contentLength] = "\(Self.gif.count)"
        return Response(status: .ok, headers: headers)
    }

    /// The publication of a pixel's file name (`{code}.gif`).
    ///
    /// - Throws: 404 for any other name or an unknown code.
    func pixelTarget(context: APIContext) async throws -> TrackingTarget {
        let file = try context.parameters.require("file")
        guard file.hasSuffix(".gif"), let target = try await self.target(code: String(file.dropLast(4))) else {
            throw APIError.notFound("no tracking pixel \"\(file)\"")
        }
        return target
    }

    /// The pixel's headers: a GIF that no cache keeps (every open must reach Herald).
    static let pixelHeaders: HTTPFields = {
        var headers = HTTPFields()
        headers[.contentType] = "image/gif"
        headers[.cacheControl] = "no-store, no-cache, must-revalidate, max-age=0"
        headers[HTTPField.Name("Pragma")!] = "no-cache"
        headers[.expires] = "0"
        return headers
    }()
}
