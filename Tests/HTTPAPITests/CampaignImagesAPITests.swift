import Foundation
import HeraldCore
import HeraldTestSupport
import NIOHTTP1
import PostgresNIO
import Testing

@testable import Storage

/// Images through the API: fetched by URL when the campaign or variant is created, stored, shown with alt text.
@Suite struct CampaignImagesAPITests {
    static let gif = TestImages.gif(width: 40, height: 30)

    @Test func aURLImageIsFetchedOnceAndStored() async throws {
        // The GIF's bytes are all ASCII, so the stub server's text body carries them unchanged.
        try await StubHTTPServer.with({ _, _ in StubReply(body: String(decoding: Self.gif, as: UTF8.self)) }) { images, base in
            try await TestServer.with { server in
                let token = try await server.token(workspace: "acme", role: .editor)
                let json = """
                    {"name": "Pictures", "channels": ["bluesky", "webhook"], "variants": [
                      {"key": "A", "text": "New shoes", "image": {"url": "\(base)/shoes.gif", "alt": "Red trail shoes"}},
                      {"key": "B", "text": "No picture"}]}
                    """
                let created = try await server.send(.POST, "/v1/campaigns", token: token, json: json)
                #expect(created.status == 201, "\(created.text)")
                let variants = try #require(try created.json()["variants"] as? [[String: Any]])
                let shown = try #require(variants[0]["images"] as? [[String: Any]])
                #expect(shown.first?["alt"] as? String == "Red trail shoes")
                #expect(shown.first?["mime_type"] as? String == "image/gif")
                #expect(shown.first?["source_url"] as? String == "\(base)/shoes.gif")
                #expect(images.all.map(\.path) == ["/shoes.gif"])

                let campaign = try #require(created.json()["id"] as? String)
                let added = try await server.send(
                    .POST,
                    "/v1/campaigns/\(campaign)/variants",
                    token: token,
                    json: #"{"key": "C", "text": "Again", "image": {"url": "\#(base)/again.gif", "alt": "The same shoes"}}"#
                )
                #expect(added.status == 201, "\(added.text)")
                #expect((try added.json()["images"] as? [[String: Any]])?.first?["alt"] as? String == "The same shoes")
                // The same bytes are one stored image.
                #expect(try await server.count("SELECT count(*)::int FROM media") == 1)
                #expect(try await server.count("SELECT count(*)::int FROM variant_media") == 2)

                let sms = try await server.send(
                    .POST,
                    "/v1/campaigns",
                    token: token,
                    json:
                        #"{"name": "Texts", "channels": ["sms"], "dry_run": true, "variants": [{"text": "Sale", "image": {"url": "\#(base)/s.gif", "alt": "Shoes"}}]}"#
                )
                #expect(sms.status >= 400 && sms.status < 500)
                #expect(sms.text.contains("for sms: sms takes no images"), "\(sms.text)")
                #expect(sms.text.contains("variants[0].image"), "\(sms.text)")
            }
        }
    }

    @Test func missingAltFilePathsAndImagesOnSMSAreRefused() async throws {
        try await TestServer.with { server in
            let token = try await server.token(workspace: "acme", role: .editor)
            let noAlt = try await server.send(
                .POST,
                "/v1/campaigns",
                token: token,
                json: #"{"name": "P", "channels": ["x"], "variants": [{"text": "a"}, {"text": "b", "image": {"url": "https://e.example/a.png"}}]}"#
            )
            #expect(noAlt.status == 400 || noAlt.status == 422, "\(noAlt.text)")
            #expect(try noAlt.error().message.contains("is required (describe the image for people who cannot see it)"))
            #expect(try noAlt.error().fields == ["variants[1].image.alt"] || noAlt.text.contains("variants[1].image.alt"))

            let file = try await server.send(
                .POST,
                "/v1/campaigns",
                token: token,
                json: #"{"name": "P", "channels": ["x"], "variants": [{"text": "a", "image": {"file": "/etc/passwd", "alt": "x"}}]}"#
            )
            #expect(file.status >= 400 && file.status < 500)
            #expect(file.text.contains("the API takes images by url only"), "\(file.text)")
            #expect(try await server.count("SELECT count(*)::int FROM media") == 0)
        }
    }
}
