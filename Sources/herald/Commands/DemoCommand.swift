import Analytics
import ArgumentParser
import Foundation
import HeraldCore
import Logging
import Storage

/// `herald demo`: the real loop on a simulated audience, in one command (see ``DemoLoop``).
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run Herald's real loop on a seeded SIMULATED audience, on a fast-forwarded clock, and write its report.",
        discussion: """
            In its own database (herald_demo, replaced on every run, so the fast clock never touches your campaigns): a \
            brief, the generate_variants job writes four variants, the demo approves them (and says so), the schedule \
            fires through the scheduler and the job queue, publish jobs post through the webhook connector to a local \
            receiver (dry run: nothing leaves this machine), a simulated audience follows the tracking links of an \
            in-process herald serve, daily analyze jobs run, autopilot acts in auto mode, and reports are written.
            """
    )

    @Option(help: "Days of simulated traffic.") var days: Int = 14
    @Option(help: "Seed of the simulation (same seed, same audience).") var seed: UInt64 = 42
    @Option(help: "The reports folder.") var out: String = "reports"
    @Option(help: "Workspace for the demo campaign (in the demo's database).") var workspace: String = "demo"

    func validate() throws {
        guard (1...120).contains(days) else {
            throw ArgumentParser.ValidationError("--days must be between 1 and 120")
        }
    }

    func run() async throws {
        var configuration = HeraldConfiguration()
        configuration.workspace = workspace
        let logger = Logger(label: "herald.demo")
        let session = DatabaseSession(configuration: configuration, logger: logger)
        let main = try await session.resolve()
        let target = main.with(database: Self.databaseName(main.database))
        // A fresh database each run: the demo's campaign, jobs and events replace the previous run's (sessions still
        // on the last run's database, such as a `herald serve` started to look around, are ended).
        try await Database.withDatabase(main.with(database: "postgres"), logger: logger) { admin in
            try await admin.dropDatabaseIfExists(named: target.database, force: true)
            try await admin.createDatabase(named: target.database)
        }
        let today = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 / 86_400).rounded(.down) * 86_400)
        let start = today.addingTimeInterval(-Double(days) * 86_400)

        print("Herald demo: \(days) days of a SIMULATED audience (seed \(seed)); these are not real people.")
        print(
            "Database: \(target.database) (\(configuration.databaseURL == nil ? "embedded cluster in \(configuration.clusterDirectory.path)" : "the server of DATABASE_URL")), replaced on every run."
        )
        print("Clock: fast-forwarded from \(Timestamp.format(start)) to \(Timestamp.format(today)).")
        let outcome = try await Database.withDatabase(target, logger: logger) { database in
            try await Migrator(migrations: try Migration.bundled()).migrate(database)
            let workspaceID = try await WorkspaceStore(database).ensure(slug: workspace)
            let outcome = try await DemoLoop(
                database: database,
                workspace: workspaceID,
                days: days,
                seed: seed,
                out: URL(fileURLWithPath: out),
                logger: logger,
                start: start
            ).run { print($0) }
            // A person to look around the back office as: a one-time link that sets their password.
            let invited = try await UserStore(database).invite(workspace: workspaceID, email: Self.demoUser, role: .admin)
            return (outcome, invited.secret)
        }
        Self.summarize(outcome.0, days: days, workspace: workspace, target: target)
        let serve = target.password == nil ? "DATABASE_URL=\(target.url) herald serve" : "herald serve with DATABASE_URL naming \(target.database)"
        print(
            "Back office: \(serve), then open \(configuration.publicURL)/app/invite/\(outcome.1) "
                + "(a one-time sign-in link for \(Self.demoUser), admin of workspace \(workspace): it sets a password; valid for 7 days)."
        )
    }

    /// The person the demo invites to its back office.
    static let demoUser = "demo@example.com"

    /// The demo's database: the main one's name with `_demo`.
    static func databaseName(_ main: String) -> String { main + "_demo" }

    static func summarize(_ outcome: DemoLoop.Outcome, days: Int, workspace: String, target: DatabaseConfiguration) {
        let score = outcome.score
        print("")
        print("Campaign \(outcome.campaign.slug) (\(outcome.campaign.name)) in workspace \(workspace)")
        print(
            "Posts: \(outcome.publications) published through the webhook connector; the local receiver kept \(outcome.received) (one per publication; \(outcome.receiverRequests) requests). Dry run: nothing left this machine."
        )
        print(
            "SIMULATION: \(Terminal.grouped(outcome.impressions)) impressions posted to POST /v1/events, \(Terminal.grouped(outcome.clicks)) clicks through the tracking links; \(outcome.analyses) daily analyses."
        )
        print("")
        print("VARIANT        IMPRESSIONS   CLICKS   RATE    P(BEST)   TRUE RATE (SIMULATION)")
        for arm in score.arms {
            print(
                arm.id.padding(toLength: 13, withPad: " ", startingAt: 0) + "  "
                    + Terminal.grouped(arm.trials).leftPadded(11) + "  " + Terminal.grouped(arm.successes).leftPadded(7) + "  "
                    + String(format: "%5.2f%%", arm.rate * 100) + "  " + String(format: "%6.1f%%", arm.pBest * 100) + "   "
                    + String(format: "%5.2f%%", (outcome.contentRates[arm.id] ?? 0) * 100)
            )
        }
        print("")
        print("HTML report: \(outcome.written.count > 1 ? outcome.written[1].latest.path : "")")
        print("Report: \(outcome.written.first?.latest.path ?? "")")
        print("Overview: \(outcome.overview.path)")
        if let winner = score.recommendations.first(where: { $0.action == .declareWinner })?.arm {
            print("Winner: \(winner) (declared on evidence that holds under daily looks).")
        } else if let leader = score.arms.max(by: { $0.pBest < $1.pBest }) {
            print("Winner: none declared yet; the leader is \(leader.id) (P(best) \(String(format: "%.1f%%", leader.pBest * 100))).")
        }
        print("In the simulation the truly best of the four generated variants is \(outcome.truthBest).")
        print("Autopilot (auto mode) did \(outcome.actions.count) thing\(outcome.actions.count == 1 ? "" : "s"):")
        for action in outcome.actions {
            print(
                "  \(Timestamp.format(action.createdAt)) \(action.kind) (\(action.state)\(action.decidedBy.map { " by \($0)" } ?? "")): \(action.reason)"
            )
        }
        let (autopilot, fixed) = outcome.regret
        let ratio = fixed > 0 ? String(format: " (autopilot %.0f%% of the fixed split's)", autopilot / fixed * 100) : ""
        print(
            "Regret (SIMULATION ground truth: expected clicks lost against always posting the truly best variant, same posts, same audience): "
                + String(format: "autopilot %.0f, fixed equal split %.0f", autopilot, fixed) + ratio + "."
        )
        if target.password == nil {
            print("Look around: DATABASE_URL=\(target.url) herald serve (then /app), or herald campaigns show \(outcome.campaign.slug) with it.")
        }
    }
}
