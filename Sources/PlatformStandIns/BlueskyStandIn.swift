import Crypto
import Foundation
import Hummingbird
import Synchronization

/// A stand-in for a Bluesky PDS (an AT Protocol personal data server), serving the XRPC endpoints Herald's Bluesky
/// connector uses at `/xrpc/<nsid>`, for tests, benchmarks and rehearsals. It is not Bluesky.
///
/// It follows the published lexicons and docs:
/// - lexicons `com.atproto.server.createSession`, `refreshSession`, `getSession`, `com.atproto.identity.resolveHandle`,
///   `com.atproto.repo.createRecord`, `getRecord`, `uploadBlob`, `app.bsky.feed.getPosts`, `app.bsky.actor.getProfile`,
///   `app.bsky.feed.post` (text at most 300 graphemes / 3000 bytes, `key: tid`), `app.bsky.embed.images` (at most 4
///   images, each with `alt`), `app.bsky.richtext.facet` (bluesky-social/atproto `lexicons/`);
/// - atproto.com/specs/xrpc (error bodies `{"error", "message"}`), specs/tid and specs/record-key;
/// - docs.bsky.app "Posts" and "Links, mentions, and rich text" (advanced-guides/posts, post-richtext), "Rate Limits"
///   (advanced-guides/rate-limits: `RateLimit-Limit`, `-Remaining`, `-Reset` in unix seconds, `-Policy: <limit>;w=<s>`,
///   429 `RateLimitExceeded` "Rate Limit Exceeded");
/// - the reference PDS's answers (bluesky-social/atproto `packages/pds`): an expired access token is **400**
///   `ExpiredToken` "Token has expired", an unverifiable one 400 `InvalidToken` "Token could not be verified", a
///   missing one 401 `AuthMissing`; a wrong password 401 `AuthenticationRequired` "Invalid identifier or password"; a
///   rotated or revoked refresh token 400 `ExpiredToken` "Token has been revoked"; an invalid post 400
///   `InvalidRequest` "Invalid app.bsky.feed.post record: …"; a missing record 400 `RecordNotFound` "Could not locate
///   record: at://…". A `createRecord` under a record key already taken fails: the reference PDS answers 500
///   `InternalServerError` (its repository refuses a second value under one key; bluesky-social/atproto PR #4728 adds
///   an explicit error), which is the default here; ``DuplicateRecordAnswer/recordAlreadyExists`` answers 409
///   `RecordAlreadyExists` instead, as other PDS implementations do.
///
/// As on the reference PDS, access tokens are short-lived and stateless: revoking an app password revokes its refresh
/// tokens (sessions cannot be refreshed) while an access token already issued works until it expires.
/// Cids are computed the way CIDv1 is written (base32 `b…`, sha-256) but over JSON rather than DAG-CBOR.
public final class BlueskyStandIn: Sendable {
    /// How a `createRecord` under a taken record key is answered.
    public enum DuplicateRecordAnswer: Sendable {
        /// 500 `InternalServerError` "Internal Server Error", as the reference PDS does today.
        case internalServerError
        /// 409 `RecordAlreadyExists`, as the explicit error proposed for the lexicon.
        case recordAlreadyExists
    }

    /// A rate-limit window shared by every request (like the PDS's global per-IP limit).
    public struct RateLimit: Sendable {
        public var limit: Int
        public var window: TimeInterval

        public init(limit: Int = 3000, window: TimeInterval = 300) {
            self.limit = limit
            self.window = window
        }
    }

    /// An account on the stand-in.
    public struct Account: Sendable, Equatable {
        public var handle: String
        public var did: String
        /// The account's main password (nil: none can sign in with it).
        public var password: String?
        /// App passwords that may sign in.
        public var appPasswords: Set<String>
        public var followers: Int
    }

    /// A stored record.
    public struct Record: Sendable {
        /// The repo's DID.
        public var repo: String
        public var collection: String
        public var rkey: String
        public var uri: String
        public var cid: String
        /// The record as JSON (with its `$type`).
        public var value: Data

        /// The record read as a post (nil when it is not one).
        public var post: Post? { try? JSONDecoder().decode(Post.self, from: value) }
    }

    /// An `app.bsky.feed.post` record as stored, for tests to inspect.
    public struct Post: Decodable, Sendable, Equatable {
        public var text: String
        public var createdAt: String
        public var facets: [Facet]?
        public var embed: Embed?

        /// A facet as stored.
        public struct Facet: Decodable, Sendable, Equatable {
            public var index: Index
            public var features: [Feature]

            public struct Index: Decodable, Sendable, Equatable {
                public var byteStart: Int
                public var byteEnd: Int
            }

            public struct Feature: Decodable, Sendable, Equatable {
                public var type: String
                public var uri: String?
                public var did: String?
                public var tag: String?
                enum CodingKeys: String, CodingKey {
                    case type = "$type"
                    case uri, did, tag
                }
            }
        }

        /// An embed as stored (images only are read).
        public struct Embed: Decodable, Sendable, Equatable {
            public var type: String
            public var images: [Image]?
            enum CodingKeys: String, CodingKey {
                case type = "$type"
                case images
            }

            public struct Image: Decodable, Sendable, Equatable {
                public var alt: String
                public var image: BlobRef
            }

            public struct BlobRef: Decodable, Sendable, Equatable {
                public var cid: String
                public var mimeType: String
                public var size: Int
                enum CodingKeys: String, CodingKey { case ref, mimeType, size }
                enum LinkKeys: String, CodingKey { case link = "$link" }

                public init(from decoder: any Decoder) throws {
                    let container = try decoder.container(keyedBy: CodingKeys.self)
                    cid = try container.nestedContainer(keyedBy: LinkKeys.self, forKey: .ref).decode(String.self, forKey: .link)
                    mimeType = try container.decode(String.self, forKey: .mimeType)
                    size = try container.decode(Int.self, forKey: .size)
                }
            }
        }

        /// The text a facet covers (by its UTF-8 byte range).
        public func slice(_ facet: Facet) -> String? {
            let bytes = Array(text.utf8)
            guard facet.index.byteStart >= 0, facet.index.byteStart <= facet.index.byteEnd, facet.index.byteEnd <= bytes.count else {
                return nil
            }
            return String(validating: bytes[facet.index.byteStart..<facet.index.byteEnd], as: UTF8.self)
        }
    }

    /// An uploaded blob.
    public struct Blob: Sendable {
        public var cid: String
        /// The uploader's DID.
        public var repo: String
        public var mimeType: String
        public var data: Data
    }

    /// A post's counts, as the AppView would give them.
    public struct Counts: Sendable, Equatable {
        public var likes = 0, reposts = 0, replies = 0, quotes = 0
    }

    struct Token: Sendable {
        enum Kind: Sendable { case access, refresh }
        var did: String
        var kind: Kind
        var expiresAt: Date
        /// The app password the session was opened with (nil: the main password).
        var appPassword: String?
        var revoked = false
    }

    struct State: Sendable {
        var accounts: [Account] = []
        var tokens: [String: Token] = [:]
        var records: [Record] = []
        var blobs: [String: Blob] = [:]
        var counts: [String: Counts] = [:]
        var requests: [String] = []
        var windowStart: Date
        var windowCount = 0
        var lastTID: UInt64 = 0
    }

    /// Faults to inject, per route: the last segment of the NSID (`createRecord`, `uploadBlob`, `refreshSession`, …).
    /// `.answer` replaces the answer (the `RateLimit-*` headers are added unless the fault sets them);
    /// `.storeThenStall` does the work, then waits before answering; `.stallBeforeWork` waits, then answers 503 without
    /// doing anything (the client has given up by then).
    public let faults = StandInFaults()
    let state: Mutex<State>
    let now: @Sendable () -> Date
    let rateLimit: RateLimit
    let duplicateRecordAnswer: DuplicateRecordAnswer
    let blobSizeLimit: Int
    let accessTokenLifetime: TimeInterval
    let refreshTokenLifetime: TimeInterval

    /// - Parameters:
    ///   - rateLimit: the window every request counts against.
    ///   - duplicateRecordAnswer: how a `createRecord` under a taken key is answered.
    ///   - blobSizeLimit: the largest blob `uploadBlob` takes (1,000,000 bytes, the images lexicon's former limit; it
    ///     now says 2 MB); larger uploads get 413 `PayloadTooLarge`.
    ///   - accessTokenLifetime: how long an access token lives (the reference PDS: 2 hours).
    ///   - now: the clock.
    public init(
        rateLimit: RateLimit = RateLimit(),
        duplicateRecordAnswer: DuplicateRecordAnswer = .internalServerError,
        blobSizeLimit: Int = 1_000_000,
        accessTokenLifetime: TimeInterval = 7200,
        refreshTokenLifetime: TimeInterval = 90 * 86400,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.rateLimit = rateLimit
        self.duplicateRecordAnswer = duplicateRecordAnswer
        self.blobSizeLimit = blobSizeLimit
        self.accessTokenLifetime = accessTokenLifetime
        self.refreshTokenLifetime = refreshTokenLifetime
        self.now = now
        self.state = Mutex(State(windowStart: now()))
    }

    // MARK: - Test controls

    /// Adds an account and returns its DID (`did:plc:…`, derived from the handle).
    @discardableResult
    public func addAccount(handle: String, password: String? = nil, appPassword: String? = nil, followers: Int = 0) -> String {
        let did = "did:plc:" + String(ATProtoCID.base32(Array(SHA256.hash(data: Data(handle.lowercased().utf8)))).prefix(24))
        let account = Account(
            handle: handle.lowercased(),
            did: did,
            password: password,
            appPasswords: appPassword.map { [$0] } ?? [],
            followers: followers
        )
        state.withLock { $0.accounts.append(account) }
        return did
    }

    /// Revokes an app password: it no longer signs in, and the sessions opened with it can no longer be refreshed
    /// (their access tokens work until they expire, as on the reference PDS).
    public func revoke(appPassword: String) {
        state.withLock { state in
            for index in state.accounts.indices { state.accounts[index].appPasswords.remove(appPassword) }
            for (token, value) in state.tokens where value.appPassword == appPassword && value.kind == .refresh {
                state.tokens[token]?.revoked = true
            }
        }
    }

    /// Makes a token unverifiable: an access token is then answered `InvalidToken`, a refresh token `ExpiredToken`
    /// "Token has been revoked".
    public func revoke(token: String) {
        state.withLock { $0.tokens[token]?.revoked = true }
    }

    /// Makes a token expired now (answered `ExpiredToken` "Token has expired").
    public func expire(token: String) {
        let now = now()
        state.withLock { $0.tokens[token]?.expiresAt = now.addingTimeInterval(-1) }
    }

    /// Sets a post's counts, as `getPosts` answers them.
    public func setCounts(uri: String, likes: Int = 0, reposts: Int = 0, replies: Int = 0, quotes: Int = 0) {
        state.withLock { $0.counts[uri] = Counts(likes: likes, reposts: reposts, replies: replies, quotes: quotes) }
    }

    /// Sets an account's followers, as `getProfile` answers them.
    public func setFollowers(handle: String, _ followers: Int) {
        state.withLock { state in
            if let index = state.accounts.firstIndex(where: { $0.handle == handle.lowercased() }) { state.accounts[index].followers = followers }
        }
    }

    // MARK: - Inspection

    /// Every stored record, in the order they were written.
    public var records: [Record] { state.withLock { $0.records } }

    /// The posts stored in `repo` (a handle or DID), in order.
    public func posts(in repo: String) -> [Record] {
        state.withLock { state in
            guard let did = Self.account(repo, in: state)?.did else { return [] }
            return state.records.filter { $0.repo == did && $0.collection == "app.bsky.feed.post" }
        }
    }

    /// The uploaded blobs, by cid.
    public var blobs: [String: Blob] { state.withLock { $0.blobs } }

    /// The routes requested, in order (`createSession`, `createRecord`, …).
    public var requests: [String] { state.withLock { $0.requests } }

    /// How many requests `route` got.
    public func requestCount(_ route: String) -> Int {
        state.withLock { $0.requests.filter { $0 == route }.count }
    }

    /// The tokens currently accepted for `handle`'s sessions (access and refresh), for tests that expire or revoke them.
    public func liveTokens(of handle: String) -> (access: [String], refresh: [String]) {
        let now = now()
        return state.withLock { state in
            guard let did = Self.account(handle, in: state)?.did else { return ([], []) }
            let live = state.tokens.filter { $0.value.did == did && !$0.value.revoked && $0.value.expiresAt > now }
            return (live.filter { $0.value.kind == .access }.map(\.key), live.filter { $0.value.kind == .refresh }.map(\.key))
        }
    }

    // MARK: - Helpers

    static func account(_ identifier: String, in state: State) -> Account? {
        let lowered = identifier.lowercased()
        return state.accounts.first { $0.handle == lowered || $0.did == identifier }
    }
}
