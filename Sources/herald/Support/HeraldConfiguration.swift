import ContentVariants
import Foundation
import HeraldCore
import Jobs
import Scheduling
import Storage

#if canImport(Glibc)
import Glibc
#endif

/// Herald's settings, read once from the environment at the edge and passed down; commands apply
/// their flags over them. Nothing else in Herald reads the environment.
struct HeraldConfiguration: Sendable {
    /// `DATABASE_URL`: an existing PostgreSQL server; when nil, Herald runs its own cluster.
    var databaseURL: String?
    /// `HERALD_HOME`: where Herald keeps its own cluster (`pg/`).
    /// Defaults to `~/.herald`, or `/var/lib/herald` as root (the `postgres` user cannot enter `/root`).
    var home: URL
    /// `HERALD_WORKSPACE`: the workspace the CLI works in (default `default`).
    var workspace: String
    /// `HERALD_LOG_LEVEL`: trace, debug, info, notice, warning (default), error, critical.
    var logLevel: String
    /// `HERALD_CLOCK`: `scaled:<origin epoch>:<start ISO 8601>:<rate>` runs time fast-forwarded
    /// (shared by every process given the same value); the wall clock otherwise.
    var clock: any HeraldClock
    /// `HERALD_FAULT_PUBLISH_PAUSE_MS`: fault injection for crash tests, a pause inside publishing.
    var publishPause: Duration?
    /// `HERALD_FAULT_PROBE_PAUSE_MS`: fault injection for crash tests, a pause at the start of each `probe` job (so a
    /// killed worker is caught holding jobs).
    var probePause: Duration?
    /// `HERALD_HOST`, `HERALD_PORT`, ...: the HTTP server's settings (`herald serve`'s flags override them).
    var server: Server
    /// `HERALD_LLM_*`: the LLM endpoint for generated variants (nil: the rule generator), or what is wrong
    /// with the variables (reported by the commands that generate, as before).
    var llm: Result<LLMConfiguration?, ValidationError>
    /// `HERALD_WEBHOOK_*`: the secrets a worker's report jobs may sign webhooks with.
    var webhookSecrets: WebhookSecrets
    /// The environment this was read from: for the variables a command is told to read (`--token-env VAR`) and the
    /// secret key (``secrets()``).
    var environment: [String: String]

    /// Where clients reach Herald, for the tracking links in posts: `HERALD_PUBLIC_URL`, else `http://localhost:8080`.
    var publicURL: String { server.publicURL ?? CampaignFire.defaultPublicURL }

    /// The HTTP server's settings as the environment gives them; empty variables count as unset.
    struct Server: Sendable {
        /// `HERALD_HOST`: the address to listen on.
        var host: String?
        /// `HERALD_PORT`, as given (read by ``port()``).
        var portText: String?
        /// `HERALD_MAX_BATCH`, as given (read by ``maximumBatchRows()``).
        var maximumBatchRowsText: String?
        /// `HERALD_MAX_BODY_BYTES`, as given (read by ``maximumBodyBytes()``).
        var maximumBodyBytesText: String?
        /// `HERALD_PUBLIC_URL`: the URL clients reach the service at.
        var publicURL: String?
        /// `HERALD_TRACKING_DEDUP_SECONDS`, as given (read by ``trackingDeduplicationSeconds()``).
        var trackingDeduplicationText: String?
        /// `HERALD_TRUSTED_PROXIES`: comma-separated addresses of reverse proxies whose `X-Forwarded-For` is believed.
        var trustedProxies: Set<String>
        /// `HERALD_INGEST_DEADLINE_SECONDS`, as given (read by ``ingestDeadlineSeconds()``).
        var ingestDeadlineText: String?
        /// `HERALD_HEADER_TIMEOUT_SECONDS`, `HERALD_IDLE_TIMEOUT_SECONDS`, `HERALD_BODY_TIMEOUT_SECONDS`,
        /// `HERALD_MAX_CONNECTIONS`, `HERALD_TOKEN_FAILURES`, `HERALD_TOKEN_FAILURE_WINDOW_SECONDS`, as given (read by
        /// ``frontDoor(_:)``).
        var frontDoorTexts: [String: String]

        init(environment: [String: String]) {
            func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
            host = value("HERALD_HOST")
            portText = value("HERALD_PORT")
            maximumBatchRowsText = value("HERALD_MAX_BATCH")
            maximumBodyBytesText = value("HERALD_MAX_BODY_BYTES")
            publicURL = value("HERALD_PUBLIC_URL")
            trackingDeduplicationText = value("HERALD_TRACKING_DEDUP_SECONDS")
            ingestDeadlineText = value("HERALD_INGEST_DEADLINE_SECONDS")
            trustedProxies = Set(
                (value("HERALD_TRUSTED_PROXIES") ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            )
            frontDoorTexts = [:]
            for variable in FrontDoor.allCases { frontDoorTexts[variable.rawValue] = value(variable.rawValue) }
        }

        /// The front door's settings the environment may give: timeouts in whole seconds, counts.
        enum FrontDoor: String, CaseIterable {
            /// How long a new connection may take to send its first request head.
            case headerTimeoutSeconds = "HERALD_HEADER_TIMEOUT_SECONDS"
            /// How long a kept-alive connection may sit idle.
            case idleTimeoutSeconds = "HERALD_IDLE_TIMEOUT_SECONDS"
            /// How long a request body may take to arrive.
            case bodyTimeoutSeconds = "HERALD_BODY_TIMEOUT_SECONDS"
            /// The most connections open at once.
            case maximumConnections = "HERALD_MAX_CONNECTIONS"
            /// Failed token attempts allowed per client address and per token prefix in the window (0: no limit).
            case tokenFailures = "HERALD_TOKEN_FAILURES"
            /// The window the failed token attempts are counted over.
            case tokenFailureWindowSeconds = "HERALD_TOKEN_FAILURE_WINDOW_SECONDS"
        }

        /// The value of a front-door variable, or nil when unset.
        ///
        /// - Throws: ``ValidationError`` naming the variable when it is not a whole number, or below 1 (below 0 for
        ///   `HERALD_TOKEN_FAILURES`, where 0 turns the limit off).
        func frontDoor(_ variable: FrontDoor) throws(ValidationError) -> Int? {
            guard let value = try Self.wholeNumber(frontDoorTexts[variable.rawValue], variable: variable.rawValue) else { return nil }
            let least = variable == .tokenFailures ? 0 : 1
            guard value >= least else {
                throw ValidationError(location: variable.rawValue, field: "", reason: "\(value) is below \(least)")
            }
            return value
        }

        /// `HERALD_PORT`, or nil when unset.
        func port() throws(ValidationError) -> Int? { try Self.wholeNumber(portText, variable: "HERALD_PORT") }
        /// `HERALD_MAX_BATCH`, or nil when unset.
        func maximumBatchRows() throws(ValidationError) -> Int? { try Self.wholeNumber(maximumBatchRowsText, variable: "HERALD_MAX_BATCH") }
        /// `HERALD_MAX_BODY_BYTES`, or nil when unset.
        func maximumBodyBytes() throws(ValidationError) -> Int? { try Self.wholeNumber(maximumBodyBytesText, variable: "HERALD_MAX_BODY_BYTES") }

        /// `HERALD_TRACKING_DEDUP_SECONDS` (0 counts every hit), or nil when unset.
        func trackingDeduplicationSeconds() throws(ValidationError) -> Int? {
            guard let seconds = try Self.wholeNumber(trackingDeduplicationText, variable: "HERALD_TRACKING_DEDUP_SECONDS") else { return nil }
            guard seconds >= 0 else {
                throw ValidationError(location: "HERALD_TRACKING_DEDUP_SECONDS", field: "", reason: "\(seconds) is negative (0 counts every hit)")
            }
            return seconds
        }

        /// `HERALD_INGEST_DEADLINE_SECONDS` (at least 1), or nil when unset.
        func ingestDeadlineSeconds() throws(ValidationError) -> Int? {
            try Self.positive(ingestDeadlineText, variable: "HERALD_INGEST_DEADLINE_SECONDS")
        }

        private static func positive(_ text: String?, variable: String) throws(ValidationError) -> Int? {
            guard let value = try wholeNumber(text, variable: variable) else { return nil }
            guard value >= 1 else { throw ValidationError(location: variable, field: "", reason: "\(value) must be at least 1 second") }
            return value
        }

        private static func wholeNumber(_ text: String?, variable: String) throws(ValidationError) -> Int? {
            guard let text else { return nil }
            guard let value = Int(text) else { throw ValidationError(location: variable, field: "", reason: "\"\(text)\" is not a whole number") }
            return value
        }
    }

    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        let url = environment["DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
        databaseURL = url
        if let home = environment["HERALD_HOME"], !home.isEmpty {
            self.home = URL(fileURLWithPath: home)
        } else if getuid() == 0 {
            home = URL(fileURLWithPath: "/var/lib/herald")
        } else {
            home = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".herald")
        }
        workspace = environment["HERALD_WORKSPACE"].flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        logLevel = environment["HERALD_LOG_LEVEL"] ?? "warning"
        clock = ScaledClock(environment: environment["HERALD_CLOCK"]) ?? SystemClock()
        publishPause = environment["HERALD_FAULT_PUBLISH_PAUSE_MS"].flatMap(Int.init).map { .milliseconds($0) }
        probePause = environment["HERALD_FAULT_PROBE_PAUSE_MS"].flatMap(Int.init).map { .milliseconds($0) }
        server = Server(environment: environment)
        llm = Result { () throws(ValidationError) in try LLMConfiguration(environment: environment) }
        webhookSecrets = WebhookSecrets(environment)
        self.environment = environment
    }

    /// The box that seals accounts' credentials: `HERALD_SECRET_KEY`, else the key file under ``home`` (created when
    /// absent).
    func secrets() throws -> SecretBox {
        try SecretBox.load(environment: environment, home: home)
    }

    /// The value of the environment variable `name`, which a flag (`flag`) named to hold `what`.
    ///
    /// - Throws: ``CommandFailure`` naming the variable when it is unset or empty.
    func secret(_ name: String, flag: String, what: String) throws -> String {
        guard let value = environment[name], !value.isEmpty else {
            throw CommandFailure(message: "environment variable \(name) (named by \(flag)) is not set: it must hold \(what)")
        }
        return value
    }

    /// The folder of the embedded cluster.
    var clusterDirectory: URL { home.appendingPathComponent("pg") }

    /// How many clock seconds pass per wall second (1 for the wall clock).
    var clockRate: Double { (clock as? ScaledClock)?.rate ?? 1 }
}
