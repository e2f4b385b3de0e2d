import Foundation

/// Publishes to one kind of platform account, speaking the platform's documented API.
///
/// A connector does I/O (HTTP) and nothing else: what is posted is decided before it is called (``OutgoingPost``,
/// already checked against its channel's rules), and what its answers mean is decided by pure parts beside it (each
/// platform's error classification and rate-limit headers). Every method throws ``ConnectorError`` (any other error
/// is a bug in the connector and is treated as transient by the caller).
///
/// Credentials can change while a connector works (an OAuth refresh, a new Bluesky session): the connector then calls
/// ``ConnectedAccount/saveCredentials`` before using them, so a crash never loses a rotated refresh token.
public protocol ChannelConnector: Sendable {
    /// The kind of account this connector publishes to.
    var kind: AccountKind { get }

    /// How an attempt whose outcome is unknown is settled (default: ``Reconciliation/lookUp``).
    var reconciliation: Reconciliation { get }

    /// Publishes `post` once. The idempotency key is the publication's, the same on every retry: platforms that
    /// honour one (Mastodon's `Idempotency-Key`, Bluesky's record key, webhooks) answer a repeat with the first post.
    ///
    /// - Returns: The platform's id and URL of the post.
    /// - Throws: ``ConnectorError`` classified (transient, rate_limited, auth, rejected_content, unknown_outcome).
    func publish(_ post: OutgoingPost, idempotencyKey: String, account: ConnectedAccount) async throws -> PostedPost

    /// Looks for a post an earlier attempt may have made (its outcome is unknown: a timeout, or a worker killed
    /// between the platform's answer and Herald's record of it): by idempotency key, record key, or the account's
    /// recent posts carrying the post's tracking link.
    ///
    /// - Returns: The post when it exists; nil only when it certainly does not.
    /// - Throws: ``ConnectorError`` when the platform cannot say (then nothing is posted again).
    func lookUp(_ post: OutgoingPost, idempotencyKey: String, account: ConnectedAccount) async throws -> PostedPost?

    /// The post's engagement counts now.
    func engagement(of post: PostedPost, account: ConnectedAccount) async throws -> EngagementCounts

    /// Checks the account's credentials against the platform (on connect, and after a refresh fails).
    ///
    /// - Returns: What the platform says about the account (its handle, followers).
    func check(_ account: ConnectedAccount) async throws -> AccountProfile
}

/// How a connector settles an attempt whose outcome is unknown.
public enum Reconciliation: Sendable {
    /// Look the post up (``ChannelConnector/lookUp(_:idempotencyKey:account:)``) and post again only when it is
    /// certainly absent.
    case lookUp
    /// Send again with the same idempotency key: the receiver keeps the first and answers a repeat with it (webhook
    /// receivers must de-duplicate by `Idempotency-Key`).
    case resendWithKey
}

extension ChannelConnector {
    /// How this connector settles an unknown outcome: by looking the post up, unless it says otherwise.
    public var reconciliation: Reconciliation { .lookUp }
}
