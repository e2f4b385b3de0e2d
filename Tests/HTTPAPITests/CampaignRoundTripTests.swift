import Channels
import Foundation
import HTTPAPI
import HeraldCore
import Jobs
import Logging
import NIOHTTP1
import PostgresNIO
import Scheduling
import Testing

@testable import Storage

/// The end-to-end check: a two-channel campaign (X and email), two variants each, scheduled and fired three
/// times; every tracking link that went out is followed on a live server, and each click must be attributed to its
/// publication, channel and variant, with nothing sent to a channel its variant was not written for.
@Suite struct CampaignRoundTripTests {
    static let browser = TrackingTests.browser

    static let campaignJSON = """
        {"name": "Trail season", "slug": "trail", "channels": ["x", "email"], "dry_run": true,
         "destination": "https://shop.example.com/shoes?ref=herald",
         "schedule": {"cron": "0 9 * * *", "tz": "Europe/Berlin", "count": 3},
         "variants": [
           {"key": "A", "channels": ["x"], "text": "Trail season is here: 20% off this weekend. https://shop.example.com/shoes"},
           {"key": "B", "channels": ["x"], "text": "Ready for your first ultra? Shop the sale."},
           {"key": "C", "channels": ["email"], "subject": "Trail season is here", "preheader": "20% off this weekend",
            "body": "Hello runner,\\n\\nOur spring sale is on: https://shop.example.com/shoes\\n\\nSee you on the trail."},
           {"key": "D", "channels": ["email"], "subject": "Your first ultra starts here", "body": "Ready for your first ultra? Shop the sale."}
         ]}
        """

    @Test func everyClickIsAttributedToItsPublicationChannelAndVariant() async throws {
        try await TestServer.live { server in
            let token = try await server.token(workspace: "acme", role: .editor)
            let created = try await server.send(.POST, "/v1/campaigns", token: token, json: Self.campaignJSON)
            #expect(created.status == 201, "\(created.text)")
            let campaignJSON = try created.json()
            #expect(campaignJSON["status"] as? String == "scheduled")
            let variantRows = try #require(campaignJSON["variants"] as? [[String: Any]])
            var variantChannels: [String: (key: String, channels: [String])] = [:]
            for row in variantRows {
                variantChannels[(row["id"] as? String ?? "").lowercased()] = (row["key"] as? String ?? "", row["channels"] as? [String] ?? [])
            }

            let base = "http://127.0.0.1:\(server.port)"
            let schedules = ScheduleStore(server.database)
            let queue = JobQueue(server.database)
            let handlers = JobHandlers.standard(reportsDirectory: FileManager.default.temporaryDirectory, publicURL: base)
            var fires: [Date] = []
            // Three fires on the schedule's own times, then a fourth due time that must fire nothing.
            for _ in 0..<4 {
                let stored = try #require(try await schedules.list().first { $0.name == "campaign:trail" })
                guard let next = stored.nextFireAt else { break }
                fires.append(next)
                let now = next.addingTimeInterval(1)
                _ = try await schedules.materializeDue(now: now) { try SchedulePlanner().plan($0, now: now) }
                try await Self.runDueJobs(queue: queue, handlers: handlers, database: server.database, now: now)
            }
            #expect(fires.count == 3, "a schedule with count 3 fires three times, then has no next fire")
            // The scheduler's next pass ends a campaign whose schedule is over and whose posts are out.
            let later = try #require(fires.last).addingTimeInterval(3_600)
            _ = try await SchedulerService(database: server.database, clock: ManualClock(now: later), logger: Logger(label: "test.scheduler"))
                .runOnce(schedules)
            let campaign = try await server.send(.GET, "/v1/campaigns/trail", token: token).json()
            #expect(campaign["status"] as? String == "ended", "a campaign whose schedule is over ends")

            // What went out: per fire one X post (A, B, A by the equal split) and both email variants.
            let rows = try await server.database.client.query(
                """
                SELECT p.id, p.channel, p.variant_id, p.tracking_code, d.body, p.scheduled_at
                FROM deliveries d JOIN publications p ON p.id = d.publication_id ORDER BY p.scheduled_at, p.channel, p.variant_id
                """,
                logger: server.database.logger
            )
            var deliveries: [(id: UUID, channel: String, variant: UUID, code: String, body: String, at: Date)] = []
            for try await row in rows.decode((UUID, String, UUID, String, String, Date).self) { deliveries.append(row) }
            #expect(deliveries.count == 9, "3 fires × (1 X post + 2 emails)")
            let xKeys = deliveries.filter { $0.channel == "x" }.map { variantChannels[$0.variant.uuidString.lowercased()]?.key ?? "?" }
            #expect(xKeys == ["A", "B", "A"])
            for fire in fires {
                let emails = deliveries.filter { $0.channel == "email" && $0.at == fire }
                #expect(Set(emails.map { variantChannels[$0.variant.uuidString.lowercased()]?.key ?? "?" }) == ["C", "D"])
            }

            var followed = 0
            for delivery in deliveries {
                let variant = try #require(variantChannels[delivery.variant.uuidString.lowercased()])
                #expect(variant.channels == [delivery.channel], "variant \(variant.key) went to \(delivery.channel)")
                #expect(!delivery.body.contains("shop.example.com"), "the raw destination went out in \(delivery.body)")
                let click = TrackingLink.clickURL(base: base, code: delivery.code)
                let links = TextScanner.links(in: delivery.body).map { String(delivery.body[$0]) }
                    .map { $0.hasSuffix("\"") ? String($0.dropLast()) : $0 }
                #expect(
                    !links.isEmpty && links.allSatisfy { $0.hasPrefix(click) || $0.hasPrefix(TrackingLink.pixelURL(base: base, code: delivery.code)) }
                )
                if delivery.channel == "x" {
                    #expect(ChannelRules.standard(for: .x).check(delivery.body).isValid)
                } else {
                    #expect(
                        delivery.body.contains("<img src=\"\(TrackingLink.pixelURL(base: base, code: delivery.code))\""),
                        "the email carries its open pixel"
                    )
                }
                // Follow the link as a reader would.
                let reply = try await server.send(.GET, "/r/\(delivery.code)", headers: [("User-Agent", Self.browser)])
                #expect(reply.status == 302)
                let location = try #require(reply.headers.first(name: "Location"))
                #expect(location.contains("utm_source=\(delivery.channel)") && location.contains("utm_content=\(variant.key)"))
                followed += 1
            }
            #expect(followed == 9)

            // A click is stored by the tracking spool's flusher shortly after its redirect.
            #expect(await server.tracking.settle())
            let clicks = try await server.database.client.query(
                "SELECT e.publication_id, e.channel, e.variant_id FROM events e WHERE e.kind = 'click' AND NOT e.is_bot",
                logger: server.database.logger
            )
            var attributed: [UUID: (channel: String, variant: UUID)] = [:]
            for try await (publication, channel, variant) in clicks.decode((UUID?, String, UUID).self) {
                attributed[try #require(publication)] = (channel, variant)
            }
            #expect(attributed.count == 9, "one click per publication")
            for delivery in deliveries {
                let click = try #require(attributed[delivery.id])
                #expect(click.channel == delivery.channel && click.variant == delivery.variant)
            }
            // The rollups read per channel: X clicks on X variants only, email clicks on email variants only.
            let perChannel = try await server.database.client.query(
                "SELECT channel, sum(count)::int FROM variant_hourly WHERE kind = 'click' GROUP BY channel ORDER BY channel",
                logger: server.database.logger
            )
            var totals: [String: Int] = [:]
            for try await (channel, count) in perChannel.decode((String, Int).self) { totals[channel] = count }
            #expect(totals == ["email": 6, "x": 3])
        }
    }

    /// Claims and runs every job due at `now` (and the jobs they enqueue) until none is left.
    static func runDueJobs(queue: JobQueue, handlers: JobHandlers, database: Database, now: Date) async throws {
        let context = JobContext(database: database, clock: ManualClock(now: now), logger: Logger(label: "test.jobs"), worker: "test")
        while true {
            let jobs = try await queue.claim(queues: ["default"], limit: 50, worker: "test", lease: 60, now: now)
            if jobs.isEmpty { return }
            for job in jobs {
                let handler = try #require(handlers[job.kind], "no handler for \(job.kind)")
                try await handler.run(job, context: context)
            }
            _ = try await queue.complete(jobs, worker: "test", now: now)
        }
    }
}
