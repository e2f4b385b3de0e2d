import Foundation

/// Publishes to a Bluesky account through its PDS (AT Protocol XRPC), with an app password and the session it opens.
///
/// A post is an `app.bsky.feed.post` record written with `com.atproto.repo.createRecord` under a record key derived
/// from the publication's idempotency key (``RecordKey``): a repeat collides with the first post (the reference PDS
/// answers it with an error) and the connector then answers the first post, read with `com.atproto.repo.getRecord`;
/// ``lookUp(_:idempotencyKey:account:)`` reads the same key. Links, hashtags and mentions become facets
/// (``BlueskyFacets``; a mention whose handle does not resolve stays plain text); images are uploaded as blobs and
/// embedded with their alt text; counts come from `app.bsky.feed.getPosts`, followers from `app.bsky.actor.getProfile`.
///
/// Sessions: when a call is refused for its session (`ExpiredToken`, `InvalidToken`, 401) the connector refreshes the
/// session once (`refreshSession` with the refresh token), or when that is refused signs in once with the app
/// password (`createSession`), stores the new tokens through ``ConnectedAccount/saveCredentials`` before using them,
/// and retries once; still refused → auth.
public struct BlueskyConnector: ChannelConnector {
    public let kind: AccountKind = .bluesky
    let http: PlatformHTTP
    let now: @Sendable () -> Date

    public init(http: PlatformHTTP, now: @escaping @Sendable () -> Date = { Date() }) {
        self.http = http
        self.now = now
    }

    public func publish(_ post: OutgoingPost, idempotencyKey: String, account: ConnectedAccount) async throws -> PostedPost {
        let api = BlueskyAPI(baseURL: account.baseURL)
        var session = Session(account: account)
        let rkey = RecordKey(idempotencyKey: idempotencyKey)

        let spans = BlueskyFacets.spans(in: post.text)
        var dids: [String: String] = [:]
        for handle in BlueskyFacets.mentionedHandles(in: spans) {
            dids[handle] = try await resolve(handle: handle, api: api)
        }

        var images: [BlueskyPostRecord.Image] = []
        for media in post.media {
            let response = try await authorized(&session, api) { api.uploadBlob(media.data, mimeType: media.mimeType, accessJwt: $0) }
            guard response.succeeded else { throw XRPCError.classify(response, now: now()) }
            let blob = try BlueskyAPI.decode(BlueskyAPI.UploadedBlob.self, from: response).blob
            images.append(BlueskyPostRecord.Image(image: blob, alt: media.altText))
        }

        let record = BlueskyPostRecord(
            text: post.text,
            createdAt: now(),
            facets: BlueskyFacets.facets(for: spans, dids: dids),
            images: images
        )
        let repo = try await repoIdentifier(&session, api)
        let response = try await authorized(&session, api) { try api.createRecord(repo: repo, rkey: rkey, record: record, accessJwt: $0) }
        if response.succeeded {
            let created = try BlueskyAPI.decode(BlueskyAPI.RecordAnswer.self, from: response, kind: .unknownOutcome)
            return PostedPost(id: created.uri, url: BlueskyAPI.webURL(forPost: created.uri), cid: created.cid)
        }
        let error = XRPCError.classify(response, now: now())
        // The record key is taken: an earlier attempt made the post. The reference PDS answers this with a 500
        // (its repository refuses a second value under one key); newer ones with an explicit error.
        let collided = response.status == 409 || XRPCError(response)?.error == "RecordAlreadyExists"
        if collided || error.kind == .transient {
            if let existing = try? await existingPost(repo: repo, rkey: rkey, api: api) {
                return existing
            }
        }
        throw error
    }

    public func lookUp(_ post: OutgoingPost, idempotencyKey: String, account: ConnectedAccount) async throws -> PostedPost? {
        let api = BlueskyAPI(baseURL: account.baseURL)
        var session = Session(account: account)
        let repo = try await repoIdentifier(&session, api)
        return try await existingPost(repo: repo, rkey: RecordKey(idempotencyKey: idempotencyKey), api: api)
    }

    public func engagement(of post: PostedPost, account: ConnectedAccount) async throws -> EngagementCounts {
        let api = BlueskyAPI(baseURL: account.baseURL)
        var session = Session(account: account)
        let response = try await authorized(&session, api) { api.getPosts(uris: [post.id], accessJwt: $0) }
        guard response.succeeded else { throw XRPCError.classify(response, now: now()) }
        let answer = try BlueskyAPI.decode(BlueskyAPI.PostsAnswer.self, from: response)
        guard let view = answer.posts.first(where: { $0.uri == post.id }) else {
            throw ConnectorError(.transient, "the AppView does not show \(post.id) (not indexed yet, or deleted)", status: response.status)
        }
        return view.counts
    }

    public func check(_ account: ConnectedAccount) async throws -> AccountProfile {
        let api = BlueskyAPI(baseURL: account.baseURL)
        var session = Session(account: account)
        let actor = try await repoIdentifier(&session, api)
        let response = try await authorized(&session, api) { api.getProfile(actor: actor, accessJwt: $0) }
        guard response.succeeded else { throw XRPCError.classify(response, now: now()) }
        let profile = try BlueskyAPI.decode(BlueskyAPI.ProfileAnswer.self, from: response)
        return AccountProfile(id: profile.did, handle: profile.handle, followers: profile.followersCount)
    }

    // MARK: - Records and handles

    /// The post under `rkey` in `repo`; nil when the PDS says there is none (`RecordNotFound`).
    func existingPost(repo: String, rkey: RecordKey, api: BlueskyAPI) async throws -> PostedPost? {
        let response = try await http.send(api.getRecord(repo: repo, rkey: rkey))
        if response.succeeded {
            let found = try BlueskyAPI.decode(BlueskyAPI.RecordAnswer.self, from: response)
            return PostedPost(id: found.uri, url: BlueskyAPI.webURL(forPost: found.uri), cid: found.cid)
        }
        let body = XRPCError(response)
        if response.status == 400, body?.error == "RecordNotFound" || (body?.message ?? "").contains("Could not locate record") {
            return nil
        }
        throw XRPCError.classify(response, now: now())
    }

    /// The DID `handle` resolves to; nil when it does not resolve (the mention then stays plain text).
    func resolve(handle: String, api: BlueskyAPI) async throws -> String? {
        let response = try await http.send(api.resolveHandle(handle))
        if response.succeeded { return try BlueskyAPI.decode(BlueskyAPI.ResolvedHandle.self, from: response).did }
        if response.status == 400 || response.status == 404 { return nil }
        throw XRPCError.classify(response, now: now())
    }

    /// The account's repo: its handle or DID as connected, else the DID of its session.
    func repoIdentifier(_ session: inout Session, _ api: BlueskyAPI) async throws -> String {
        if let handle = session.account.handle, !handle.isEmpty { return handle }
        if let did = session.did { return did }
        let response = try await authorized(&session, api) { api.getSession(accessJwt: $0) }
        guard response.succeeded else { throw XRPCError.classify(response, now: now()) }
        let info = try BlueskyAPI.decode(BlueskyAPI.SessionInfo.self, from: response)
        session.did = info.did
        return info.did
    }
}
