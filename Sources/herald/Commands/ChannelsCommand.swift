import ArgumentParser
import Connectors
import Foundation
import HTTPAPI
import HeraldCore
import Storage
import WebApp

/// `herald channels`: the workspace's connected platform accounts (credentials sealed under the secret key).
struct ChannelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "channels",
        abstract: "Connect, list and remove the platform accounts campaigns publish through.",
        discussion: """
            Secrets are read from the environment variables the flags name (never from the command line), and stored \
            encrypted (AES-GCM) under HERALD_SECRET_KEY (base64 of 32 bytes: openssl rand -base64 32) or, without it, \
            the key file HERALD_HOME/secret.key (created with mode 0600). Connecting a name again reconnects that account.
            """,
        subcommands: [Connect.self, List.self, Remove.self]
    )

    /// Options every `channels connect <kind>` takes.
    struct ConnectOptions: ParsableArguments {
        @OptionGroup var common: CommonOptions
        @Option(help: "The account's name in the workspace (lowercase letters, digits, hyphens), as campaign files name it.")
        var name: String
        @Option(help: "Posts an hour at most, on average (default: the kind's, below the platform's limit).") var perHour: Double?
        @Option(help: "Posts sent back to back at most (default: the kind's).") var burst: Double?
        @Flag(help: "Print the account as JSON.") var json = false

        /// The pace the flags give, or nil (the kind's default, or a reconnected account's own).
        func pace(kind: AccountKind) throws -> AccountPace? {
            guard perHour != nil || burst != nil else { return nil }
            let pace = AccountPace(perHour: perHour ?? kind.defaultPace.perHour, burst: burst ?? kind.defaultPace.burst)
            try AccountStore.validate(pace)
            return pace
        }
    }

    struct Connect: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Connect an account (checked with the platform where this build has its connector).",
            subcommands: [Mastodon.self, Bluesky.self, Webhook.self, X.self, LinkedIn.self]
        )
    }

    struct Mastodon: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "mastodon",
            abstract: "Connect a Mastodon account with an access token of an application registered on its instance.",
            discussion: "Register an application under Preferences > Development with the scopes read and write:statuses, write:media."
        )
        @OptionGroup var options: ConnectOptions
        @Option(help: "The instance's URL, e.g. https://mastodon.social.") var instance: String
        @Option(help: "The environment variable holding the access token.") var tokenEnv: String

        func run() async throws {
            let configuration = options.common.configuration()
            let token = try configuration.secret(tokenEnv, flag: "--token-env", what: "the Mastodon access token")
            try await ChannelsCommand.connect(
                options,
                kind: .mastodon,
                baseURL: instance,
                handle: nil,
                credentials: Credentials(accessToken: token)
            )
        }
    }

    struct Bluesky: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "bluesky",
            abstract: "Connect a Bluesky account with an app password (Settings > Privacy and security > App passwords)."
        )
        @OptionGroup var options: ConnectOptions
        @Option(help: "The account's PDS, e.g. https://bsky.social.") var service: String
        @Option(help: "The account's handle (alice.bsky.social) or DID.") var handle: String
        @Option(help: "The environment variable holding the app password.") var appPasswordEnv: String

        func run() async throws {
            let configuration = options.common.configuration()
            let password = try configuration.secret(appPasswordEnv, flag: "--app-password-env", what: "the Bluesky app password")
            try await ChannelsCommand.connect(
                options,
                kind: .bluesky,
                baseURL: service,
                handle: handle,
                credentials: Credentials(appPassword: password)
            )
        }
    }

    struct Webhook: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "webhook",
            abstract: "Connect a webhook (Slack, Zapier, Make, n8n, any HTTP endpoint); posts are signed with HMAC-SHA256."
        )
        @OptionGroup var options: ConnectOptions
        @Option(help: "The URL posts are sent to.") var url: String
        @Option(help: "The environment variable holding the signing secret.") var secretEnv: String

        func run() async throws {
            let configuration = options.common.configuration()
            let secret = try configuration.secret(secretEnv, flag: "--secret-env", what: "the webhook's signing secret")
            try await ChannelsCommand.connect(options, kind: .webhook, baseURL: url, handle: nil, credentials: Credentials(signingSecret: secret))
        }
    }

    /// The flags of the OAuth 2.0 platforms (X, LinkedIn).
    struct OAuthOptions: ParsableArguments {
        @Option(help: "The environment variable holding an OAuth 2.0 user access token.") var accessTokenEnv: String?
        @Option(help: "The environment variable holding its refresh token.") var refreshTokenEnv: String?
        @Option(help: "The environment variable holding the app's OAuth 2.0 client id (default: HERALD_X_CLIENT_ID or HERALD_LINKEDIN_CLIENT_ID).")
        var clientIdEnv: String?
        @Option(
            help: "The environment variable holding the app's client secret (default: HERALD_X_CLIENT_SECRET or HERALD_LINKEDIN_CLIENT_SECRET)."
        )
        var clientSecretEnv: String?
        @Option(help: "The platform's name for the account (X user id, LinkedIn author URN), when not checked.") var handle: String?
        @Option(
            help: "Without --access-token-env: the loopback port of the redirect registered for the app (http://127.0.0.1:PORT/callback)."
        )
        var redirectPort: Int = 8765

        /// The credentials the named variables hold, or, without an access token, the ones a sign-in through the browser
        /// gives (OAuth 2.0 authorization code with PKCE, the code received on a loopback redirect).
        ///
        /// The app's client id and secret come from the flags' variables, else from the variables `herald serve` reads
        /// for the back office's sign-in (``OAuthApps``), so one app's credentials serve both.
        func credentials(_ configuration: HeraldConfiguration, kind: AccountKind, api: String, platform: String) async throws -> Credentials {
            func optional(_ name: String?, _ flag: String, _ what: String) throws -> String? {
                try name.map { try configuration.secret($0, flag: flag, what: what) }
            }
            let app = OAuthApps(environment: configuration.environment).app(for: kind)
            let clientID = try optional(clientIdEnv, "--client-id-env", "the \(platform) app's client id") ?? app?.clientID
            let clientSecret = try optional(clientSecretEnv, "--client-secret-env", "the \(platform) app's client secret") ?? app?.clientSecret
            guard let accessTokenEnv else {
                guard let clientID else {
                    let variable = kind == .x ? "HERALD_X_CLIENT_ID" : "HERALD_LINKEDIN_CLIENT_ID"
                    throw CommandFailure(
                        message: "to sign in to \(platform) through the browser set \(variable) or pass --client-id-env VAR (the app's OAuth 2.0 "
                            + "client id) and register http://127.0.0.1:\(redirectPort)/callback as its redirect; or pass --access-token-env VAR"
                    )
                }
                guard let provider = OAuthProvider.forAccount(kind, apiBaseURL: api) else {
                    throw CommandFailure(message: "\(platform) accounts do not sign in with OAuth 2.0")
                }
                var credentials = try await OAuthAuthorization.authorize(
                    provider: provider,
                    clientID: clientID,
                    clientSecret: clientSecret,
                    http: PlatformHTTP(),
                    port: redirectPort
                ) { url in
                    FileHandle.standardError.write(Data("Open this address in a browser to let Herald post as you on \(platform):\n\(url)\n".utf8))
                }
                credentials.clientID = clientID
                credentials.clientSecret = clientSecret
                return credentials
            }
            return Credentials(
                accessToken: try configuration.secret(accessTokenEnv, flag: "--access-token-env", what: "the \(platform) access token"),
                refreshToken: try optional(refreshTokenEnv, "--refresh-token-env", "the \(platform) refresh token"),
                clientID: clientID,
                clientSecret: clientSecret
            )
        }
    }

    struct X: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "x",
            abstract: "Connect an X account with OAuth 2.0 user tokens (scopes tweet.read tweet.write users.read offline.access)."
        )
        @OptionGroup var options: ConnectOptions
        @OptionGroup var oauth: OAuthOptions
        @Option(help: "The API's base URL (default: HERALD_X_API_URL, else https://api.x.com).") var api: String?

        func run() async throws {
            let configuration = try options.common.configuration()
            let api = api ?? OAuthApps(environment: configuration.environment).x.apiBaseURL
            let credentials = try await oauth.credentials(configuration, kind: .x, api: api, platform: "X")
            try await ChannelsCommand.connect(options, kind: .x, baseURL: api, handle: oauth.handle, credentials: credentials)
        }
    }

    struct LinkedIn: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "linkedin",
            abstract: "Connect a LinkedIn member or organization with OAuth 2.0 tokens (scopes openid profile w_member_social)."
        )
        @OptionGroup var options: ConnectOptions
        @OptionGroup var oauth: OAuthOptions
        @Option(help: "The API's base URL (default: HERALD_LINKEDIN_API_URL, else https://api.linkedin.com).") var api: String?

        func run() async throws {
            let configuration = try options.common.configuration()
            let api = api ?? OAuthApps(environment: configuration.environment).linkedIn.apiBaseURL
            let credentials = try await oauth.credentials(configuration, kind: .linkedin, api: api, platform: "LinkedIn")
            try await ChannelsCommand.connect(options, kind: .linkedin, baseURL: api, handle: oauth.handle, credentials: credentials)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the workspace's accounts and their health (never their credentials).")
        @OptionGroup var options: CommonOptions
        @Flag(help: "Print JSON: [{\"name\", \"kind\", \"health\", \"reason\", ...}].") var json = false

        func run() async throws {
            let secrets = try options.configuration().secrets()
            let accounts = try await options.session().run { database, workspace in
                try await AccountStore(database, workspace: workspace, secrets: secrets).list()
            }
            if json {
                print(try Terminal.json(accounts.map(AccountResponse.init)))
                return
            }
            if accounts.isEmpty { Terminal.error("herald: no accounts connected; connect one with `herald channels connect <kind> --name NAME ...`") }
            for account in accounts { print(ChannelsCommand.line(account)) }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove an account and its stored credentials.")
        @OptionGroup var options: CommonOptions
        @Argument(help: "The account's name.") var name: String

        func run() async throws {
            let secrets = try options.configuration().secrets()
            let name = name
            try await options.session().run { database, workspace in
                try await AccountStore(database, workspace: workspace, secrets: secrets).remove(name: name)
            }
            print("removed account \"\(name)\"")
        }
    }

    /// One account as a line of text.
    static func line(_ account: StoredAccount) -> String {
        var health = account.health.rawValue
        if let until = account.rateLimitedUntil, account.health == .rateLimited { health += " until \(Timestamp.format(until))" }
        if let reason = account.reason { health += ": \(reason)" }
        return
            "\(account.name.padding(toLength: 16, withPad: " ", startingAt: 0)) \(account.kind.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) "
            + "\(account.handle ?? "-")  \(account.baseURL)  \(health)"
    }

    /// Checks the account with its platform (when this build has its connector), then stores it sealed, and says what
    /// happened. A refusal of the credentials stores nothing.
    static func connect(_ options: ConnectOptions, kind: AccountKind, baseURL: String, handle: String?, credentials: Credentials) async throws {
        let configuration = options.common.configuration()
        let secrets = try configuration.secrets()
        let pace = try options.pace(kind: kind)
        let name = options.name
        let check = AccountChecks.available(for: kind)
        let (stored, outcome) = try await options.common.session().run { database, workspace in
            do {
                return try await AccountStore(database, workspace: workspace, secrets: secrets).connect(
                    name: name,
                    kind: kind,
                    baseURL: baseURL,
                    handle: handle,
                    credentials: credentials,
                    pace: pace,
                    check: check
                )
            } catch let error as ConnectorError {
                throw CommandFailure(message: error.message)
            }
        }
        if options.json {
            print(try Terminal.json(AccountResponse(stored)))
        } else {
            print(
                "connected \(kind.rawValue) account \"\(stored.name)\" (workspace \(configuration.workspace)): \(stored.health.rawValue), \(outcome.summary)"
            )
        }
    }
}
