import ArgumentParser
import Connectors
import Crypto
import Foundation
import HeraldCore
import Jobs
import Logging
import PlatformStandIns
import Scheduling
import Storage

/// `herald bench publish`: publications per second through the delivery state machine to a real webhook receiver on
/// loopback (signature checked, duplicates kept once), with W workers, against the receiver's own throughput measured
/// in the same run (the same signed posts sent straight to it); then the latency from a fire to the post's arrival
/// with idle workers.
struct PublishBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Publications/s to the local webhook receiver with W workers (baseline: the same posts sent straight to it), and fire-to-post p99.",
        discussion: """
            Runs in a database of its own (herald_bench) on the embedded cluster or on DATABASE_URL's server. \
            Each of --accounts webhook accounts has one sender at a time (the state machine's rule), so the accounts \
            bound the concurrency; the baseline sends with the same concurrency. Build with -c release before quoting figures.
            """
    )

    @Option(help: "Publications to drain.") var publications: Int = 2_000
    @Option(help: "Worker loops.") var workers: Int = 4
    @Option(help: "Webhook accounts the publications are spread over.") var accounts: Int = 8
    @Option(help: "Fires sent one by one for the latency measurement.") var lagFires: Int = 100

    func validate() throws {
        guard publications >= 1, workers >= 1, accounts >= 1, lagFires >= 1 else {
            throw ArgumentParser.ValidationError("--publications, --workers, --accounts and --lag-fires must be at least 1")
        }
    }

    func run() async throws {
        var logger = Logger(label: "herald.bench")
        logger.logLevel = .error
        let session = DatabaseSession(configuration: HeraldConfiguration(), logger: logger)
        var target = try await session.resolve().with(database: "herald_bench")
        target.maximumConnections = workers * 3 + 8
        try await Database.createDatabaseIfMissing(target, logger: logger)
        let (publications, workers, accounts, lagFires) = (self.publications, self.workers, self.accounts, self.lagFires)
        let receiver = WebhookReceiver(secret: "bench-secret")
        let result = try await StandInServer.run(receiver.router(), logger: logger) { base in
            try await Database.withDatabase(target, logger: logger) { database in
                try await Migrator(migrations: try Migration.bundled()).migrate(database)
                try await BenchFixtures(database).emptyJobTables()
                return try await Self.measure(
                    database,
                    receiver: receiver,
                    url: base + "/hook",
                    publications: publications,
                    workers: workers,
                    accounts: accounts,
                    lagFires: lagFires,
                    logger: logger
                )
            }
        }
        print("system     publications  workers  accounts  per/s      fire-to-post p50 ms  p99 ms")
        print(String(format: "receiver   %12d  %7d  %8d  %9.0f", publications, workers, accounts, result.baseline))
        print(
            String(
                format: "herald     %12d  %7d  %8d  %9.0f  %19.1f  %6.1f",
                publications,
                workers,
                accounts,
                result.perSecond,
                result.lagP50,
                result.lagP99
            )
        )
        let json: [String: any Encodable & Sendable] = [
            "bench": "publish", "publications": publications, "workers": workers, "accounts": accounts,
            "per_s": (result.perSecond * 10).rounded() / 10, "baseline_per_s": (result.baseline * 10).rounded() / 10,
            "ratio": (result.perSecond / result.baseline * 1000).rounded() / 1000,
            "fire_to_post_p50_ms": (result.lagP50 * 10).rounded() / 10, "fire_to_post_p99_ms": (result.lagP99 * 10).rounded() / 10,
            "delivered": result.delivered,
        ]
        print(try Terminal.json(json.mapValues { AnyEncodable($0) }, pretty: false))
    }

    struct Result {
        var perSecond: Double
        var baseline: Double
        var lagP50: Double
        var lagP99: Double
        var delivered: Int
    }

    static func measure(
        _ database: Database,
        receiver: WebhookReceiver,
        url: String,
        publications: Int,
        workers: Int,
        accounts: Int,
        lagFires: Int,
        logger: Logger
    ) async throws -> Result {
        let workspace = try await WorkspaceStore(database).ensure(slug: "bench-publish-\(UUID().uuidString.prefix(8).lowercased())")
        let secrets = SecretBox(key: SymmetricKey(size: .bits256))
        let store = AccountStore(database, workspace: workspace, secrets: secrets)
        var campaigns: [Campaign] = []
        for index in 0..<accounts {
            let name = "hook-\(index)"
            _ = try await store.connect(
                name: name,
                kind: .webhook,
                baseURL: url,
                handle: nil,
                credentials: Credentials(signingSecret: "bench-secret"),
                followers: nil,
                pace: AccountPace(perHour: 36_000_000, burst: Double(publications + lagFires))
            )
            let spec = try CampaignSpec(
                name: "Bench \(index)",
                channels: [.webhook],
                destination: "https://shop.example.com",
                variants: [.init(key: "A", text: "Trail season is here.")],
                accounts: [.webhook: name]
            )
            campaigns.append(try await CampaignStore(database, workspace: workspace).create(spec))
        }

        // Baseline: the same signed posts straight to the receiver, as many at once as Herald may send (one per account).
        let baselinePosts = min(publications, 1_000)
        let connector = WebhookConnector(http: PlatformHTTP())
        let account = ConnectedAccount(name: "direct", kind: .webhook, baseURL: url, credentials: Credentials(signingSecret: "bench-secret"))
        let baselineStart = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for lane in 0..<accounts {
                group.addTask {
                    var index = lane
                    while index < baselinePosts {
                        let post = OutgoingPost(
                            publication: UUID(),
                            channel: .webhook,
                            text: "Trail season is here.",
                            trackingURL: "https://h.example/r/x"
                        )
                        _ = try await connector.publish(post, idempotencyKey: "baseline-\(index)", account: account)
                        index += accounts
                    }
                }
            }
            try await group.waitForAll()
        }
        let baseline = Double(baselinePosts) / (ContinuousClock.now - baselineStart).seconds
        let before = receiver.deliveries.count

        // Throughput: every publication due at once, W workers drain them.
        let fire = CampaignFire(database: database, publicURL: "https://h.example", logger: logger)
        let due = Date()
        for index in 0..<publications {
            // Distinct fire instants (a fire is idempotent per instant), all due.
            _ = try await fire.fire(campaigns[index % accounts], at: due.addingTimeInterval(-Double(index / accounts) - 1), now: due)
        }
        let handlers = JobHandlers.standard(
            reportsDirectory: FileManager.default.temporaryDirectory,
            publicURL: "https://h.example",
            accounts: StoredAccountConnections(database: database, secrets: secrets)
        )
        return try await withThrowingTaskGroup(of: Void.self) { group in
            let started = ContinuousClock.now
            for index in 0..<workers {
                var configuration = WorkerConfiguration(id: "bench-\(index)")
                configuration.pollInterval = .milliseconds(50)
                let worker = Worker(database: database, handlers: handlers, clock: SystemClock(), configuration: configuration, logger: logger)
                group.addTask { try await worker.run() }
            }
            while receiver.deliveries.count - before < publications {
                try await Task.sleep(for: .milliseconds(5))
            }
            let perSecond = Double(publications) / (ContinuousClock.now - started).seconds

            // Latency: one fire at a time, idle workers woken by NOTIFY.
            try await Task.sleep(for: .milliseconds(300))
            var fired: [String: Date] = [:]
            for index in 0..<lagFires {
                let now = Date()
                let instant = due.addingTimeInterval(Double(index + 1))
                for publication in try await fire.fire(campaigns[index % accounts], at: min(instant, now), now: now) {
                    fired[publication.id.uuidString.lowercased()] = now
                }
                try await Task.sleep(for: .milliseconds(20))
            }
            while receiver.deliveries.count - before < publications + lagFires {
                try await Task.sleep(for: .milliseconds(5))
            }
            group.cancelAll()
            var lags: [Double] = []
            for delivery in receiver.deliveries {
                guard let object = try? JSONSerialization.jsonObject(with: Data(delivery.body.utf8)) as? [String: Any],
                    let id = object["id"] as? String, let at = fired[id]
                else { continue }
                lags.append(delivery.receivedAt.timeIntervalSince(at) * 1_000)
            }
            lags.sort()
            return Result(
                perSecond: perSecond,
                baseline: baseline,
                lagP50: BenchCommand.JobsBench.percentile(lags, 0.50),
                lagP99: BenchCommand.JobsBench.percentile(lags, 0.99),
                delivered: receiver.deliveries.count - before
            )
        }
    }

}
