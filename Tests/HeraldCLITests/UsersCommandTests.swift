import EmbeddedPostgres
import Foundation
import HeraldTestSupport
import Testing

/// `herald users create|list|invite`: the people of the back office, with passwords read only from the environment.
struct UsersCommandTests {
    @Test func createListAndInvite() async throws {
        let fixture = try await CLIFixture.make()
        let created = try await fixture.run(
            ["users", "create", "--workspace", "acme", "--email", "Ada@Example.com", "--role", "editor", "--password-env", "ADA_PASSWORD"],
            environment: ["ADA_PASSWORD": "correct horse battery"]
        )
        #expect(created.succeeded, "\(created.standardError)")
        #expect(created.standardOutput.contains("ada@example.com: editor of workspace acme"))
        #expect(!created.standardOutput.contains("correct horse"))

        // The same person twice is refused, saying what to do.
        let again = try await fixture.run(
            ["users", "create", "--workspace", "acme", "--email", "ada@example.com", "--role", "viewer", "--password-env", "ADA_PASSWORD"],
            environment: ["ADA_PASSWORD": "correct horse battery"]
        )
        #expect(again.status == 1)
        #expect(again.standardError.contains("already has a user ada@example.com"), "\(again.standardError)")

        let invited = try await fixture.run("users", "invite", "--workspace", "acme", "--email", "bo@example.com", "--role", "viewer")
        #expect(invited.succeeded, "\(invited.standardError)")
        let link = invited.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(link.range(of: "/app/invite/[A-Za-z0-9_-]{43}$", options: .regularExpression) != nil, "\(link)")

        let listed = try await fixture.run("users", "list", "--workspace", "acme", "--json")
        #expect(listed.succeeded, "\(listed.standardError)")
        let users = try #require(try JSONSerialization.jsonObject(with: Data(listed.standardOutput.utf8)) as? [[String: Any]])
        #expect(users.map { $0["email"] as? String } == ["ada@example.com", "bo@example.com"])
        #expect(users.map { $0["role"] as? String } == ["editor", "viewer"])
        #expect(users.map { $0["has_password"] as? Bool } == [true, false])
        #expect(!listed.standardOutput.contains("$2"), "no password hash is listed")

        let plain = try await fixture.run("users", "list", "--workspace", "acme")
        #expect(plain.standardOutput.contains("bo@example.com  viewer    invited"), "\(plain.standardOutput)")
    }

    @Test func badInputIsOneClearLine() async throws {
        let fixture = try await CLIFixture.make()
        let missing = try await fixture.run("users", "create", "--email", "ada@example.com", "--role", "editor", "--password-env", "NOT_SET_HERE")
        #expect(missing.status == 1)
        #expect(missing.standardError.contains("environment variable NOT_SET_HERE (named by --password-env) is not set"), "\(missing.standardError)")
        #expect(isOneLine(missing.standardError))

        let short = try await fixture.run(
            ["users", "create", "--email", "ada@example.com", "--role", "editor", "--password-env", "SHORT"],
            environment: ["SHORT": "tiny"]
        )
        #expect(short.status == 1)
        #expect(short.standardError.contains("is shorter than 10 characters"), "\(short.standardError)")
        #expect(!short.standardError.contains("tiny"), "the password is never echoed")

        let role = try await fixture.run(
            ["users", "create", "--email", "ada@example.com", "--role", "owner", "--password-env", "P"],
            environment: ["P": "correct horse battery"]
        )
        #expect(role.status == 1)
        #expect(role.standardError.contains("\"owner\" is not one of viewer, editor, approver, admin"), "\(role.standardError)")

        let email = try await fixture.run(["users", "invite", "--email", "not-an-address", "--role", "viewer"])
        #expect(email.status == 1)
        #expect(email.standardError.contains("is not an email address"), "\(email.standardError)")
    }
}
