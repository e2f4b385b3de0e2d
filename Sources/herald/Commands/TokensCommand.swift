import ArgumentParser
import Foundation
import HeraldCore
import Storage

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
        @Option(help: "admin, approver, editor or viewer (an approver also approves and rejects variants).") var role: String
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
                Terminal.error(
                    "herald: \(role.rawValue) token \(created.token.id.uuidString.lowercased()) for workspace \(options.configuration().workspace); it is not shown again"
                )
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
                print(
                    "\(token.id.uuidString.lowercased())  \(token.role.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0))  \(token.prefix)…  \(state)  \(token.name)"
                )
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
