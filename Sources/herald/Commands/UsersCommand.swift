import ArgumentParser
import Foundation
import HeraldCore
import Storage
import WebApp

/// `herald users`: the people of a workspace's web back office (`/app`).
struct UsersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users",
        abstract: "Create, list and invite the people who sign in to the back office at /app.",
        subcommands: [Create.self, List.self, Invite.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a person with a password read from an environment variable (never from an argument)."
        )
        @OptionGroup var options: CommonOptions
        @Option(help: "Their email address, which they sign in with.") var email: String
        @Option(help: "viewer, editor, approver or admin.") var role: String
        @Option(help: "The environment variable holding their password (at least 10 characters).") var passwordEnv: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let role = try UserRole.parse(role)
            let email = try UserStore.normalized(email: email)
            let configuration = options.configuration()
            let password = try configuration.secret(passwordEnv, flag: "--password-env", what: "the person's password")
            do {
                try Passwords.check(password)
            } catch {
                throw CommandFailure(message: "the password in \(passwordEnv) (named by --password-env) \(error.reason)")
            }
            let hash = Passwords.hash(password)
            let user = try await options.session().run { database, workspace in
                try await UserStore(database).create(workspace: workspace, email: email, role: role, passwordHash: hash)
            }
            if json {
                print(try Terminal.json(user))
            } else {
                print(
                    "\(user.email): \(user.role.rawValue) of workspace \(configuration.workspace); signs in at \(configuration.publicURL)/app/login"
                )
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the workspace's people (never their passwords).")
        @OptionGroup var options: CommonOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let users = try await options.session().run { database, workspace in try await UserStore(database).list(workspace: workspace) }
            if json {
                print(try Terminal.json(users))
                return
            }
            for user in users {
                let state = user.disabledAt != nil ? "disabled" : user.hasPassword ? "active" : "invited"
                print("\(user.email)  \(user.role.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0))  \(state)")
            }
        }
    }

    struct Invite: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Invite a person: prints a one-time link (valid 7 days) where they set their password."
        )
        @OptionGroup var options: CommonOptions
        @Option(help: "Their email address.") var email: String
        @Option(help: "viewer, editor, approver or admin.") var role: String

        func run() async throws {
            let role = try UserRole.parse(role)
            let email = email
            let configuration = options.configuration()
            let invited = try await options.session().run { database, workspace in
                try await UserStore(database).invite(workspace: workspace, email: email, role: role)
            }
            print("\(configuration.publicURL)/app/invite/\(invited.secret)")
            Terminal.error(
                "herald: invitation for \(invited.user.email) (\(role.rawValue) of workspace \(configuration.workspace)); the link works once, for 7 days"
            )
        }
    }
}
