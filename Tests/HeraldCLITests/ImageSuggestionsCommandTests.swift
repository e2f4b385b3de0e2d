import EmbeddedPostgres
import Foundation
import HeraldTestSupport
import Testing

/// `herald variants describe-image`, `suggestions`, `accept-suggestion`, `reject-suggestion` against a stub vision model.
struct ImageSuggestionsCommandTests {
    static let answer =
        #"{"alt_text": "Red trail shoes on a wet rock.", "captions": ["Grip for wet rock.", "Made for the mud.", "Your next trail starts here."]}"#

    static func completion(_ content: String) -> StubReply {
        let envelope: [String: Any] = ["choices": [["index": 0, "message": ["role": "assistant", "content": content]]]]
        return StubReply(body: String(decoding: (try? JSONSerialization.data(withJSONObject: envelope)) ?? Data(), as: UTF8.self))
    }

    func pictureCampaign(_ fixture: CLIFixture) async throws -> String {
        try TestImages.png(width: 1200, height: 630).write(to: fixture.folder.appendingPathComponent("shoes.png"))
        let path = try fixture.write(
            "p.yaml",
            "name: Pictures\nchannels: [bluesky]\nvariants:\n  - {key: A, text: \"New shoes\", image: {file: shoes.png, alt: \"Shoes\"}}\n"
        )
        #expect(try await fixture.run("campaigns", "create", path).succeeded)
        let shown = try await fixture.run("campaigns", "show", "pictures", "--json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(shown.standardOutput.utf8)) as? [String: Any])
        return try #require((object["variants"] as? [[String: Any]])?.first?["id"] as? String)
    }

    @Test func suggestionsWaitForReviewAndAcceptingAppliesThem() async throws {
        let fixture = try await CLIFixture.make()
        let variant = try await pictureCampaign(fixture)
        try await StubHTTPServer.with({ _, _ in Self.completion(Self.answer) }) { server, base in
            let environment = ["HERALD_LLM_URL": base + "/v1", "HERALD_LLM_MODEL": "vision-test", "HERALD_LLM_VISION": "1"]
            let described = try await fixture.run(["variants", "describe-image", variant, "--json"], environment: environment)
            #expect(described.succeeded, "\(described.standardError)")
            let body = try #require(server.all.first?.body)
            #expect(body.contains("data:image\\/png;base64,") || body.contains("data:image/png;base64,"))
            #expect(body.contains("image_url"))
        }
        let listed = try await fixture.run("variants", "suggestions", variant, "--json")
        let suggestions = try #require(try JSONSerialization.jsonObject(with: Data(listed.standardOutput.utf8)) as? [[String: Any]])
        #expect(suggestions.map { $0["kind"] as? String } == ["alt_text", "caption", "caption", "caption"])
        #expect(suggestions.allSatisfy { $0["state"] as? String == "pending" })
        // Nothing applied yet.
        var shown = try await fixture.run("campaigns", "show", "pictures", "--json")
        #expect(shown.standardOutput.contains("\"alt\" : \"Shoes\"") || shown.standardOutput.contains("\"alt\":\"Shoes\""))

        let alt = try #require(suggestions[0]["id"] as? String)
        #expect(try await fixture.run("variants", "accept-suggestion", alt).succeeded)
        shown = try await fixture.run("campaigns", "show", "pictures", "--json")
        #expect(shown.standardOutput.contains("Red trail shoes on a wet rock."))
        let again = try await fixture.run("variants", "accept-suggestion", alt)
        #expect(!again.succeeded && again.standardError.contains("was accepted already"))

        let caption = try #require(suggestions[1]["id"] as? String)
        let made = try await fixture.run("variants", "accept-suggestion", caption, "--json")
        #expect(made.succeeded, "\(made.standardError)")
        shown = try await fixture.run("campaigns", "show", "pictures", "--json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(shown.standardOutput.utf8)) as? [String: Any])
        let variants = try #require(object["variants"] as? [[String: Any]])
        #expect(variants.map { $0["text"] as? String } == ["New shoes", "Grip for wet rock."])
        #expect((variants[1]["images"] as? [[String: Any]])?.count == 1)

        let rejected = try await fixture.run("variants", "reject-suggestion", try #require(suggestions[2]["id"] as? String))
        #expect(rejected.succeeded)
    }

    @Test func withoutAVisionModelItSaysSo() async throws {
        let fixture = try await CLIFixture.make()
        let variant = try await pictureCampaign(fixture)
        let none = try await fixture.run("variants", "describe-image", variant)
        #expect(!none.succeeded && none.standardError.contains("no vision model is configured"))
        let blind = try await fixture.run(
            ["variants", "describe-image", variant],
            environment: ["HERALD_LLM_URL": "http://127.0.0.1:9/v1", "HERALD_LLM_MODEL": "text-only"]
        )
        #expect(!blind.succeeded && blind.standardError.contains("HERALD_LLM_VISION=1"), "\(blind.standardError)")
    }
}
