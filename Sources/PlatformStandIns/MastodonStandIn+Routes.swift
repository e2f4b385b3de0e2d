import Foundation
import Hummingbird
import NIOCore
import Synchronization

/// The stand-in's handlers: each counts the request, applies an injected fault, the API rate limit and the bearer token,
/// then does its work under the state's lock and answers with the rate-limit headers.
extension MastodonStandIn {
    /// An answer before it becomes a response.
    struct Answer {
        var status: Int
        var json: Any?
        var headers: [(String, String)] = []

        static func error(_ status: Int, _ message: String, headers: [(String, String)] = []) -> Answer {
            Answer(status: status, json: ["error": message], headers: headers)
        }
    }

    /// What one request brings to its work.
    struct Call {
        var form: MastodonStandInForm
        var idempotencyKey: String?
        var query: [String: String]
        /// `http://host:port`, for the URLs in answers.
        var origin: String
        var now: Date
        var configuration: Configuration
    }

    /// Whether a route needs a token (statuses can be read without one).
    enum Access { case required, optional }

    func postStatus(_ request: Request) async throws -> Response {
        try await serve("statuses", request) { state, call in
            // As Mastodon's PostStatusService: a repeated key answers the first status before anything else is checked.
            if let key = call.idempotencyKey, let earlier = state.idempotency[key],
                call.now.timeIntervalSince(earlier.at) < call.configuration.idempotencyWindow,
                let status = state.statuses.first(where: { $0.id == earlier.statusID })
            {
                return Answer(status: 200, json: Self.json(status, state: state, call: call))
            }
            let mediaIDs = call.form.values("media_ids")
            if mediaIDs.count > 4 { return .error(422, "Cannot attach more than 4 files") }
            let missing = mediaIDs.filter { id in state.media[id].map { $0.statusID != nil } ?? true }
            if !missing.isEmpty { return .error(422, "Media \(missing.joined(separator: ", ")) not found or already attached to another post") }
            if mediaIDs.contains(where: { state.media[$0]?.processed == false }) {
                return .error(422, "Cannot attach files that have not finished processing. Try again in a moment!")
            }
            let text = call.form.value("status") ?? ""
            let visibility = call.form.value("visibility") ?? "public"
            guard ["public", "unlisted", "private", "direct"].contains(visibility) else {
                return .error(422, "Validation failed: Visibility is not included in the list")
            }
            if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, mediaIDs.isEmpty {
                return .error(422, "Validation failed: Text can't be blank")
            }
            if MastodonStandInText.length(text) > call.configuration.characterLimit {
                return .error(422, "Validation failed: Text character limit of \(call.configuration.characterLimit) exceeded")
            }
            guard state.posting.take(now: call.now) else {
                return .error(429, "Too many requests", headers: state.posting.headers(now: call.now))
            }
            let status = Status(
                id: String(state.nextStatus),
                text: text,
                content: MastodonStandInText.html(text),
                visibility: visibility,
                mediaIDs: mediaIDs,
                idempotencyKey: call.idempotencyKey,
                createdAt: call.now
            )
            state.nextStatus += 1
            state.statuses.append(status)
            for id in mediaIDs { state.media[id]?.statusID = status.id }
            if let key = call.idempotencyKey { state.idempotency[key] = (status.id, call.now) }
            return Answer(status: 200, json: Self.json(status, state: state, call: call), headers: state.posting.headers(now: call.now))
        }
    }

    func getStatus(_ request: Request, id: String) async throws -> Response {
        try await serve("status", request, access: .optional) { state, call in
            guard let status = state.statuses.first(where: { $0.id == id }) else { return .error(404, "Record not found") }
            return Answer(status: 200, json: Self.json(status, state: state, call: call))
        }
    }

    func uploadMedia(_ request: Request) async throws -> Response {
        try await serve("media", request, maxBody: 16 << 20) { state, call in
            guard let file = call.form.files["file"] else { return .error(400, "param is missing or the value is empty: file") }
            guard let mimeType = file.mimeType, mimeType.lowercased().hasPrefix("image/"), !file.data.isEmpty else {
                return .error(422, "Validation failed: File content type is invalid, File is invalid")
            }
            guard state.uploads.take(now: call.now) else {
                return .error(429, "Too many requests", headers: state.uploads.headers(now: call.now))
            }
            let polls = max(call.configuration.mediaProcessingPolls, 0)
            let media = Media(
                id: String(state.nextMedia),
                data: file.data,
                mimeType: mimeType,
                fileName: file.fileName,
                description: call.form.value("description"),
                processed: polls == 0,
                statusID: nil,
                pollsLeft: polls
            )
            state.nextMedia += 1
            state.media[media.id] = media
            state.mediaOrder.append(media.id)
            return Answer(status: media.processed ? 200 : 202, json: Self.json(media, call: call), headers: state.uploads.headers(now: call.now))
        }
    }

    func getMedia(_ request: Request, id: String) async throws -> Response {
        try await serve("mediaStatus", request) { state, call in
            guard var media = state.media[id] else { return .error(404, "Record not found") }
            if !media.processed {
                // Mastodon answers 206 (no body) while the attachment is processing.
                media.pollsLeft -= 1
                media.processed = media.pollsLeft <= 0
                state.media[id] = media
                return Answer(status: 206, json: nil)
            }
            return Answer(status: 200, json: Self.json(media, call: call))
        }
    }

    func verifyCredentials(_ request: Request) async throws -> Response {
        try await serve("verifyCredentials", request) { state, call in
            Answer(status: 200, json: Self.account(state: state, call: call))
        }
    }

    func accountStatuses(_ request: Request, id: String) async throws -> Response {
        try await serve("accountStatuses", request, access: .optional) { state, call in
            guard id == Self.accountID else { return .error(404, "Record not found") }
            let limit = min(max(call.query["limit"].flatMap { Int($0) } ?? 20, 1), 40)
            return Answer(status: 200, json: state.statuses.reversed().prefix(limit).map { Self.json($0, state: state, call: call) })
        }
    }

    /// Counts, faults, limits and authenticates a request, then answers what `work` says.
    func serve(
        _ route: String,
        _ request: Request,
        access: Access = .required,
        maxBody: Int = 1 << 20,
        work: (inout State, Call) -> Answer
    ) async throws -> Response {
        state.withLock { $0.requests[route, default: 0] += 1 }
        let fault = faults.next(for: route)
        switch fault {
        case .answer(let status, let headers, let body):
            let limits = state.withLock { $0.api.headers(now: now()) }
            let overridden = Set(headers.keys.map { $0.lowercased() })
            return Self.response(
                status,
                body: Data(body.utf8),
                headers: limits.filter { !overridden.contains($0.0.lowercased()) } + headers.map { ($0.key, $0.value) }
            )
        case .stallBeforeWork(let seconds):
            try await Task.sleep(for: .seconds(seconds))
            throw StandInError("the Mastodon stand-in stalled before \(route) and gave no answer")
        case .storeThenStall, nil:
            break
        }
        var request = request
        let buffer = try await request.collectBody(upTo: maxBody)
        let body = Data(buffer.readableBytesView)
        let contentType = request.headers[.contentType]
        let authorization = request.headers[.authorization]
        let idempotencyKey = HTTPFields.Element.Name("Idempotency-Key").flatMap { request.headers[$0] }
        var query: [String: String] = [:]
        for (key, value) in request.uri.queryParameters { query[String(key)] = String(value) }
        let origin = "http://\(request.head.authority ?? "127.0.0.1")"
        let date = now()
        let configuration = configuration
        let answer = state.withLock { state -> Answer in
            // Mastodon's rack-attack throttle comes before the token is looked at.
            guard state.api.take(now: date) else { return .error(429, "Too many requests", headers: state.api.headers(now: date)) }
            let limits = state.api.headers(now: date)
            if let refusal = Self.authenticate(authorization, access: access, state: state) { return .error(401, refusal, headers: limits) }
            guard let form = MastodonStandInForm(body: body, contentType: contentType) else {
                return .error(400, "Error occurred while parsing request parameters", headers: limits)
            }
            let call = Call(form: form, idempotencyKey: idempotencyKey, query: query, origin: origin, now: date, configuration: configuration)
            var answer = work(&state, call)
            if answer.headers.isEmpty { answer.headers = limits }
            return answer
        }
        if case .storeThenStall(let seconds) = fault {
            try await Task.sleep(for: .seconds(seconds))
        }
        let data = try answer.json.map { try JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys, .withoutEscapingSlashes]) } ?? Data()
        return Self.response(answer.status, body: data, headers: answer.headers)
    }

    /// Why the bearer token is refused, as Doorkeeper words it; nil when it is accepted.
    static func authenticate(_ authorization: String?, access: Access, state: State) -> String? {
        guard let authorization, !authorization.isEmpty else { return access == .optional ? nil : "The access token is invalid" }
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return "The access token is invalid" }
        switch state.tokens[String(parts[1]).trimmingCharacters(in: .whitespaces)] {
        case .active: return nil
        case .revoked: return "The access token was revoked"
        case .expired: return "The access token expired"
        case nil: return "The access token is invalid"
        }
    }

    static func response(_ status: Int, body: Data, headers: [(String, String)]) -> Response {
        var fields = HTTPFields()
        if !body.isEmpty { fields[.contentType] = "application/json; charset=utf-8" }
        for (name, value) in headers {
            if let name = HTTPFields.Element.Name(name) { fields[name] = value }
        }
        return Response(status: HTTPResponse.Status(code: status), headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// A Status entity (docs.joinmastodon.org/entities/Status/).
    static func json(_ status: Status, state: State, call: Call) -> [String: Any] {
        [
            "id": status.id,
            "created_at": MastodonRateWindow.iso8601(status.createdAt),
            "in_reply_to_id": NSNull(),
            "in_reply_to_account_id": NSNull(),
            "sensitive": false,
            "spoiler_text": "",
            "visibility": status.visibility,
            "language": "en",
            "uri": "\(call.origin)/users/\(call.configuration.username)/statuses/\(status.id)",
            "url": "\(call.origin)/@\(call.configuration.username)/\(status.id)",
            "replies_count": status.replies,
            "reblogs_count": status.reblogs,
            "favourites_count": status.favourites,
            "favourited": false,
            "reblogged": false,
            "muted": false,
            "bookmarked": false,
            "content": status.content,
            "reblog": NSNull(),
            "application": ["name": "Herald", "website": NSNull()],
            "account": account(state: state, call: call),
            "media_attachments": status.mediaIDs.compactMap { state.media[$0] }.map { json($0, call: call) },
            "mentions": [Any](),
            "tags": [Any](),
            "emojis": [Any](),
            "card": NSNull(),
            "poll": NSNull(),
        ]
    }

    /// A MediaAttachment entity (docs.joinmastodon.org/entities/MediaAttachment/); `url` is null until processed.
    static func json(_ media: Media, call: Call) -> [String: Any] {
        let file = "\(call.origin)/system/media_attachments/files/\(media.id)/original/\(media.fileName ?? "file")"
        return [
            "id": media.id,
            "type": "image",
            "url": media.processed ? file : NSNull(),
            "preview_url": "\(call.origin)/system/media_attachments/files/\(media.id)/small/\(media.fileName ?? "file")",
            "remote_url": NSNull(),
            "text_url": NSNull(),
            "meta": [String: Any](),
            "description": media.description ?? NSNull(),
            "blurhash": NSNull(),
        ]
    }

    /// The account (an Account entity; `verify_credentials` answers it as a CredentialAccount).
    static func account(state: State, call: Call) -> [String: Any] {
        [
            "id": accountID,
            "username": call.configuration.username,
            "acct": call.configuration.username,
            "display_name": call.configuration.username,
            "locked": false,
            "bot": false,
            "created_at": "2026-01-01T00:00:00.000Z",
            "note": "",
            "url": "\(call.origin)/@\(call.configuration.username)",
            "followers_count": state.followers,
            "following_count": 0,
            "statuses_count": state.statuses.count,
        ]
    }
}
