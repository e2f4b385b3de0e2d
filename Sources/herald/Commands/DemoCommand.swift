import Analytics
import ArgumentParser
import Foundation
import HeraldCore
import Jobs
import Logging
import Reports
import Storage

/// `herald demo`: the whole loop on a simulated audience, in one command.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run Herald end to end on a seeded simulated audience: campaign, events, daily analysis, report."
    )

    @Option(help: "Days of simulated traffic.") var days: Int = 14
    @Option(help: "Seed of the simulation (same seed, same data).") var seed: UInt64 = 42
    @Option(help: "The reports folder.") var out: String = "reports"
    @Option(help: "Workspace for the demo campaign.") var workspace: String = "demo"

    static let spec = try! CampaignSpec(
        name: "Trailblazer spring sale",
        slug: "demo-spring-sale",
        primaryMetric: .click,
        channels: [.x, .instagram],
        destination: "https://example.com/trail-shoes",
        schedule: .init(cron: "0 9 * * *", tz: "Europe/Berlin"),
        variants: [
            .init(key: "A", text: "Trail season is here. 20% off all trail shoes this weekend."),
            .init(key: "B", text: "Ready for your first ultra? Our lightest trail shoes are 20% off until Sunday."),
            .init(key: "C", text: "New season, new trails. Shop the spring sale."),
        ],
        dryRun: true
    )

    /// Mean simulated impressions per variant per weekday.
    static let impressionsPerDay = 4_000

    /// The true click rates the simulation gives A, B and C.
    static let trueRates = [0.030, 0.036, 0.027]

    func validate() throws {
        guard (1...120).contains(days) else {
            throw ArgumentParser.ValidationError("--days must be between 1 and 120")
        }
    }

    func run() async throws {
        var configuration = HeraldConfiguration()
        configuration.workspace = workspace
        let session = DatabaseSession(configuration: configuration, logger: .init(label: "herald.demo"))
        let now = Date()
        let today = Date(timeIntervalSince1970: (now.timeIntervalSince1970 / 86_400).rounded(.down) * 86_400)
        let start = today.addingTimeInterval(-Double(days) * 86_400)
        let rates = zip(Self.spec.variants, Self.trueRates).map { "\($0.key) \(String(format: "%.2f%%", $1 * 100))" }

        print("Herald demo: \(days) days of a SIMULATED audience (seed \(seed)); these are not real people.")
        print("True click rates in the simulation: \(rates.joined(separator: ", ")). Herald is not told them.")
        print("Database: \(configuration.databaseURL == nil ? "embedded cluster in \(configuration.clusterDirectory.path)" : "DATABASE_URL")")

        let result = try await session.run { database, workspaceID in
            let campaigns = CampaignStore(database, workspace: workspaceID)
            if let previous = try? await campaigns.find(Self.spec.slug) {
                try await campaigns.delete(previous.id)
            }
            let campaign = try await campaigns.create(Self.spec)

            // Simulate, write the audience's events as CSV, and load them through the import path.
            var generator = SplitMix64(seed: seed)
            let simulator = AudienceSimulator(
                arms: zip(campaign.variants, Self.trueRates).map { AudienceSimulator.Arm(variant: $0.id, trueRate: $1) },
                impressionsPerDay: Self.impressionsPerDay
            )
            let events = simulator.events(days: days, start: start, using: &generator)
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("herald-demo-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let csv = folder.appendingPathComponent("simulated-events.csv")
            try Self.csv(events).write(to: csv, atomically: true, encoding: .utf8)
            let ingest = try await EventImporter(database: database, workspace: workspaceID)
                .importFile(csv, now: now, showProgress: Terminal.isInteractive)

            // Daily looks, as the analysis job would make them: when did Herald first call it?
            let daily = try await EventStore(database, workspace: workspaceID).daily(campaign: campaign.id, metric: .click)
            let firstCall = try Self.firstDecision(
                CampaignAnalysis.days(daily, variants: campaign.variants.map(\.id)),
                keys: campaign.variants.map(\.key),
                horizon: days * Self.impressionsPerDay * campaign.variants.count
            )

            let analysis = try await CampaignAnalysis(database: database, workspace: workspaceID).analyze(
                campaign,
                now: now,
                notes: ["Simulated audience (seed \(seed)), true click rates \(rates.joined(separator: ", ")): a demonstration, not real data."]
            )
            // Markdown and HTML reports, and the workspace overview that links the HTML one.
            let publisher = ReportPublisher(directory: URL(fileURLWithPath: out))
            let written = try publisher.write(analysis.report, formats: [.md, .html], at: now)
            let overview = try await publisher.writeOverview(
                database: database,
                workspace: workspaceID,
                name: try await WorkspaceStore(database).name(of: workspaceID),
                at: now
            )
            return (campaign, ingest, events.count, firstCall, analysis.score, written, overview)
        }
        let (campaign, ingest, simulated, firstCall, score, written, overview) = result

        print("")
        print("Campaign \(campaign.slug) (\(campaign.name)) in workspace \(workspace)")
        print(
            "Imported \(Terminal.grouped(ingest.accepted)) of \(Terminal.grouped(simulated)) simulated events through COPY (\(ingest.duplicates) duplicates)."
        )
        print("")
        print("VARIANT  IMPRESSIONS   CLICKS   RATE    P(BEST)")
        for arm in score.arms {
            print(
                arm.id.padding(toLength: 7, withPad: " ", startingAt: 0) + "  "
                    + Terminal.grouped(arm.trials).leftPadded(11) + "  " + Terminal.grouped(arm.successes).leftPadded(7) + "  "
                    + String(format: "%5.2f%%", arm.rate * 100) + "  " + String(format: "%6.1f%%", arm.pBest * 100)
            )
        }
        print("")
        if let firstCall {
            print(
                "Checked daily: the first call came on day \(firstCall.day) of \(days) (\(firstCall.action) \(firstCall.arm)), valid despite the daily looks."
            )
        } else {
            print("Checked daily: no call after \(days) days; a call must hold up under daily checking, so more data is needed.")
        }
        let leader = score.arms.max(by: { $0.pBest < $1.pBest })!
        print("Leading variant: \(leader.id) (P(best) \(String(format: "%.1f%%", leader.pBest * 100))).")
        for recommendation in score.recommendations {
            print("Recommendation: \(recommendation.action.rawValue)\(recommendation.arm.map { " \($0)" } ?? "") — \(recommendation.reason)")
        }
        print("")
        print("Report: \(written[0].latest.path)")
        print("HTML report: \(written[1].latest.path)")
        print("Overview: \(overview.path)")
    }

    /// The events as an import file (the format `herald import events` reads).
    static func csv(_ events: [EngagementEvent]) -> String {
        var lines = ["id,variant_id,kind,occurred_at,value"]
        lines.reserveCapacity(events.count + 1)
        for event in events {
            lines.append("\(event.id),\(event.variantID),\(event.kind.rawValue),\(Timestamp.format(event.occurredAt)),")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The first day on which a cumulative daily look yields a winner or a stop, analysed as the planned
    /// test it is: a look a day up to the planned horizon (group-sequential boundaries).
    static func firstDecision(_ days: [ReportModel.Day], keys: [String], horizon: Int) throws -> (day: Int, action: String, arm: String)? {
        var impressions = Array(repeating: 0, count: keys.count)
        var successes = Array(repeating: 0, count: keys.count)
        var looks: [Int] = []
        for (index, day) in days.enumerated() {
            for arm in keys.indices {
                impressions[arm] += day.impressions[arm]
                successes[arm] += day.successes[arm]
            }
            let input = ScoreInput(
                control: keys.first,
                arms: keys.indices.map { ScoreInput.Arm(id: keys[$0], trials: impressions[$0], successes: successes[$0]) },
                design: .init(horizon: max(horizon, impressions.reduce(0, +)), looks: looks)
            )
            looks.append(impressions.reduce(0, +))
            let score = try Scorer.score(input)
            if let call = score.recommendations.first(where: { $0.action == .declareWinner || $0.action == .stopArm }) {
                return (index + 1, call.action.rawValue, call.arm ?? "")
            }
        }
        return nil
    }
}
