import Connectors
import Foundation
import HeraldCore

/// A connected account as Herald shows it: never its credentials (they stay sealed in the database; only
/// ``AccountStore/connected(_:)`` opens them, for a connector).
public struct StoredAccount: Sendable, Equatable {
    public var id: UUID
    public var workspace: WorkspaceID
    /// The name the workspace gave it (`brand`), unique in the workspace.
    public var name: String
    public var kind: AccountKind
    /// The platform's base URL (instance, PDS, API, or the webhook's URL).
    public var baseURL: String
    /// The platform's name for the account, when known.
    public var handle: String?
    public var health: AccountHealth
    /// Why the account is not ok (the platform's message), or why it was not checked.
    public var reason: String?
    /// For ``AccountHealth/rateLimited``: when the platform's limit resets.
    public var rateLimitedUntil: Date?
    /// Followers when last checked.
    public var followers: Int?
    /// How fast Herald posts through it.
    public var pace: AccountPace

    public init(
        id: UUID,
        workspace: WorkspaceID,
        name: String,
        kind: AccountKind,
        baseURL: String,
        handle: String? = nil,
        health: AccountHealth = .ok,
        reason: String? = nil,
        rateLimitedUntil: Date? = nil,
        followers: Int? = nil,
        pace: AccountPace
    ) {
        self.id = id
        self.workspace = workspace
        self.name = name
        self.kind = kind
        self.baseURL = baseURL
        self.handle = handle
        self.health = health
        self.reason = reason
        self.rateLimitedUntil = rateLimitedUntil
        self.followers = followers
        self.pace = pace
    }
}
