import ArgumentParser
import Foundation
import Storage

/// `herald secrets rotate`: re-encrypts every account's credentials under a new key.
struct SecretsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "secrets",
        abstract: "Manage the key accounts' credentials are encrypted under.",
        subcommands: [Rotate.self]
    )

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-encrypt every account's credentials (all workspaces, one transaction) under a new key.",
            discussion: """
                With the key file (no HERALD_SECRET_KEY), a new key is generated (or taken from --new-key-env) and replaces \
                HERALD_HOME/secret.key; the old one is kept as secret.key.old until every credential is re-encrypted. With \
                HERALD_SECRET_KEY, put a new key (openssl rand -base64 32) in another variable, pass --new-key-env VAR, then \
                give every herald process that key as HERALD_SECRET_KEY.
                """
        )
        @OptionGroup var options: CommonOptions
        @Option(help: "The environment variable holding the new key (base64 of 32 bytes).") var newKeyEnv: String?

        func run() async throws {
            let configuration = options.configuration()
            let newKey = try newKeyEnv.map {
                try configuration.secret($0, flag: "--new-key-env", what: "the new key (base64 of 32 bytes: \(SecretBox.howToMakeAKey))")
            }
            let fromEnvironment = configuration.environment[SecretBox.environmentVariable].map { !$0.isEmpty } ?? false
            if fromEnvironment {
                guard let newKey, let newKeyEnv else {
                    throw CommandFailure(
                        message: "the key in use comes from \(SecretBox.environmentVariable): put a new key (\(SecretBox.howToMakeAKey)) in another "
                            + "environment variable and pass --new-key-env VAR"
                    )
                }
                let current = try configuration.secrets()
                let new = try SecretBox(base64: newKey, source: newKeyEnv)
                let count = try await options.session().run { database, _ in try await SecretRotation(database).reseal(from: current, to: new) }
                print("re-encrypted \(count) account\(count == 1 ? "" : "s") from key \(current.keyID) to key \(new.keyID)")
                Terminal.error(
                    "herald: give every herald process the new key as \(SecretBox.environmentVariable) (the value of \(newKeyEnv)); the old key is no longer needed"
                )
                return
            }
            let home = configuration.home
            let outcome = try await options.session().run { database, _ in
                try await SecretRotation(database).rotateKeyFile(home: home, newKey: newKey)
            }
            print(
                "re-encrypted \(outcome.accounts) account\(outcome.accounts == 1 ? "" : "s") from key \(outcome.oldKeyID) to key \(outcome.newKeyID) "
                    + "(\(SecretBox.keyFile(home: home).path))"
            )
        }
    }
}
