import Analytics
import AsyncHTTPClient
import Autopilot
import Connectors
import Crypto
import Foundation
import HTTPAPI
import HeraldCore
import Hummingbird
import Jobs
import Logging
import PlatformStandIns
import Reports
import Scheduling
import ServiceLifecycle
import Storage

/// The real loop on a simulated audience, in one process: the demo's own database, a clock it moves forward, a local
/// webhook receiver, an in-process `herald serve` (HTTP routes, worker and scheduler). See ``DemoCommand``.
struct DemoLoop {
    let database: Database
    let workspace: WorkspaceID
    let days: Int
    let seed: UInt64
    let out: URL
    let logger: Logger
    /// Where the simulation begins: midnight UTC, `days` days ago (so every simulated instant is in the past).
    let start: Date

    static let slug = "demo-spring-sale"
    static let brief = """
        product: Trailblazer 2 trail shoes
        offer: 20% off this weekend
        audience: trail runners
        link: https://example.com/trail-shoes
        hashtags: [trailrunning, ultrarunning]
        benefit: grip that holds on wet rock
        proof: 12,000 runners
        """
    /// Eight posts a day, every two hours from 08:00 to 22:00 in Berlin.
    static let cron = "0 8-22/2 * * *"
    static let timeZone = "Europe/Berlin"
    /// People who see each post (the impressions a platform would report).
    static let reach = 900
    /// The simulated audience's click rate for an average post at an average hour.
    static let model = AudienceModel(baseRate: 0.03)
    /// Who approves generated variants in the demo, as the audit records it.
    static let approver = AuditActor.system("herald demo (automatic approval)", role: .approver)

    /// One post and what the simulation knew of it.
    struct Slot {
        var at: Date
        var day: Int
        var hourOfWeek: Int
        var variantKey: String
    }

    /// What the loop did, for the summary.
    struct Outcome {
        var campaign: Campaign
        var generatedKeys: [String]
        var approvedChallengers: [String]
        var slots: [Slot]
        var impressions: Int
        var clicks: Int
        var received: Int
        var receiverRequests: Int
        var publications: Int
        var analyses: Int
        var actions: [AutopilotStore.Action]
        var score: ScoreResult
        var written: [(file: URL, latest: URL)]
        var overview: URL
        var receiverURL: String
        var serverURL: String
        /// True rate of each variant (at an average hour and day), from the simulation.
        var contentRates: [String: Double]
        var regret: (autopilot: Double, fixed: Double)
        var truthBest: String
    }

    func run(progress: (String) -> Void) async throws -> Outcome {
        let clock = ManualClock(now: start)
        var random = SplitMix64(seed: seed)
        let dayFactors = AudienceModel.dayFactors(days: days, using: &random)
        let secret = "demo-\(UUID().uuidString)"
        let receiver = WebhookReceiver(secret: secret)
        let quiet = Logger(label: "herald.demo.services")
        return try await StandInServer.run(receiver.router(), logger: quiet) { receiverBase in
            let receiverURL = receiverBase + "/hook"
            progress("Receiver: \(receiverURL), a local webhook receiver the demo started (dry run: nothing leaves this machine).")

            // The workspace's webhook account points at the local receiver.
            let secrets = SecretBox(key: SymmetricKey(size: .bits256))
            _ = try await AccountStore(database, workspace: workspace, secrets: secrets).connect(
                name: "demo-receiver",
                kind: .webhook,
                baseURL: receiverURL,
                handle: "local receiver (demo)",
                credentials: Credentials(signingSecret: secret),
                followers: Self.reach
            )
            let campaign = try await createCampaign(now: clock.now())
            let (secretToken, _) = try await TokenStore(database).create(
                workspace: workspace,
                role: .editor,
                name: "herald demo: the SIMULATED audience's impressions"
            )

            // The in-process `herald serve`: its router on loopback, hits recorded at the demo's clock.
            let tracking = try TrackingPipeline(
                database: database,
                directory: nil,
                deduplicationWindow: .seconds(30),
                metrics: ServiceMetrics(),
                logger: quiet,
                now: { clock.now() }
            )
            let settings = ServerSettings(host: "127.0.0.1", port: 0, trustedProxies: ["127.0.0.1"])
            let (ports, portStream) = AsyncStream<Int>.makeStream()
            let application = HeraldServer.buildApplication(
                database: database,
                settings: settings,
                metrics: tracking.metrics,
                tracking: tracking,
                logger: quiet
            ) { port in portStream.yield(port) }
            let server = ServiceGroup(configuration: .init(services: [application], logger: quiet))
            return try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await server.run() }
                var iterator = ports.makeAsyncIterator()
                guard let port = await iterator.next(), port > 0 else { throw DemoFailure("the demo's HTTP server did not start") }
                let serverURL = "http://127.0.0.1:\(port)"
                progress("Herald: \(serverURL), an in-process `herald serve` (tracking links, POST /v1/events) with a worker and the scheduler.")

                let signals = DemoSignals()
                let handlers = JobHandlers.observing(
                    .standard(
                        reportsDirectory: out,
                        publicURL: serverURL,
                        accounts: StoredAccountConnections(database: database, secrets: secrets),
                        secrets: secrets
                    ),
                    signals: signals
                )
                var configuration = WorkerConfiguration(id: "herald-demo", concurrency: 8)
                configuration.pollInterval = .milliseconds(20)
                let worker = Worker(database: database, handlers: handlers, clock: clock, configuration: configuration, logger: quiet)
                let scheduler = SchedulerService(database: database, clock: clock, tick: .milliseconds(10), logger: quiet)
                let jobs = ServiceGroup(configuration: .init(services: [worker, scheduler], logger: quiet))
                group.addTask { try await jobs.run() }
                let client = SimulatedAudience.makeClient()
                do {
                    let outcome = try await loop(
                        campaign: campaign,
                        clock: clock,
                        signals: signals,
                        audience: SimulatedAudience(server: serverURL, token: secretToken, client: client),
                        tracking: tracking,
                        dayFactors: dayFactors,
                        receiver: receiver,
                        progress: progress
                    )
                    try await client.shutdown()
                    await jobs.triggerGracefulShutdown()
                    await server.triggerGracefulShutdown()
                    try await group.waitForAll()
                    var finished = outcome
                    finished.receiverURL = receiverURL
                    finished.serverURL = serverURL
                    return finished
                } catch {
                    try? await client.shutdown()
                    await jobs.triggerGracefulShutdown()
                    await server.triggerGracefulShutdown()
                    try? await group.waitForAll()
                    throw error
                }
            }
        }
    }

    /// The campaign, before its variants exist: a webhook post every two hours, autopilot in auto mode. A campaign is
    /// created with at least two variants: two placeholders, deleted once the generated ones are in.
    func createCampaign(now: Date) async throws -> Campaign {
        let campaigns = CampaignStore(database, workspace: workspace)
        let spec = try CampaignSpec(
            name: "Trailblazer spring sale",
            slug: Self.slug,
            primaryMetric: .click,
            channels: [.webhook],
            destination: "https://example.com/trail-shoes",
            schedule: .init(cron: Self.cron, tz: Self.timeZone),
            variants: [
                .init(key: "draft-1", text: "Placeholder until the brief's variants are generated."), .init(key: "draft-2", text: "Placeholder."),
            ],
            status: .scheduled,
            accounts: [.webhook: "demo-receiver"],
            autopilot: CampaignAutopilot(mode: .auto, rails: GuardRails(postsPerAccountPerDay: 8))
        )
        let schedule = try CampaignSchedule.validate(spec)
        return try await campaigns.create(spec, schedule: schedule.map { CampaignSchedule.attachment($0, now: now) })
    }

    func loop(
        campaign created: Campaign,
        clock: ManualClock,
        signals: DemoSignals,
        audience: SimulatedAudience,
        tracking: TrackingPipeline,
        dayFactors: [Double],
        receiver: WebhookReceiver,
        progress: (String) -> Void
    ) async throws -> Outcome {
        let campaigns = CampaignStore(database, workspace: workspace)
        let queue = JobQueue(database)
        let reviews = ReviewStore(database, workspace: workspace)

        // 1. The brief → the `generate_variants` job, through the queue and the worker.
        try await queue.enqueue([
            JobRequest(
                payload: GenerateVariantsPayload(
                    campaign: created.id,
                    workspace: workspace,
                    brief: .string(Self.brief),
                    channel: .webhook,
                    count: 4,
                    seed: seed
                ),
                runAt: clock.now(),
                workspace: workspace
            )
        ])
        try await waitUntil("the generate_variants job writes four variants") {
            try await campaigns.variants(of: created.id).filter { !$0.key.hasPrefix("draft-") }.count >= 4
        }
        for placeholder in try await campaigns.variants(of: created.id) where placeholder.key.hasPrefix("draft-") {
            try await campaigns.deleteVariant(placeholder.id, of: created.id)
        }
        let generated = try await campaigns.variants(of: created.id)
        progress("Generated: \(generated.count) variants from the brief by the generate_variants job (rule generator):")
        for variant in generated { progress("  \(variant.key): \(variant.text)") }

        // 2. Review: generated variants wait for a person; the demo approves them itself, and says so.
        for review in try await reviews.pending(campaign: created.id) {
            _ = try await reviews.decide(
                variant: review.variant,
                decision: .approve,
                comment: "approved automatically by herald demo (a person approves them in real use)",
                actor: Self.approver
            )
        }
        progress(
            "Review: herald demo approves the \(generated.count) generated variants itself (audited as \(Self.approver.reference)); in real use a person does."
        )

        // The simulation's truth for each variant: its content (and a quirk no feature captures), seeded.
        var quirks: [String: Double] = [:]
        func quirk(_ key: String) -> Double {
            if let known = quirks[key] { return known }
            var generator = SplitMix64(seed: seed ^ key.utf8.reduce(UInt64(14_695_981_039_346_656_037)) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 })
            let value = Double.random(in: 0.8...1.25, using: &generator)
            quirks[key] = value
            return value
        }
        func trueRate(_ variant: Campaign.Variant, hourOfWeek: Int, day: Int) -> Double {
            Self.model.rate(
                content: AudienceModel.Content(text: variant.text, channel: .webhook),
                quirk: quirk(variant.key),
                channel: HeraldCore.Channel.webhook.rawValue,
                hourOfWeek: hourOfWeek,
                dayFactor: dayFactors[min(day, dayFactors.count - 1)]
            )
        }

        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: Self.timeZone)!
        var slots: [Slot] = []
        var impressions = 0
        var clicks = 0
        var people = 0
        var approvedChallengers: [String] = []
        let publications = PublicationStore(database)
        var random = SplitMix64(seed: seed &+ 0x5EED)

        for day in 0..<days {
            let dayStart = start.addingTimeInterval(Double(day) * 86_400)
            let dayEnd = dayStart.addingTimeInterval(86_400)
            var dayImpressions = 0
            var dayClicks = 0
            // The day's fires by the campaign's stored schedule as it is now: autopilot may have moved its hours.
            let stored = try await ScheduleStore(database).list(workspace: workspace, campaign: created.id).first
            let schedule = try stored.map(SchedulePlanner.schedule(of:)) ?? Schedule(parsing: Self.cron, timeZone: Self.timeZone)
            let dayFires = schedule.fires(after: dayStart.addingTimeInterval(-1), through: dayEnd.addingTimeInterval(-1))
            for (index, fire) in dayFires.enumerated() {
                // On a terminal, a live bar through the day's posts (standard error); the day's line follows on standard output.
                Terminal.progress("SIMULATION day \(day + 1)/\(days)", Double(index) / Double(max(dayFires.count, 1)))
                // 3. The schedule fires through the scheduler and the queue; the publish job posts to the receiver.
                clock.advance(to: fire)
                var posted: Publication?
                try await waitUntil("the post of \(Timestamp.format(fire)) reaches the receiver") {
                    posted = try await publications.list(workspace: workspace, campaign: created.id, limit: 10_000)
                        .first { $0.scheduledAt == fire && ($0.status == "published" || $0.status == "failed") }
                    return posted != nil
                }
                guard let post = posted, post.status == "published" else {
                    throw DemoFailure("the post of \(Timestamp.format(fire)) failed: \(posted?.error ?? "no reason given")")
                }
                let campaign = try await campaigns.find(created.id)
                guard let variant = campaign.variants.first(where: { $0.id == post.variant }) else { continue }
                let components = calendar.dateComponents([.weekday, .hour], from: fire)
                let hourOfWeek = ((components.weekday! + 5) % 7) * 24 + components.hour!
                slots.append(Slot(at: fire, day: day, hourOfWeek: hourOfWeek, variantKey: variant.key))

                // 4. The simulated audience: the post's impressions as a batch, then the clickers follow its link.
                let rate = trueRate(variant, hourOfWeek: hourOfWeek, day: day)
                let clickers = BinomialSampler.sample(trials: Self.reach, probability: rate, using: &random)
                try await audience.reportImpressions(variant: variant.id, count: Self.reach, from: fire, over: 3_600, using: &random)
                clock.advance(to: fire.addingTimeInterval(20 * 60))
                let redirected = try await audience.click(code: post.trackingCode, people: clickers, firstPerson: people)
                guard redirected == clickers else {
                    throw DemoFailure("\(clickers - redirected) of \(clickers) simulated clicks were not redirected by /r/\(post.trackingCode)")
                }
                people += clickers
                dayImpressions += Self.reach
                dayClicks += clickers
            }
            Terminal.progress("SIMULATION day \(day + 1)/\(days)", 1)
            impressions += dayImpressions
            clicks += dayClicks

            // 5. The day's analysis through the queue; autopilot acts on it (auto mode).
            clock.advance(to: dayEnd.addingTimeInterval(-30 * 60))
            guard await tracking.settle() else { throw DemoFailure("the tracking spool did not store the day's clicks") }
            let before = signals.analysesDone
            try await queue.enqueue([
                JobRequest(
                    payload: AnalyzePayload(campaign: created.id, workspace: workspace),
                    runAt: clock.now(),
                    uniqueKey: "demo-analyze:\(created.id):\(day)",
                    workspace: workspace
                )
            ])
            try await waitUntil("day \(day + 1)'s analysis and autopilot") { signals.analysesDone > before }
            // Challengers autopilot queued are written by their generate_variants jobs, then wait for review.
            try await waitUntil("the queue to drain") { try await Self.idle(queue, now: clock.now()) }
            for review in try await reviews.pending(campaign: created.id) {
                _ = try await reviews.decide(
                    variant: review.variant,
                    decision: .approve,
                    comment: "challenger approved automatically by herald demo",
                    actor: Self.approver
                )
                approvedChallengers.append(review.key)
                progress("Review: herald demo approves autopilot's challenger \(review.key) itself: \(review.text)")
            }
            let campaign = try await campaigns.find(created.id)
            let shares = CampaignSplit.shares(of: campaign.variants)
            let split = campaign.variants.map { "\($0.key) \(Int(((shares[$0.id] ?? 0) * 100).rounded()))%" }.joined(separator: ", ")
            progress(
                DemoProgress.line(
                    day: day + 1,
                    of: days,
                    detail: "\(Terminal.grouped(dayImpressions)) impressions, \(Terminal.grouped(dayClicks)) clicks; split \(split)"
                )
            )
        }

        // 6. Reports, from the final analysis.
        let final = try await campaigns.find(created.id)
        let analysis = try await CampaignAnalysis(database: database, workspace: workspace).analyze(
            final,
            now: clock.now(),
            notes: [
                "SIMULATION: a simulated audience (seed \(seed)), not real people. Herald ran the real loop on it: generated variants, "
                    + "scheduled posts to a local webhook receiver, clicks through the tracking links, daily analyses and autopilot."
            ]
        )
        let publisher = ReportPublisher(directory: out)
        let written = try publisher.write(analysis.report, formats: [.md, .html], at: clock.now())
        let overview = try await publisher.writeOverview(
            database: database,
            workspace: workspace,
            name: try await WorkspaceStore(database).name(of: workspace),
            at: clock.now()
        )

        // The regret of autopilot against a fixed equal split of the four generated variants, on the same posts of the
        // same simulated audience, from the simulation's true rates (expected clicks lost against the truly best of the four).
        let original = final.variants.filter { generated.map(\.key).contains($0.key) }
        var regret = (autopilot: 0.0, fixed: 0.0)
        for (index, slot) in slots.enumerated() {
            let rates = original.map { trueRate($0, hourOfWeek: slot.hourOfWeek, day: slot.day) }
            let best = rates.max() ?? 0
            let chosen = final.variants.first { $0.key == slot.variantKey }.map { trueRate($0, hourOfWeek: slot.hourOfWeek, day: slot.day) } ?? 0
            regret.autopilot += Double(Self.reach) * (best - chosen)
            regret.fixed += Double(Self.reach) * (best - rates[index % max(rates.count, 1)])
        }
        let average = Dictionary(
            uniqueKeysWithValues: final.variants.map {
                (
                    $0.key,
                    Self.model.baseRate * Self.model.contentFactor(AudienceModel.Content(text: $0.text, channel: .webhook), quirk: quirk($0.key))
                )
            }
        )
        let truthBest = original.max { (average[$0.key] ?? 0) < (average[$1.key] ?? 0) }?.key ?? ""
        return Outcome(
            campaign: final,
            generatedKeys: generated.map(\.key),
            approvedChallengers: approvedChallengers,
            slots: slots,
            impressions: impressions,
            clicks: clicks,
            received: receiver.deliveries.count,
            receiverRequests: receiver.requests,
            publications: try await publications.list(workspace: workspace, campaign: created.id, limit: 10_000).filter { $0.status == "published" }
                .count,
            analyses: signals.analysesDone,
            actions: try await AutopilotStore(database, workspace: workspace).actions(campaign: created.id),
            score: analysis.score,
            written: written,
            overview: overview,
            receiverURL: "",
            serverURL: "",
            contentRates: average,
            regret: regret,
            truthBest: truthBest
        )
    }

    /// Whether no job is running and none is due at `now`.
    static func idle(_ queue: JobQueue, now: Date) async throws -> Bool {
        let stats = try await queue.stats(now: now)
        return stats.oldestPendingSeconds == nil && !stats.counts.values.contains { ($0["running"] ?? 0) > 0 }
    }

    /// Polls `check` until it holds; a minute without it is a failure that names `what`.
    func waitUntil(_ what: String, _ check: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while try await !check() {
            guard ContinuousClock.now < deadline else { throw DemoFailure("waited a minute for \(what); it did not happen") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}

/// The demo's line per simulated day: a bar, then what the day did.
enum DemoProgress {
    static func line(day: Int, of days: Int, detail: String) -> String {
        let width = 20
        let filled = days > 0 ? day * width / days : width
        return "SIMULATION day \(String(day).leftPadded(String(days).count))/\(days) ["
            + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] " + detail
    }
}
