import ArgumentParser
import Autopilot
import Foundation

/// `herald bench autopilot`: regret of autopilot against a fixed equal split and an unguarded bandit on the same
/// simulated audiences, and how often it declares a false winner.
struct AutopilotBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "autopilot",
        abstract: "Simulation: regret of autopilot vs a fixed equal split and a daily bandit, and autopilot's false-winner rate.",
        discussion: """
            SIMULATION (known true rates, no real people): campaigns of 2-4 variants, 2-6% base rates, half with no real \
            difference (to count false winners) and half with one variant 10-40% better (sometimes one worse); 30 days of \
            sends with shared day-to-day noise and a novelty that decays. Each day the policy's split decides the sends; \
            autopilot acts on the always-valid sequential analysis within its default guard rails (one change a day). \
            Regret: successes lost against always sending the truly best variant (from the true rates).
            """
    )

    @Option(help: "Simulated campaigns (each run under every policy).") var campaigns: Int = 400
    @Option(help: "Days per campaign.") var days: Int = 30
    @Option(help: "Sends per campaign per day.") var dailySends: Int = 6_000
    @Option(help: "Seed of the simulation.") var seed: UInt64 = 7

    func run() async throws {
        guard campaigns > 0, days > 0, dailySends > 0 else { throw ValidationError("--campaigns, --days and --daily-sends must be above 0") }
        let clock = ContinuousClock()
        let started = clock.now
        let result = AutopilotSimulation.run(campaigns: campaigns, days: days, dailySends: dailySends, seed: seed)
        let elapsed = clock.now - started
        let fixed = result.regret[.fixed] ?? 0
        print("SIMULATION: \(campaigns) campaigns x \(days) days x \(dailySends) sends a day, seed \(seed)")
        print("policy       regret per campaign   vs fixed split")
        for policy in AutopilotSimulation.Policy.allCases {
            let regret = result.regret[policy] ?? 0
            print(
                policy.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0)
                    + String(format: "  %19.1f   %13.2fx", regret, fixed > 0 ? regret / fixed : 0)
            )
        }
        print(
            String(
                format:
                    "autopilot: false winners %.1f%% of campaigns without a real difference; wrong winners %.1f%%, decided %.1f%% of those with one; %.1f actions a campaign (%.1f s)",
                result.falseWinnerRate * 100,
                result.wrongWinnerRate * 100,
                result.decidedRate * 100,
                result.actionsPerCampaign,
                Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            )
        )
        func rounded(_ value: Double) -> Double { (value * 10).rounded() / 10 }
        let json: [String: AnyEncodable] = [
            "bench": AnyEncodable("autopilot"),
            "simulation": AnyEncodable(true),
            "campaigns": AnyEncodable(campaigns),
            "regret": AnyEncodable(
                Dictionary(uniqueKeysWithValues: AutopilotSimulation.Policy.allCases.map { ($0.rawValue, rounded(result.regret[$0] ?? 0)) })
            ),
            "regret_ratio_vs_fixed": AnyEncodable(fixed > 0 ? ((result.regret[.autopilot] ?? 0) / fixed * 1000).rounded() / 1000 : 0),
            "false_winner_rate": AnyEncodable((result.falseWinnerRate * 1000).rounded() / 1000),
            "wrong_winner_rate": AnyEncodable((result.wrongWinnerRate * 1000).rounded() / 1000),
            "decided_rate": AnyEncodable((result.decidedRate * 1000).rounded() / 1000),
        ]
        print(try Terminal.json(json, pretty: false))
    }
}
