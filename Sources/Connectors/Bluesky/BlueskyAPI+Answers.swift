import Foundation

extension BlueskyAPI {
    /// The answer of `createSession` and `refreshSession`.
    public struct SessionAnswer: Decodable, Sendable, Equatable {
        public var accessJwt: String
        public var refreshJwt: String
        public var handle: String
        public var did: String
    }

    /// The answer of `getSession`.
    public struct SessionInfo: Decodable, Sendable, Equatable {
        public var handle: String
        public var did: String
    }

    /// The answer of `resolveHandle`.
    public struct ResolvedHandle: Decodable, Sendable, Equatable {
        public var did: String
    }

    /// The answer of `uploadBlob`.
    public struct UploadedBlob: Decodable, Sendable, Equatable {
        public var blob: BlueskyBlob
    }

    /// The answer of `createRecord` and `getRecord` (its `value` is not read).
    public struct RecordAnswer: Decodable, Sendable, Equatable {
        public var uri: String
        public var cid: String?
    }

    /// The answer of `getPosts`: post views with their counts (`app.bsky.feed.defs#postView`).
    public struct PostsAnswer: Decodable, Sendable, Equatable {
        public var posts: [PostView]

        /// One post view; counts are absent when zero on some AppViews.
        public struct PostView: Decodable, Sendable, Equatable {
            public var uri: String
            public var cid: String?
            public var likeCount: Int?
            public var repostCount: Int?
            public var replyCount: Int?
            public var quoteCount: Int?

            /// The counts as Herald keeps them: reposts and quotes are shares; Bluesky gives no impressions.
            public var counts: EngagementCounts {
                EngagementCounts(
                    likes: likeCount ?? 0,
                    shares: (repostCount ?? 0) + (quoteCount ?? 0),
                    comments: replyCount ?? 0,
                    impressions: nil
                )
            }
        }
    }

    /// The answer of `getProfile` (`app.bsky.actor.defs#profileViewDetailed`).
    public struct ProfileAnswer: Decodable, Sendable, Equatable {
        public var did: String
        public var handle: String
        public var followersCount: Int?
    }

    /// Decodes a successful answer's body.
    ///
    /// - Throws: ``ConnectorError`` of `kind` when the body is not what the lexicon says.
    public static func decode<T: Decodable>(_ type: T.Type, from response: PlatformResponse, kind: ConnectorError.Kind = .transient) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: response.body)
        } catch {
            throw ConnectorError(
                kind,
                "unexpected answer from the PDS (HTTP \(response.status)): \(response.text(limit: 200))",
                status: response.status
            )
        }
    }
}
