import Foundation
import HTTPAPI
import HeraldCore
import NIOHTTP1
import PostgresNIO
import Testing

@testable import Storage

/// Per-recipient tracking over a real server on loopback: clicks, opens and unsubscribes of audience messages name
/// their message by a signed token, mail-privacy proxies' and scanners' opens are marked as bots, and one-click
/// unsubscribe works from the POST alone.
@Suite struct RecipientTrackingTests {
    static let browser = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15"

    /// Messages of an email campaign to `contacts` contacts, sent an hour ago (the last one a second ago), with their tokens.
    struct Sent {
        var campaign: Campaign
        var messages: [UUID]
        var tokens: [String]
    }

    static func send(on server: TestServer, contacts: Int = 6) async throws -> Sent {
        let database = server.database
        let workspace = try await WorkspaceStore(database).ensure(slug: "acme")
        try await database.client.query(
            """
            WITH list AS (
                INSERT INTO contact_lists (workspace_id, name) VALUES (\(workspace.uuid), 'newsletter') RETURNING id
            ), made AS (
                INSERT INTO contacts (workspace_id, email) SELECT \(workspace.uuid), 'c' || i || '@example.com'
                FROM generate_series(1, \(contacts)) AS i RETURNING id
            )
            INSERT INTO contact_list_members (list_id, contact_id) SELECT list.id, made.id FROM list, made
            """,
            logger: database.logger
        )
        let campaign = try await CampaignStore(database, workspace: workspace).create(
            try CampaignSpec(
                name: "News",
                slug: "news",
                channels: [.email],
                destination: "https://shop.example.com/news?ref=herald",
                variants: [
                    .init(key: "A", text: "One.", email: .init(subject: "One", body: "One.")),
                    .init(key: "B", text: "Two.", email: .init(subject: "Two", body: "Two.")),
                ],
                audience: CampaignAudience(list: "newsletter")
            )
        )
        let store = MessageStore(database)
        let variants = campaign.variants.map { (id: $0.id, weight: 1.0) }
        _ = try await store.fanOut(
            campaign: campaign.id,
            workspace: workspace,
            list: try await store.audienceTarget(campaign: campaign.id).list!,
            channel: .email,
            phase: .all,
            variants: variants,
            testShare: nil,
            winner: nil,
            segment: nil,
            sendAt: Date()
        )
        let claimed = try await store.claim(campaign: campaign.id, worker: "w", limit: 100, lease: 60, now: Date())
        let now = Date()
        for (index, message) in claimed.enumerated() {
            #expect(try await store.markSending(message.id, worker: "w"))
            // The last one is recorded as delivered a minute ahead, so a hit on it falls inside the scanner window
            // however long a loaded machine takes to make it (at "now", a slow run made it a person's open).
            try await store.recordSent(
                message.id,
                providerID: "250 ok",
                at: index == claimed.count - 1 ? now.addingTimeInterval(60) : now.addingTimeInterval(-3_600)
            )
        }
        let key = RecipientToken.key(workspace: workspace, secrets: try #require(server.settings.secrets))
        return Sent(campaign: campaign, messages: claimed.map(\.id), tokens: claimed.map { RecipientToken.make(message: $0.id, key: key) })
    }

    @Test func aClickRedirectsWithUTMAndRecordsItsMessageAndAChangedTokenIsRefused() async throws {
        try await TestServer.live { server in
            let sent = try await Self.send(on: server)
            let click = try await server.send(.GET, "/r/\(sent.tokens[0])", headers: [("User-Agent", Self.browser)])
            #expect(click.status == 302)
            let header = try #require(click.headers.first(name: "Location"))
            let location = try #require(URLComponents(string: header))
            #expect(location.host == "shop.example.com" && location.path == "/news")
            let query = Dictionary(uniqueKeysWithValues: (location.queryItems ?? []).map { ($0.name, $0.value ?? "") })
            #expect(query["utm_source"] == "email" && query["utm_medium"] == "email" && query["utm_campaign"] == "news" && query["ref"] == "herald")
            #expect(
                try await server.count(
                    "SELECT count(*)::int FROM events WHERE kind = 'click' AND NOT is_bot AND channel = 'email' AND message_id = \(sent.messages[0])"
                ) == 1
            )
            var tampered = Array(sent.tokens[0])
            tampered[20] = tampered[20] == "A" ? "B" : "A"
            #expect(try await server.send(.GET, "/r/\(String(tampered))", headers: [("User-Agent", Self.browser)]).status == 404)
            #expect(try await server.send(.GET, "/p/\(String(tampered)).gif", headers: [("User-Agent", Self.browser)]).status == 404)
            #expect(try await server.send(.POST, "/u/\(String(tampered))", body: Array("List-Unsubscribe=One-Click".utf8)).status == 404)
            #expect(try await server.count("SELECT count(*)::int FROM events WHERE kind = 'click'") == 1)
        }
    }

    @Test func opensFromPeopleCountAndOpensFromMailProxiesAndScannersAreMarkedAsBots() async throws {
        try await TestServer.live { server in
            let sent = try await Self.send(on: server)
            let person = try await server.send(.GET, "/p/\(sent.tokens[0]).gif", headers: [("User-Agent", Self.browser)])
            #expect(person.status == 200 && person.headers.first(name: "Content-Type") == "image/gif")
            // Apple Mail Privacy Protection, Google's image proxy, and a browser-like hit one second after delivery.
            _ = try await server.send(.GET, "/p/\(sent.tokens[1]).gif", headers: [("User-Agent", "Mozilla/5.0")])
            _ = try await server.send(
                .GET,
                "/p/\(sent.tokens[2]).gif",
                headers: [("User-Agent", "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)")]
            )
            _ = try await server.send(.GET, "/p/\(sent.tokens[5]).gif", headers: [("User-Agent", Self.browser)])
            #expect(try await server.count("SELECT count(*)::int FROM events WHERE kind = 'open' AND NOT is_bot") == 1)
            #expect(
                try await server.count("SELECT count(*)::int FROM events WHERE kind = 'open' AND NOT is_bot AND message_id = \(sent.messages[0])")
                    == 1
            )
            #expect(try await server.count("SELECT count(*)::int FROM events WHERE kind = 'open' AND is_bot") == 3)
            #expect(try await server.count("SELECT coalesce(sum(count), 0)::int FROM variant_hourly WHERE kind = 'open'") == 1)
            // Opens are neither trials nor successes: the impressions are the messages sent.
            #expect(try await server.count("SELECT sum(count)::int FROM variant_hourly WHERE kind = 'impression'") == 6)
        }
    }

    @Test func theUnsubscribePageChangesNothingAndOneClickWorksFromThePostAlone() async throws {
        try await TestServer.live { server in
            let sent = try await Self.send(on: server)
            let page = try await server.send(.GET, "/u/\(sent.tokens[0])", headers: [("User-Agent", Self.browser)])
            #expect(page.status == 200)
            #expect(page.headers.first(name: "Content-Type")?.hasPrefix("text/html") == true)
            #expect(page.text.contains(#"<form method="post" action="/u/\#(sent.tokens[0])">"#))
            #expect(!page.text.lowercased().contains("<script"))
            #expect(!page.text.contains("@example.com"))
            #expect(try await server.count("SELECT count(*)::int FROM contacts WHERE consent <> 'subscribed'") == 0)

            // RFC 8058: the mail provider posts this body, with no cookie and no browser.
            let oneClick = try await server.send(.POST, "/u/\(sent.tokens[0])", body: Array("List-Unsubscribe=One-Click".utf8))
            #expect(oneClick.status == 200)
            let form = try await server.send(.POST, "/u/\(sent.tokens[1])", body: Array("confirm=yes".utf8), headers: [("User-Agent", Self.browser)])
            #expect(form.status == 200 && form.text.contains("unsubscribed"))
            #expect(try await server.count("SELECT count(*)::int FROM events WHERE kind = 'unsubscribe'") == 2)
            #expect(
                try await server.count(
                    """
                    SELECT count(*)::int FROM contacts c JOIN messages m ON m.contact_id = c.id
                    JOIN consent_changes cc ON cc.contact_id = c.id
                    WHERE m.id = \(sent.messages[0]) AND c.consent = 'unsubscribed' AND cc.source = 'one_click'
                    """
                ) == 1
            )
            #expect(
                try await server.count(
                    """
                    SELECT count(*)::int FROM contacts c JOIN messages m ON m.contact_id = c.id
                    JOIN consent_changes cc ON cc.contact_id = c.id
                    WHERE m.id = \(sent.messages[1]) AND c.consent = 'unsubscribed' AND cc.source = 'unsubscribe_page'
                    """
                ) == 1
            )
            #expect(try await server.send(.GET, "/u/nosuchtoken").status == 404)
        }
    }
}
