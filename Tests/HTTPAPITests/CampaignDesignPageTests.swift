import Foundation
import HTTPAPI
import HeraldCore
import HeraldTestSupport
import NIOHTTP1
import Storage
import Testing

/// A campaign's planned test through the API and the back office: created with `design`, returned with it, shown on
/// the campaign page.
struct CampaignDesignPageTests {
    @Test func aPlannedTestIsKeptReturnedAndShown() async throws {
        try await BackOfficeTests.live { server in
            try await BackOfficeTests.person(server, "ada@example.com", role: .viewer)
            let token = try await server.token(workspace: "acme", role: .editor)
            let created = try await server.send(
                .POST,
                "/v1/campaigns",
                token: token,
                json:
                    #"{"name": "Planned", "slug": "planned", "channels": ["mastodon"], "dry_run": true, "design": {"horizon": 40000}, "variants": [{"text": "One"}, {"text": "Two"}]}"#
            )
            #expect(created.status == 201, "\(created.text)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(created.text.utf8)) as? [String: Any])
            #expect((json["design"] as? [String: Any])?["horizon"] as? Int == 40_000)
            let shown = try await server.send(.GET, "/v1/campaigns/planned", token: token)
            #expect(shown.text.contains(#""horizon":40000"#) || shown.text.contains(#""horizon": 40000"#), "\(shown.text)")

            var browser = BackOfficeTests.Browser(server)
            #expect(try await browser.signIn("ada@example.com").status == 303)
            let page = try await browser.get("/app/campaigns/planned")
            #expect(page.status == 200)
            #expect(page.text.contains("a test planned for 40,000 impressions"), "\(page.text.prefix(2_000))")
        }
    }
}
