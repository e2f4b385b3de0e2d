import ArgumentParser
import AsyncHTTPClient
import Foundation
import HTTPAPI
import HeraldCore
import Hummingbird
import Jobs
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Storage

/// `herald bench pages`: the back office's page weights and render times with a campaign of 1,000 scheduled
/// publications, through a real `herald serve` router on loopback.
struct PagesBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pages",
        abstract: "Back-office page weight (HTML + CSS bytes) and p50/p99 render time of the campaign page and the calendar.",
        discussion: """
            Seeds a campaign with --publications scheduled publications (spread over the coming week) in a database of \
            its own (herald_bench), serves the router of `herald serve` on a loopback port, signs a person in and \
            fetches each page --requests times, one request at a time. The baseline is GET /healthz through the same \
            server and client, measured in the same run; the ratios are page time over baseline time.
            """
    )

    @Option(help: "Scheduled publications of the bench campaign.") var publications: Int = 1_000
    @Option(help: "Requests per measured page.") var requests: Int = 200

    func validate() throws {
        guard publications >= 1, requests >= 10 else {
            throw ArgumentParser.ValidationError("--publications must be at least 1 and --requests at least 10")
        }
    }

    func run() async throws {
        let logger = Logger(label: "herald.bench")
        let session = DatabaseSession(configuration: HeraldConfiguration(), logger: logger)
        let target = try await session.resolve().with(database: "herald_bench")
        try await Database.createDatabaseIfMissing(target, logger: logger)
        let (publications, requests) = (self.publications, self.requests)
        let result = try await Database.withDatabase(target, logger: logger) { database in
            try await Migrator(migrations: try Migration.bundled()).migrate(database)
            let seeded = try await Self.seed(database, publications: publications)
            return try await Self.measure(database, seeded: seeded, requests: requests, logger: logger)
        }
        print("page                         HTML bytes  + CSS bytes")
        for (name, bytes) in result.weights.sorted(by: { $0.key < $1.key }) {
            print(name.padding(toLength: 28, withPad: " ", startingAt: 0) + String(format: " %10d  %11d", bytes, result.cssBytes))
        }
        print("")
        print("route                        p50 ms     p99 ms     ratio p99 to baseline")
        for (name, timing) in [("baseline /healthz", result.baseline), ("campaign page", result.campaign), ("calendar month", result.calendar)] {
            print(
                name.padding(toLength: 28, withPad: " ", startingAt: 0)
                    + String(format: " %7.2f    %7.2f    %6.1fx", timing.p50, timing.p99, timing.p99 / result.baseline.p99)
            )
        }
        func rounded(_ value: Double) -> Double { (value * 100).rounded() / 100 }
        let json: [String: any Encodable & Sendable] = [
            "bench": "pages", "publications": publications, "requests": requests, "css_bytes": result.cssBytes,
            "page_bytes": result.weights.mapValues { $0 + result.cssBytes }, "html_bytes": result.weights,
            "baseline_p50_ms": rounded(result.baseline.p50), "baseline_p99_ms": rounded(result.baseline.p99),
            "campaign_p50_ms": rounded(result.campaign.p50), "campaign_p99_ms": rounded(result.campaign.p99),
            "calendar_p50_ms": rounded(result.calendar.p50), "calendar_p99_ms": rounded(result.calendar.p99),
            "campaign_ratio": rounded(result.campaign.p99 / result.baseline.p99),
            "calendar_ratio": rounded(result.calendar.p99 / result.baseline.p99),
        ]
        print(try Terminal.json(json.mapValues { AnyEncodable($0) }, pretty: false))
    }

    struct Seeded {
        var slug: String
        var sessionSecret: String
    }

    struct Timing {
        var p50: Double
        var p99: Double
    }

    struct Result {
        var weights: [String: Int]
        var cssBytes: Int
        var baseline: Timing
        var campaign: Timing
        var calendar: Timing
    }

    /// A workspace of its own, an admin with a session, and a campaign with a daily schedule and `publications`
    /// scheduled publications over the coming week.
    static func seed(_ database: Database, publications: Int) async throws -> Seeded {
        let run = UUID().uuidString.prefix(8).lowercased()
        let workspace = try await WorkspaceStore(database).ensure(slug: "bench-pages-\(run)")
        let user = try await UserStore(database).create(workspace: workspace, email: "bench-\(run)@example.com", role: .admin, passwordHash: nil)
        let started = try await SessionStore(database, idle: .seconds(3_600)).start(user: user, lifetime: .seconds(3_600))
        let spec = try CampaignSpec(
            name: "Pages bench \(run)",
            slug: "pages-bench-\(run)",
            channels: [.x, .linkedin],
            schedule: CampaignSpec.Schedule(cron: "0 9 * * MON-FRI", tz: "Europe/Berlin"),
            variants: [
                CampaignSpec.Variant(key: "A", text: "Trail season is here. 20% off this weekend."),
                CampaignSpec.Variant(key: "B", text: "Ready for your first ultra? Shop the sale."),
            ],
            dryRun: true
        )
        let now = Date()
        let schedule = try CampaignSchedule.validate(spec).map { CampaignSchedule.attachment($0, now: now) }
        let store = CampaignStore(database, workspace: workspace)
        let campaign = try await store.create(spec, schedule: schedule)
        let step = 7 * 86_400 / Double(publications)
        try await BenchFixtures(database).scheduledPublications(
            workspace: workspace,
            campaign: campaign.id,
            variants: campaign.variants.map(\.id),
            channels: ["x", "linkedin"],
            times: (0..<publications).map { now.addingTimeInterval(60 + Double($0) * step) }
        )
        return Seeded(slug: campaign.slug, sessionSecret: started.secret)
    }

    /// Serves the router of `herald serve` on a free loopback port and measures the pages.
    static func measure(_ database: Database, seeded: Seeded, requests: Int, logger: Logger) async throws -> Result {
        let settings = ServerSettings(host: "127.0.0.1", port: 0)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let application = HeraldServer.buildApplication(database: database, settings: settings, logger: logger) { continuation.yield($0) }
        let services = ServiceGroup(configuration: .init(services: [application], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await services.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw CommandFailure(message: "the server did not start") }
            let client = HTTPClient(eventLoopGroupProvider: .singleton)
            do {
                let base = "http://127.0.0.1:\(port)"
                let cookie = "herald_session=\(seeded.sessionSecret)"
                let pages = [
                    ("campaigns", "/app"), ("campaign", "/app/campaigns/\(seeded.slug)"),
                    ("schedule editor", "/app/campaigns/\(seeded.slug)/schedule"), ("calendar week", "/app/calendar?view=week"),
                    ("calendar month", "/app/calendar?view=month"),
                ]
                var weights: [String: Int] = [:]
                for (name, path) in pages {
                    let (status, bytes) = try await fetch(client, base + path, cookie: cookie)
                    guard status == 200 else { throw CommandFailure(message: "\(path) answered \(status)") }
                    weights[name] = bytes
                }
                let (cssStatus, cssBytes) = try await fetch(client, base + "/app/static/app.css", cookie: nil)
                guard cssStatus == 200 else { throw CommandFailure(message: "the stylesheet answered \(cssStatus)") }
                let baseline = try await time(client, base + "/healthz", cookie: nil, requests: requests)
                let campaign = try await time(client, base + "/app/campaigns/\(seeded.slug)", cookie: cookie, requests: requests)
                let calendar = try await time(client, base + "/app/calendar?view=month", cookie: cookie, requests: requests)
                try await client.shutdown()
                await services.triggerGracefulShutdown()
                try await group.waitForAll()
                return Result(weights: weights, cssBytes: cssBytes, baseline: baseline, campaign: campaign, calendar: calendar)
            } catch {
                try? await client.shutdown()
                await services.triggerGracefulShutdown()
                throw error
            }
        }
    }

    static func fetch(_ client: HTTPClient, _ url: String, cookie: String?) async throws -> (Int, Int) {
        var request = HTTPClientRequest(url: url)
        if let cookie { request.headers.add(name: "Cookie", value: cookie) }
        let response = try await client.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 64 << 20)
        return (Int(response.status.code), body.readableBytes)
    }

    /// p50 and p99 in milliseconds of `requests` sequential GETs of `url` (after ten unmeasured ones).
    static func time(_ client: HTTPClient, _ url: String, cookie: String?, requests: Int) async throws -> Timing {
        for _ in 0..<10 { _ = try await fetch(client, url, cookie: cookie) }
        var samples: [Double] = []
        let clock = ContinuousClock()
        for _ in 0..<requests {
            let started = clock.now
            let (status, _) = try await fetch(client, url, cookie: cookie)
            guard status == 200 else { throw CommandFailure(message: "\(url) answered \(status)") }
            let elapsed = clock.now - started
            samples.append(Double(elapsed.components.seconds) * 1_000 + Double(elapsed.components.attoseconds) / 1e15)
        }
        samples.sort()
        func quantile(_ q: Double) -> Double { samples[min(samples.count - 1, Int((Double(samples.count) * q).rounded(.up)) - 1)] }
        return Timing(p50: quantile(0.5), p99: quantile(0.99))
    }
}
