import Connectors
import Foundation

/// The OAuth 2.0 apps registered with X and LinkedIn that the back office connects accounts through, read once at the
/// edge from `HERALD_X_CLIENT_ID`, `HERALD_X_CLIENT_SECRET`, `HERALD_X_API_URL`, `HERALD_LINKEDIN_CLIENT_ID`,
/// `HERALD_LINKEDIN_CLIENT_SECRET`, `HERALD_LINKEDIN_API_URL`.
///
/// Register `<HERALD_PUBLIC_URL>/app/accounts/oauth/callback` as the app's redirect URI.
public struct OAuthApps: Sendable {
    /// One platform's app.
    public struct App: Sendable, Equatable {
        /// The app's OAuth 2.0 client id; nil: not configured.
        public var clientID: String?
        /// The app's client secret; nil for a public client (X allows one; LinkedIn needs a secret).
        public var clientSecret: String?
        /// The platform API's base URL (`https://api.x.com`, `https://api.linkedin.com`, or a stand-in's, whose OAuth
        /// endpoints are under it too, as ``Connectors/OAuthProvider/forAccount(_:apiBaseURL:)`` says).
        public var apiBaseURL: String

        public init(clientID: String? = nil, clientSecret: String? = nil, apiBaseURL: String) {
            self.clientID = clientID
            self.clientSecret = clientSecret
            self.apiBaseURL = apiBaseURL
        }
    }

    public var x: App
    public var linkedIn: App

    public init(x: App = App(apiBaseURL: "https://api.x.com"), linkedIn: App = App(apiBaseURL: "https://api.linkedin.com")) {
        self.x = x
        self.linkedIn = linkedIn
    }

    /// The apps the environment names; empty variables count as unset.
    public init(environment: [String: String]) {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        x = App(
            clientID: value("HERALD_X_CLIENT_ID"),
            clientSecret: value("HERALD_X_CLIENT_SECRET"),
            apiBaseURL: value("HERALD_X_API_URL") ?? "https://api.x.com"
        )
        linkedIn = App(
            clientID: value("HERALD_LINKEDIN_CLIENT_ID"),
            clientSecret: value("HERALD_LINKEDIN_CLIENT_SECRET"),
            apiBaseURL: value("HERALD_LINKEDIN_API_URL") ?? "https://api.linkedin.com"
        )
    }

    /// The app for `kind` (X or LinkedIn), nil for other kinds.
    public func app(for kind: AccountKind) -> App? {
        switch kind {
        case .x: x
        case .linkedin: linkedIn
        default: nil
        }
    }

    /// What is missing to connect `kind` through the browser, naming the variables to set; nil when nothing is.
    public func missing(for kind: AccountKind) -> String? {
        guard let app = app(for: kind) else { return "\(kind.rawValue) accounts do not sign in with OAuth 2.0" }
        let prefix = kind == .x ? "HERALD_X" : "HERALD_LINKEDIN"
        var variables: [String] = []
        if app.clientID == nil { variables.append("\(prefix)_CLIENT_ID") }
        // LinkedIn's token endpoint takes confidential clients only.
        if kind == .linkedin, app.clientSecret == nil { variables.append("\(prefix)_CLIENT_SECRET") }
        guard !variables.isEmpty else { return nil }
        return "set \(variables.joined(separator: " and ")) on the server (the app's OAuth 2.0 credentials) and restart it"
    }
}
