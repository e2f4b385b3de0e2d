import Connectors
import Foundation
import HTTPAPI
import HTTPTypes
import HeraldCore
import HeraldTestSupport
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOHTTP1
import Testing

@testable import Storage

/// `/v1/channels`: accounts connected through the API; credentials go in and never come out.
@Suite struct AccountAPITests {
    static let token = "mastodon-api-token-4b7e"
    static let secret = "whsec-api-91c3aa"

    @Test func connectListAndRemoveWithoutEverAnsweringCredentials() async throws {
        let (logger, captured) = CapturingLogHandler.logger()
        try await TestServer.with(logger: logger) { server in
            let editor = try await server.token(workspace: "acme", role: .editor)
            let viewer = try await server.token(workspace: "acme", role: .viewer)
            let stranger = try await server.token(workspace: "other", role: .admin)
            var answers: [String] = []

            let created = try await server.send(
                .POST,
                "/v1/channels",
                token: editor,
                json: #"""
                    {"name": "brand", "kind": "mastodon", "base_url": "https://mastodon.example/", "handle": "109",
                     "credentials": {"access_token": "\#(Self.token)", "refresh_token": "\#(Self.secret)"}}
                    """#
            )
            answers.append(created.text)
            #expect(created.status == 201, "\(created.text)")
            let account = try created.json()
            #expect(account["name"] as? String == "brand" && account["kind"] as? String == "mastodon")
            #expect(account["health"] as? String == "ok" && account["reason"] is NSNull)
            #expect(account["base_url"] as? String == "https://mastodon.example" && account["handle"] as? String == "109")
            #expect(account["credentials"] == nil)

            let hook = try await server.send(
                .POST,
                "/v1/channels",
                token: editor,
                json:
                    #"{"name": "hooks", "kind": "webhook", "base_url": "https://hooks.example/in", "credentials": {"signing_secret": "\#(Self.secret)"}}"#
            )
            answers.append(hook.text)
            #expect(hook.status == 201, "\(hook.text)")

            let listed = try await server.send(.GET, "/v1/channels", token: viewer)
            answers.append(listed.text)
            #expect(listed.status == 200)
            let accounts = try #require(try JSONSerialization.jsonObject(with: Data(listed.body)) as? [[String: Any]])
            #expect(accounts.compactMap { $0["name"] as? String } == ["brand", "hooks"])
            #expect(Set(accounts[0].keys) == ["name", "kind", "health", "reason", "handle", "base_url", "rate_limited_until"])

            // Stored sealed: the credentials open with the server's key and are what was sent.
            let workspace = try await WorkspaceStore(server.database).find(slug: "acme")
            let secrets = try #require(server.settings.secrets)
            let store = AccountStore(server.database, workspace: workspace, secrets: secrets)
            let connected = try await store.connected(try await store.find(name: "brand").id)
            #expect(connected.credentials.accessToken == Self.token && connected.credentials.refreshToken == Self.secret)

            // Refusals: a viewer, a bad kind, a missing or unknown credential, another workspace.
            let refusals: [(String?, String, Int)] = [
                (viewer, #"{"name": "x1", "kind": "webhook", "base_url": "https://h.example", "credentials": {"signing_secret": "s"}}"#, 403),
                (editor, #"{"name": "x1", "kind": "fax", "base_url": "https://h.example", "credentials": {}}"#, 422),
                (editor, #"{"name": "x1", "kind": "bluesky", "base_url": "https://bsky.example", "credentials": {}}"#, 422),
                (editor, #"{"name": "x1", "kind": "webhook", "base_url": "https://h.example", "credentials": {"password": "s"}}"#, 422),
                (editor, #"{"name": "x1", "kind": "webhook", "base_url": "file:///etc", "credentials": {"signing_secret": "s"}}"#, 422),
                (editor, #"{"name": "brand", "kind": "webhook", "base_url": "https://h.example", "credentials": {"signing_secret": "s"}}"#, 409),
            ]
            for (token, body, status) in refusals {
                let reply = try await server.send(.POST, "/v1/channels", token: token, json: body)
                #expect(reply.status == status, "\(body) answered \(reply.status): \(reply.text)")
            }
            let missing = try await server.send(
                .POST,
                "/v1/channels",
                token: editor,
                json: #"{"name": "sky", "kind": "bluesky", "base_url": "https://bsky.example", "credentials": {}}"#
            )
            #expect(try missing.error().fields == ["credentials.app_password"])

            let theirs = try await server.send(.GET, "/v1/channels", token: stranger)
            #expect(theirs.text == "[]")
            #expect(try await server.send(.DELETE, "/v1/channels/brand", token: stranger).status == 404)
            #expect(try await server.send(.DELETE, "/v1/channels/brand", token: viewer).status == 403)
            #expect(try await server.send(.DELETE, "/v1/channels/brand", token: editor).status == 204)
            #expect(try await server.send(.DELETE, "/v1/channels/brand", token: editor).status == 404)
            let after = try await server.send(.GET, "/v1/channels", token: editor)
            answers.append(after.text)
            #expect(after.text.contains("hooks") && !after.text.contains("brand"))

            let everything = answers + captured.all.map(\.text)
            for credential in [Self.token, Self.secret] {
                #expect(!everything.contains { $0.contains(credential) }, "a credential leaked into an answer or the log")
            }
        }
    }

    @Test func withoutASecretKeyConnectingIsRefusedAndListingWorks() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let application = HeraldServer.buildApplication(database: database, settings: ServerSettings(), logger: TestDatabase.logger)
            let workspace = try await WorkspaceStore(database).ensure(slug: "acme")
            let token = try await TokenStore(database).create(workspace: workspace, role: .editor).secret
            try await application.test(.router) { client in
                let body = #"{"name": "hooks", "kind": "webhook", "base_url": "https://h.example", "credentials": {"signing_secret": "s"}}"#
                try await client.execute(
                    uri: "/v1/channels",
                    method: .post,
                    headers: [.authorization: "Bearer \(token)", .contentType: "application/json"],
                    body: .init(string: body)
                ) { response in
                    #expect(response.status == .serviceUnavailable)
                    #expect(String(buffer: response.body).contains("HERALD_SECRET_KEY"))
                }
                try await client.execute(uri: "/v1/channels", method: .get, headers: [.authorization: "Bearer \(token)"]) { response in
                    #expect(response.status == .ok)
                    #expect(String(buffer: response.body) == "[]")
                }
            }
        }
    }
}
