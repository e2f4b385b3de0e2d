import Connectors
import Foundation
import HeraldCore
import Synchronization

/// Asks a platform about an account (a connector's ``Connectors/ChannelConnector/check(_:)``); throws
/// ``Connectors/ConnectorError`` when the platform refuses or cannot answer.
public typealias AccountCheck = @Sendable (ConnectedAccount) async throws -> AccountProfile

/// What checking an account on connect found.
public enum AccountCheckOutcome: Sendable, Equatable {
    /// The platform answered with the account's profile.
    case checked(AccountProfile)
    /// The platform is rate limiting the account (its message); it was stored as rate_limited.
    case rateLimited(String)
    /// Not checked, and why (no connector for the kind in this build, or the platform did not answer); stored as ok.
    case notChecked(String)

    /// The outcome in a few words, for a person.
    public var summary: String {
        switch self {
        case .checked(let profile): "checked: \(profile.handle)\(profile.followers.map { ", \($0) followers" } ?? "")"
        case .rateLimited(let message): "rate limited by the platform (\(message)); it publishes after the limit resets"
        case .notChecked(let why): "not checked: \(why)"
        }
    }
}

extension AccountStore {
    /// Checks an account with its platform (when `check` is given), then connects it (see
    /// ``connect(name:kind:baseURL:handle:credentials:followers:health:reason:rateLimitedUntil:pace:)``) with what the
    /// check found: the platform's id for the account as its handle, its followers, its health. Credentials the check
    /// changed (a new session) are the ones stored.
    ///
    /// - Parameter check: The kind's connector's check; nil when this build has none (the account is stored unchecked,
    ///   never as if checked).
    /// - Throws: ``ConnectorError`` (kind auth or rejected_content) when the platform refuses the credentials: nothing is
    ///   stored then; what ``connect(name:kind:baseURL:handle:credentials:followers:health:reason:rateLimitedUntil:pace:)`` throws.
    public func connect(
        name: String,
        kind: AccountKind,
        baseURL: String,
        handle: String?,
        credentials: Credentials,
        pace: AccountPace? = nil,
        check: AccountCheck?
    ) async throws -> (account: StoredAccount, check: AccountCheckOutcome) {
        guard Slug.isValid(name) else {
            throw ValidationError(field: "name", reason: "\"\(name)\" must be lowercase letters, digits and hyphens (at most 64)")
        }
        let baseURL = try Self.validated(baseURL: baseURL, kind: kind)
        if let pace { try Self.validate(pace) }
        guard let check else {
            let account = try await connect(
                name: name,
                kind: kind,
                baseURL: baseURL,
                handle: handle,
                credentials: credentials,
                followers: nil,
                pace: pace
            )
            return (account, .notChecked("this build has no \(kind.rawValue) connector yet; handle \(handle ?? "unknown")"))
        }
        let latest = Mutex(credentials)
        let candidate = ConnectedAccount(
            name: name,
            kind: kind,
            baseURL: baseURL,
            handle: handle,
            credentials: credentials,
            saveCredentials: { changed in latest.withLock { $0 = changed } }
        )
        var (handle, followers, health, reason, until) = (handle, Int?.none, AccountHealth.ok, String?.none, Date?.none)
        let outcome: AccountCheckOutcome
        do {
            let profile = try await check(candidate)
            (handle, followers) = (profile.id, profile.followers)
            outcome = .checked(profile)
        } catch let error as ConnectorError {
            switch error.kind {
            case .auth, .rejectedContent:
                throw ConnectorError(
                    error.kind,
                    "\(kind.rawValue) refused the credentials of \"\(name)\": \(error.message); nothing was stored: check them and connect again",
                    status: error.status
                )
            case .rateLimited:
                (health, reason, until) = (.rateLimited, error.message, error.retryAt)
                outcome = .rateLimited(error.message)
            case .transient, .unknownOutcome:
                outcome = .notChecked("\(kind.rawValue) did not answer (\(error.message)); it is checked when it publishes")
            }
        }
        let account = try await connect(
            name: name,
            kind: kind,
            baseURL: baseURL,
            handle: handle,
            credentials: latest.withLock { $0 },
            followers: followers,
            health: health,
            reason: reason,
            rateLimitedUntil: until,
            pace: pace
        )
        return (account, outcome)
    }
}
