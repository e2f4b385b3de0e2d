import Foundation
import Hummingbird
import NIOCore

/// How the back office signs people in and how long their sessions last.
public struct WebSettings: Sendable {
    /// How long a session lasts without a request.
    public var sessionIdle: Duration
    /// How long a session lasts at most, however active.
    public var sessionLifetime: Duration
    /// Failed sign-ins allowed per account and per client address before `429`.
    public var signInLimit: SignInLimit
    /// The bcrypt cost of passwords set through invitations (each step doubles the work; 12 by default).
    public var passwordCost: UInt8
    /// The address people reach Herald at (`HERALD_PUBLIC_URL`); when it is https, cookies are Secure.
    public var publicURL: String?
    /// The X and LinkedIn apps accounts are connected through from the accounts page (unset: the page says what to set).
    public var oauthApps: OAuthApps

    public init(
        sessionIdle: Duration = .seconds(8 * 3_600),
        sessionLifetime: Duration = .seconds(7 * 86_400),
        signInLimit: SignInLimit = SignInLimit(),
        passwordCost: UInt8 = Passwords.defaultCost,
        publicURL: String? = nil,
        oauthApps: OAuthApps = OAuthApps()
    ) {
        self.sessionIdle = sessionIdle
        self.sessionLifetime = sessionLifetime
        self.signInLimit = signInLimit
        self.passwordCost = passwordCost
        self.publicURL = publicURL
        self.oauthApps = oauthApps
    }
}

/// How many failed sign-ins are allowed within a window, per account and per client address.
public struct SignInLimit: Sendable {
    public var perAccount: Int
    public var perAddress: Int
    public var window: Duration

    public init(perAccount: Int = 5, perAddress: Int = 20, window: Duration = .seconds(15 * 60)) {
        self.perAccount = perAccount
        self.perAddress = perAddress
        self.window = window
    }
}

/// Where a request came from, as the server in front of the back office knows it (it knows its trusted proxies).
public struct RequestOrigin: Sendable {
    /// The client's address (for rate limiting; never stored with a person).
    public var clientAddress: @Sendable (Request, SocketAddress?) -> String
    /// Whether the request reached the front proxy over HTTPS (`X-Forwarded-Proto` from a trusted proxy).
    public var cameOverHTTPS: @Sendable (Request, SocketAddress?) -> Bool

    public init(
        clientAddress: @escaping @Sendable (Request, SocketAddress?) -> String = { _, peer in peer?.ipAddress ?? "" },
        cameOverHTTPS: @escaping @Sendable (Request, SocketAddress?) -> Bool = { _, _ in false }
    ) {
        self.clientAddress = clientAddress
        self.cameOverHTTPS = cameOverHTTPS
    }
}
