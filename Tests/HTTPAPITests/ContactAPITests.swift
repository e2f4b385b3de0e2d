import Foundation
import HeraldCore
import HeraldTestSupport
import NIOHTTP1
import Testing

@testable import Storage

struct ContactAPITests {
    func json(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func importListExportConsentAndEraseThroughTheAPI() async throws {
        try await TestServer.with { server in
            let token = try await server.token(workspace: "acme", role: .editor)
            let created = try await server.send(
                .POST,
                "/v1/contacts?list=newsletter",
                token: token,
                body: json(
                    #"[{"email": "Jana@Bücher.Example", "name": "Jana", "time_zone": "Europe/Berlin", "attributes": {"plan": "pro"}},"#
                        + #" {"phone": "0049 30 1234567"}, {"email": "Jana@BÜCHER.EXAMPLE", "consent": "subscribed"}]"#
                )
            )
            #expect(created.status == 201, "\(created.text)")
            let counts = try created.json()
            #expect(counts["inserted"] as? Int == 2 && counts["skipped"] as? Int == 1)

            let csv = try await server.send(
                .POST,
                "/v1/contacts",
                token: token,
                body: json("email,city\ncsv@example.com,Berlin\n"),
                headers: [("Content-Type", "text/csv")]
            )
            #expect(csv.status == 201, "\(csv.text)")

            let page = try await server.send(.GET, "/v1/contacts?list=newsletter&limit=1", token: token)
            #expect(page.status == 200)
            let first = try page.json()
            #expect((first["contacts"] as? [Any])?.count == 1)
            let next = try #require(first["next"] as? String)
            let rest = try await server.send(.GET, "/v1/contacts?list=newsletter&after=\(next)", token: token)
            let restPage = try rest.json()
            #expect((restPage["contacts"] as? [Any])?.count == 1 && restPage["next"] == nil)

            let lists = try await server.send(.GET, "/v1/lists", token: token)
            let listRows = try lists.json()["lists"] as? [[String: Any]] ?? []
            #expect(listRows.map { "\($0["name"]!):\($0["members"]!)" } == ["newsletter:2"])

            let address = "Jana%40xn--bcher-kva.example"
            let consent = try await server.send(.PUT, "/v1/contacts/\(address)/consent", token: token, body: json(#"{"state": "unsubscribed"}"#))
            #expect(consent.status == 200, "\(consent.text)")
            let changed = try consent.json()
            #expect(changed["consent"] as? String == "unsubscribed")

            let export = try await server.send(
                .GET,
                "/v1/contacts/Jana@bücher.example/export".addingPercentEncoding(withAllowedCharacters: .urlPathAllowed)!,
                token: token
            )
            #expect(export.status == 200, "\(export.text)")
            let exported = try export.json()
            #expect((exported["contact"] as? [String: Any])?["email"] as? String == "Jana@xn--bcher-kva.example")
            #expect((exported["consent_history"] as? [[String: Any]])?.compactMap { $0["source"] as? String } == ["import", "api"])
            #expect(exported["suppressed"] as? Bool == true)

            let erased = try await server.send(.DELETE, "/v1/contacts/\(address)", token: token)
            #expect(erased.status == 200, "\(erased.text)")
            let erasure = try erased.json()
            #expect(erasure["suppression_kept"] as? Bool == true)
            let gone = try await server.send(.GET, "/v1/contacts/\(address)/export", token: token)
            #expect(gone.status == 404)
            let phone = try await server.send(.GET, "/v1/contacts/%2B49301234567/export", token: token)
            #expect(phone.status == 200, "\(phone.text)")
        }
    }

    @Test func aBadRowRefusesTheWholeRequestNamingEveryRow() async throws {
        try await TestServer.with { server in
            let token = try await server.token(workspace: "acme", role: .editor)
            let reply = try await server.send(
                .POST,
                "/v1/contacts",
                token: token,
                body: json(#"[{"email": "ok@example.com"}, {"email": "nope"}, {"phone": "030 1234567"}, {"name": "nobody"}, 7]"#)
            )
            #expect(reply.status == 422, "\(reply.text)")
            let details = (try reply.json()["error"] as? [String: Any])?["details"] as? [[String: Any]] ?? []
            #expect(details.compactMap { $0["location"] as? String } == ["row 2", "row 3", "row 4", "row 5"])
            #expect(details.compactMap { $0["field"] as? String }.prefix(3) == ["email", "phone", "email"])
            let csv = try await server.send(
                .POST,
                "/v1/contacts",
                token: token,
                body: json("email\nok@example.com\nbad\n"),
                headers: [("Content-Type", "text/csv")]
            )
            #expect(csv.status == 422)
            #expect(csv.text.contains("contacts.csv:3"))
            let listed = try await server.send(.GET, "/v1/contacts", token: token)
            let listedPage = try listed.json()
            #expect((listedPage["contacts"] as? [Any])?.isEmpty == true)
            let notJSON = try await server.send(.POST, "/v1/contacts", token: token, body: json("{}"))
            #expect(notJSON.status == 400)
        }
    }

    @Test func aTokenSeesOnlyItsWorkspacesContacts() async throws {
        try await TestServer.with { server in
            let acme = try await server.token(workspace: "acme", role: .editor)
            let other = try await server.token(workspace: "other", role: .admin)
            let viewer = try await server.token(workspace: "acme", role: .viewer)
            _ = try await server.send(.POST, "/v1/contacts?list=vip", token: acme, body: json(#"[{"email": "a@example.com"}]"#))
            #expect(try await server.send(.GET, "/v1/contacts/a@example.com/export", token: other).status == 404)
            #expect(try await server.send(.DELETE, "/v1/contacts/a@example.com", token: other).status == 404)
            #expect(
                try await server.send(.PUT, "/v1/contacts/a@example.com/consent", token: other, body: json(#"{"state": "bounced"}"#)).status == 404
            )
            let otherContacts = try await server.send(.GET, "/v1/contacts", token: other).json()
            #expect((otherContacts["contacts"] as? [Any])?.isEmpty == true)
            let otherLists = try await server.send(.GET, "/v1/lists", token: other).json()
            #expect((otherLists["lists"] as? [Any])?.isEmpty == true)
            #expect(try await server.send(.GET, "/v1/contacts?list=vip", token: other).status == 404)
            #expect(try await server.send(.DELETE, "/v1/contacts/a@example.com", token: viewer).status == 403)
            // A viewer reads lists, never who is on them.
            #expect(try await server.send(.GET, "/v1/contacts/a@example.com/export", token: viewer).status == 403)
            #expect(try await server.send(.GET, "/v1/contacts", token: viewer).status == 403)
            #expect(try await server.send(.GET, "/v1/lists", token: viewer).status == 200)
            #expect(try await server.send(.GET, "/v1/contacts/a@example.com/export", token: acme).status == 200)
            let duplicate = try await server.send(.POST, "/v1/lists", token: acme, body: json(#"{"name": "vip"}"#))
            #expect(duplicate.status == 409)
            #expect(try await server.send(.POST, "/v1/lists", token: other, body: json(#"{"name": "vip"}"#)).status == 201)
        }
    }
}
