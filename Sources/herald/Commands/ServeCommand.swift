import ArgumentParser
import Foundation
import HTTPAPI
import HeraldCore
import Hummingbird
import Logging
import ServiceLifecycle
import UnixSignals
import Storage

/// `herald serve`: the HTTP service, with a worker and the scheduler in the same process unless `--no-worker`.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the HTTP API, tracking links and metrics (with a worker unless --no-worker) until SIGTERM/SIGINT."
    )

    @OptionGroup var options: CommonOptions
    @Option(help: "Address to listen on (default: HERALD_HOST or 127.0.0.1; 0.0.0.0 for every interface).") var host: String?
    @Option(help: "Port to listen on (default: HERALD_PORT or 8080).") var port: Int?
    @Option(help: "Most events per POST /v1/events (default: HERALD_MAX_BATCH or 10000).") var maxBatch: Int?
    @Option(help: "Largest request body in bytes (default: HERALD_MAX_BODY_BYTES or 8388608).") var maxBodyBytes: Int?
    @Option(help: "The URL clients reach this service at, for tracking links (default: HERALD_PUBLIC_URL or http://host:port).")
    var publicURL: String?
    @Flag(help: "Serve only: run no worker or scheduler in this process.") var noWorker = false
    @OptionGroup(title: "Worker (unless --no-worker)") var worker: WorkerOptions

    func settings(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ServerSettings {
        func number(_ flag: Int?, _ variable: String, _ fallback: Int) throws -> Int {
            if let flag { return flag }
            guard let text = environment[variable], !text.isEmpty else { return fallback }
            guard let value = Int(text) else { throw HeraldCore.ValidationError(location: variable, field: "", reason: "\"\(text)\" is not a whole number") }
            return value
        }
        let settings = ServerSettings(
            host: host ?? environment["HERALD_HOST"].flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1",
            port: try number(port, "HERALD_PORT", 8080),
            maximumBatchRows: try number(maxBatch, "HERALD_MAX_BATCH", 10_000),
            maximumBodyBytes: try number(maxBodyBytes, "HERALD_MAX_BODY_BYTES", 8 << 20),
            publicURL: publicURL ?? environment["HERALD_PUBLIC_URL"].flatMap { $0.isEmpty ? nil : $0 }
        )
        guard (0...65_535).contains(settings.port) else {
            throw HeraldCore.ValidationError(field: "port", reason: "\(settings.port) is not a port (0 to 65535)")
        }
        guard settings.maximumBatchRows >= 1, settings.maximumBodyBytes >= 1_024 else {
            throw HeraldCore.ValidationError(field: "max-batch", reason: "the batch limit must be at least 1 row and the body limit at least 1024 bytes")
        }
        return settings
    }

    func run() async throws {
        let configuration = options.configuration()
        let settings = try settings()
        let logger = Logger(label: "herald.serve")
        try await options.session().run { database, _ in
            let services = noWorker ? [] : try worker.services(database: database, configuration: configuration, logger: logger)
            let application = HeraldServer.buildApplication(database: database, settings: settings, services: services, logger: logger) { port in
                // One line on standard output so scripts (and tests) learn the port when it was 0.
                FileHandle.standardOutput.write(Data("herald: serving on http://\(settings.host):\(port)\n".utf8))
            }
            try await application.runService(gracefulShutdownSignals: [.sigterm, .sigint])
        }
    }
}

/// `herald tokens`: API tokens of a workspace.
struct TokensCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens",
        abstract: "Create, list and revoke API tokens (stored hashed; a secret is shown once).",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a token; prints the secret once.")
        @OptionGroup var options: CommonOptions
        @Option(help: "admin, editor or viewer.") var role: String
        @Option(help: "A name to recognise the token by.") var name: String = ""
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let role = try TokenRole.parse(role)
            let name = name
            let created = try await options.session().run { database, workspace in
                try await TokenStore(database).create(workspace: workspace, role: role, name: name)
            }
            if json {
                print(try Terminal.json(["token": created.secret, "id": created.token.id.uuidString.lowercased(), "role": role.rawValue]))
            } else {
                print(created.secret)
                Terminal.error("herald: \(role.rawValue) token \(created.token.id.uuidString.lowercased()) for workspace \(options.configuration().workspace); it is not shown again")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the workspace's tokens (never their secrets).")
        @OptionGroup var options: CommonOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let tokens = try await options.session().run { database, workspace in try await TokenStore(database).list(workspace: workspace) }
            if json {
                print(try Terminal.json(tokens))
                return
            }
            for token in tokens {
                let state = token.revokedAt == nil ? "active" : "revoked"
                print("\(token.id.uuidString.lowercased())  \(token.role.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0))  \(token.prefix)…  \(state)  \(token.name)")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token by id; requests with it are refused at once.")
        @OptionGroup var options: CommonOptions
        @Argument(help: "The token's id (from `herald tokens list`).") var id: String

        func run() async throws {
            guard let uuid = UUID(uuidString: id) else { throw HeraldCore.ValidationError(field: "id", reason: "\"\(id)\" is not a token id") }
            try await options.session().run { database, workspace in try await TokenStore(database).revoke(uuid, workspace: workspace) }
        }
    }
}
