import AsyncHTTPClient
import EmbeddedPostgres
import Foundation
import HeraldTestSupport
import NIOCore
import NIOHTTP1
import PlatformStandIns
import Storage
import Testing

/// `herald channels connect|list|remove` and `herald secrets rotate`, run as a user would.
struct ChannelsCommandTests {
    static let secret = "whsec-cli-5f0e9b1d"

    func accounts(_ output: ProcessOutput) throws -> [[String: Any]] {
        try #require(try JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [[String: Any]], "\(output.standardOutput)")
    }

    @Test func connectAWebhookThenListItAsJSONWithoutItsSecret() async throws {
        let fixture = try await CLIFixture.make()
        let environment = ["HOOK_SECRET": Self.secret]
        let connected = try await fixture.run(
            ["channels", "connect", "webhook", "--name", "hooks", "--url", "https://hooks.example/in", "--secret-env", "HOOK_SECRET"],
            environment: environment
        )
        #expect(connected.succeeded, "\(connected.standardError)")
        #expect(connected.standardOutput.contains("connected webhook account \"hooks\""), "\(connected.standardOutput)")
        #expect(connected.standardOutput.contains("not checked"))
        let keyFile = fixture.folder.appendingPathComponent("home/secret.key")
        let attributes = try FileManager.default.attributesOfItem(atPath: keyFile.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)

        let listed = try await fixture.run("channels", "list", "--json")
        #expect(listed.succeeded, "\(listed.standardError)")
        let accounts = try accounts(listed)
        #expect(accounts.count == 1)
        let account = try #require(accounts.first)
        #expect(account["name"] as? String == "hooks")
        #expect(account["kind"] as? String == "webhook")
        #expect(account["health"] as? String == "ok")
        #expect(account["reason"] is NSNull)
        #expect(account["base_url"] as? String == "https://hooks.example/in")
        #expect(Set(account.keys).isSuperset(of: ["name", "kind", "health", "reason", "handle", "base_url", "rate_limited_until"]))
        let text = try await fixture.run("channels", "list")
        #expect(text.standardOutput.contains("hooks") && text.standardOutput.contains("webhook"))
        for output in [connected, listed, text] {
            #expect(!(output.standardOutput + output.standardError).contains(Self.secret), "the secret was printed")
        }
        // Another workspace sees none of it.
        let elsewhere = try await fixture.run("channels", "list", "--json", "--workspace", "acme")
        #expect(try self.accounts(elsewhere).isEmpty)

        let removed = try await fixture.run("channels", "remove", "hooks")
        #expect(removed.succeeded, "\(removed.standardError)")
        #expect(try self.accounts(try await fixture.run("channels", "list", "--json")).isEmpty)
    }

    @Test func aMissingEnvironmentVariableIsNamed() async throws {
        let fixture = try await CLIFixture.make()
        let output = try await fixture.run(
            ["channels", "connect", "mastodon", "--name", "brand", "--instance", "https://mastodon.example", "--token-env", "NO_SUCH_TOKEN"]
        )
        #expect(!output.succeeded)
        #expect(isOneLine(output.standardError))
        #expect(output.standardError.contains("NO_SUCH_TOKEN") && output.standardError.contains("--token-env"), "\(output.standardError)")
        #expect(try accounts(try await fixture.run("channels", "list", "--json")).isEmpty)
    }

    @Test func xWithoutTokensSaysToPassThem() async throws {
        let fixture = try await CLIFixture.make()
        let output = try await fixture.run("channels", "connect", "x", "--name", "brand")
        #expect(!output.succeeded)
        #expect(isOneLine(output.standardError))
        #expect(output.standardError.contains("--access-token-env"), "\(output.standardError)")
    }

    @Test func aBadSecretKeyNamesTheVariableAndHowToMakeOne() async throws {
        let fixture = try await CLIFixture.make()
        let output = try await fixture.run(
            ["channels", "connect", "webhook", "--name", "hooks", "--url", "https://hooks.example/in", "--secret-env", "HOOK_SECRET"],
            environment: ["HOOK_SECRET": Self.secret, "HERALD_SECRET_KEY": "too-short"]
        )
        #expect(!output.succeeded)
        #expect(isOneLine(output.standardError))
        #expect(
            output.standardError.contains("HERALD_SECRET_KEY") && output.standardError.contains("openssl rand -base64 32"),
            "\(output.standardError)"
        )
    }

    @Test func rotateReEncryptsUnderANewKeyFileAndUnderANewEnvironmentKey() async throws {
        let fixture = try await CLIFixture.make()
        for name in ["one", "two"] {
            let connected = try await fixture.run(
                ["channels", "connect", "webhook", "--name", name, "--url", "https://hooks.example/\(name)", "--secret-env", "HOOK_SECRET"],
                environment: ["HOOK_SECRET": Self.secret]
            )
            #expect(connected.succeeded, "\(connected.standardError)")
        }
        let keyFile = fixture.folder.appendingPathComponent("home/secret.key")
        let before = try String(contentsOf: keyFile, encoding: .utf8)
        let rotated = try await fixture.run("secrets", "rotate")
        #expect(rotated.succeeded, "\(rotated.standardError)")
        #expect(rotated.standardOutput.contains("re-encrypted 2 accounts"), "\(rotated.standardOutput)")
        #expect(try String(contentsOf: keyFile, encoding: .utf8) != before)
        #expect(!FileManager.default.fileExists(atPath: keyFile.path + ".old"))

        // From the key file to a key in the environment: afterwards only the new key is needed.
        let newKey = Data((0..<32).map { UInt8($0) }).base64EncodedString()
        let toEnvironment = try await fixture.run(["secrets", "rotate", "--new-key-env", "NEW_KEY"], environment: ["NEW_KEY": newKey])
        #expect(toEnvironment.succeeded, "\(toEnvironment.standardError)")
        #expect(toEnvironment.standardOutput.contains("re-encrypted 2 accounts"))
        let otherKey = Data((0..<32).map { UInt8(255 - $0) }).base64EncodedString()
        let again = try await fixture.run(
            ["secrets", "rotate", "--new-key-env", "OTHER_KEY"],
            environment: ["HERALD_SECRET_KEY": newKey, "OTHER_KEY": otherKey]
        )
        #expect(again.succeeded, "\(again.standardError)")
        #expect(again.standardError.contains("HERALD_SECRET_KEY"))
        let withoutNew = try await fixture.run(["secrets", "rotate"], environment: ["HERALD_SECRET_KEY": otherKey])
        #expect(!withoutNew.succeeded)
        #expect(withoutNew.standardError.contains("--new-key-env"))
        // The wrong key refuses, naming the key that sealed the credentials.
        let wrong = try await fixture.run(
            ["secrets", "rotate", "--new-key-env", "OTHER_KEY"],
            environment: ["HERALD_SECRET_KEY": newKey, "OTHER_KEY": newKey]
        )
        #expect(!wrong.succeeded)
        #expect(wrong.standardError.contains("sealed with key"), "\(wrong.standardError)")
        for output in [rotated, toEnvironment, again, wrong] {
            #expect(!(output.standardOutput + output.standardError).contains(Self.secret))
        }
    }
}

/// `herald channels connect x` signing in through the browser, against the X stand-in (its OAuth 2.0 endpoints with
/// PKCE): the app's credentials and API come from the variables `herald serve` reads (`HERALD_X_*`), as a person
/// who set them up once for the back office would expect.
struct ChannelsOAuthCommandTests {
    @Test func xSignsInThroughTheBrowserWithTheServersAppVariables() async throws {
        let fixture = try await CLIFixture.make()
        let standIn = XStandIn()
        try await StandInServer.run(standIn.router()) { baseURL in
            let process = try HeraldCommand.start(
                ["channels", "connect", "x", "--name", "brand", "--redirect-port", "0", "--json"],
                environment: [
                    "DATABASE_URL": fixture.database.url, "HERALD_HOME": fixture.folder.appendingPathComponent("home").path,
                    "HERALD_X_CLIENT_ID": "herald-client", "HERALD_X_CLIENT_SECRET": "herald-secret", "HERALD_X_API_URL": baseURL,
                ],
                workingDirectory: fixture.folder
            )
            // The person opens the address the command prints; the stand-in approves and redirects to the command.
            var address: String?
            let printed = try await waitUntil(timeout: .seconds(120)) {
                address = process.standardErrorSoFar.split(separator: "\n").first { $0.hasPrefix(baseURL) }.map(String.init)
                return address != nil || process.hasExited
            }
            #expect(printed && address != nil, "\(process.standardErrorSoFar)")
            let url = try #require(address)
            #expect(url.contains("client_id=herald-client") && url.contains("code_challenge="))
            let page = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(60))
            #expect(page.status == .ok)
            let output = await process.wait()
            #expect(output.succeeded, "\(output.standardError)")
            #expect(standIn.oauth.tokenRequests == ["authorization_code"])
            #expect(!(output.standardOutput + output.standardError).contains("herald-secret"), "the client secret was printed")

            let listed = try await fixture.run("channels", "list", "--json")
            let accounts = try #require(try JSONSerialization.jsonObject(with: Data(listed.standardOutput.utf8)) as? [[String: Any]])
            #expect(accounts.count == 1)
            #expect(accounts.first?["kind"] as? String == "x")
            #expect(accounts.first?["base_url"] as? String == baseURL)
            #expect(accounts.first?["health"] as? String == "ok", "\(accounts)")
        }
    }

    @Test func withoutAnyClientIDTheCommandNamesBothWays() async throws {
        let fixture = try await CLIFixture.make()
        let output = try await fixture.run("channels", "connect", "linkedin", "--name", "brand")
        #expect(!output.succeeded)
        #expect(
            output.standardError.contains("HERALD_LINKEDIN_CLIENT_ID") && output.standardError.contains("--client-id-env"),
            "\(output.standardError)"
        )
        #expect(output.standardError.contains("--access-token-env"))
    }
}
