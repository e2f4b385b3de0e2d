import ArgumentParser
import Foundation
import HTTPAPI
import HeraldCore
import Jobs
import Storage

/// `herald webhooks add|list|remove`: the workspace's lifecycle webhooks (`publication.published`,
/// `publication.failed`, `account.needs_reconnect`), each event POSTed signed and retried until it is taken.
struct WebhooksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhooks",
        abstract: "Tell a URL when publications are published or fail, or an account needs reconnecting (signed, retried).",
        discussion: """
            Each event is POSTed as JSON {"id", "type", "created_at", "data"} with Herald-Signature: v1=<HMAC-SHA256 of \
            "<Herald-Timestamp>.<body>">, Herald-Timestamp, Herald-Event and Idempotency-Key (the event's id, the same on \
            every retry), and retried with backoff until the receiver answers 2xx. The secret is read by the workers from \
            the environment variable named by --secret-env (HERALD_WEBHOOK_<NAME>); it never enters the database.
            """,
        subcommands: [Add.self, List.self, Remove.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Subscribe a URL to lifecycle events; prints its id.")
        @OptionGroup var options: CommonOptions
        @Argument(help: "The http(s) URL to POST events to.") var url: String
        @Option(help: "The workers' environment variable holding the signing secret (HERALD_WEBHOOK_<NAME>).") var secretEnv: String
        @Option(help: "Comma-separated events (default: all of \(LifecycleEventType.names)).") var events: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try WebhookSender.validate(url: url)
            do {
                try WebhookSecrets.validate(name: secretEnv)
            } catch {
                throw HeraldCore.ValidationError(field: "--secret-env", reason: error.reason)
            }
            let chosen =
                try events.map { text throws(HeraldCore.ValidationError) in try LifecycleEventType.parseList(text, field: "--events") }
                ?? LifecycleEventType.allCases
            let (url, secretEnv) = (url, secretEnv)
            let configuration = options.configuration()
            let webhook = try await options.session().run { database, workspace in
                try await LifecycleWebhookStore(database, workspace: workspace).add(url: url, events: chosen, secretEnv: secretEnv)
            }
            if (try? configuration.webhookSecrets.secret(named: secretEnv)) == nil {
                Terminal.error("herald: note: \(secretEnv) is not set here; the workers that send events must have it")
            }
            if json {
                print(try Terminal.json(WebhookResponse(webhook)))
            } else {
                print(webhook.id.uuidString.lowercased())
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the workspace's lifecycle webhooks (never their secrets).")
        @OptionGroup var options: CommonOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let webhooks = try await options.session().run { database, workspace in
                try await LifecycleWebhookStore(database, workspace: workspace).list()
            }
            if json {
                print(try Terminal.json(webhooks.map(WebhookResponse.init)))
                return
            }
            if webhooks.isEmpty {
                print("No webhooks: add one with `herald webhooks add URL --secret-env HERALD_WEBHOOK_<NAME>`.")
                return
            }
            for webhook in webhooks {
                print(
                    "\(webhook.id.uuidString.lowercased())  \(webhook.url)  \(webhook.events.map(\.rawValue).joined(separator: ","))  secret from \(webhook.secretEnv ?? "sealed")"
                )
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a webhook by id; it receives nothing more.")
        @OptionGroup var options: CommonOptions
        @Argument(help: "The webhook's id (from `herald webhooks list`).") var id: String

        func run() async throws {
            guard let uuid = UUIDText.parse(id) else { throw HeraldCore.ValidationError(field: "id", reason: "\"\(id)\" is not a webhook id") }
            try await options.session().run { database, workspace in try await LifecycleWebhookStore(database, workspace: workspace).remove(uuid) }
        }
    }
}
