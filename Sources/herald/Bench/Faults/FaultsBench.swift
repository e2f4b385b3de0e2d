import ArgumentParser
import AsyncHTTPClient
import EmbeddedPostgres
import Foundation
import HeraldCore
import Jobs
import Logging
import NIOCore
import NIOHTTP1
import Storage
import Synchronization

/// `herald bench faults`: the fault suite. Faults injected on loopback into a Herald of its own (a fresh home, its
/// embedded cluster, real `herald serve` and `herald worker` processes): worker kills, a database crash and restart, a
/// database outage, half-open connections, token guessing, and sustained load. Prints one row per scenario, then one
/// JSON line; losses, duplicates and 5xx answers during faults must all be 0.
struct FaultsBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "faults",
        abstract: "The fault suite: kills, database restart and outage, half-open connections, token guessing, sustained load.",
        discussion: """
            Runs in a home of its own under /tmp with its own embedded cluster (DATABASE_URL is ignored: the suite stops \
            and crashes that cluster). --quick runs every scenario smaller (about 2 minutes); the full run takes about 6. \
            Exits 1 when any loss, duplicate, 5xx or other problem was seen. Build with -c release before quoting figures.
            """
    )

    @Option(help: "Jobs run while workers are killed.") var jobs: Int = 5_000
    @Option(help: "Worker kills (kill -9).") var kills: Int = 20
    @Option(help: "Seconds events stream around the database restart.") var restartSeconds: Double = 12
    @Option(help: "Seconds the database stays down.") var outageSeconds: Double = 30
    @Option(help: "Half-open connections.") var halfOpen: Int = 2_000
    @Option(help: "Seconds the half-open connections are held.") var halfOpenSeconds: Double = 30
    @Option(help: "Random tokens tried.") var guesses: Int = 2_000
    @Option(help: "Seconds of sustained ingest, and of jobs enqueued while draining.") var loadSeconds: Double = 60
    @Flag(help: "Every scenario smaller (for CI).") var quick = false
    @Option(help: "Only these scenarios, comma-separated: kills, restart, outage, half-open, tokens, load.") var only: String?

    /// What every scenario shares: the workspace's API token, a dry-run campaign and its variants, a tracking code.
    struct Setup: Sendable {
        var token: String
        var campaign: CampaignID
        var variants: [VariantID]
        var trackingCode: String
    }

    func run() async throws {
        var logger = Logger(label: "herald.bench.faults")
        logger.logLevel = .error
        let scale = quick
        let jobs = scale ? min(self.jobs, 1_000) : self.jobs
        let kills = scale ? min(self.kills, 5) : self.kills
        let restartSeconds = scale ? min(self.restartSeconds, 6) : self.restartSeconds
        let outageSeconds = scale ? min(self.outageSeconds, 8) : self.outageSeconds
        let halfOpen = scale ? min(self.halfOpen, 300) : self.halfOpen
        let halfOpenSeconds = scale ? min(self.halfOpenSeconds, 8) : self.halfOpenSeconds
        let guesses = scale ? min(self.guesses, 400) : self.guesses
        let loadSeconds = scale ? min(self.loadSeconds, 10) : self.loadSeconds
        let chosen = Set((only ?? "kills,restart,outage,half-open,tokens,load").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })

        let rig = try await FaultRig.make(logger: logger)
        var results: [FaultFigures] = []
        do {
            // Each scenario counts on a pool of its own: one that lived through a crash may still be backing off.
            let (setup, workspace) = try await rig.withFreshDatabase { database in
                try await Migrator(migrations: try Migration.bundled()).migrate(database)
                return (try await Self.setUp(database, logger: logger), try await WorkspaceStore(database).ensure(slug: "default"))
            }
            func scenario(_ name: String, _ body: (Database) async throws -> FaultFigures) async throws {
                guard chosen.contains(name) else { return }
                let result = try await rig.withFreshDatabase { try await body($0) }
                results.append(result)
                Self.printRow(result)
            }
            try await scenario("kills") { try await Self.workerKills(rig, $0, workspace: workspace, jobs: jobs, kills: kills, logger: logger) }
            try await scenario("restart") { try await Self.databaseRestart(rig, $0, setup: setup, seconds: restartSeconds, logger: logger) }
            try await scenario("outage") { try await Self.databaseOutage(rig, $0, setup: setup, seconds: outageSeconds, logger: logger) }
            try await scenario("half-open") { _ in try await Self.halfOpenConnections(rig, count: halfOpen, seconds: halfOpenSeconds) }
            try await scenario("tokens") { _ in try await Self.tokenGuessing(rig, setup: setup, count: guesses) }
            try await scenario("load") { try await Self.sustainedLoad(rig, $0, setup: setup, seconds: loadSeconds) }
        } catch {
            await rig.tearDown()
            throw error
        }
        await rig.tearDown()
        var scenarios: [String: AnyEncodable] = [:]
        for result in results {
            var object: [String: AnyEncodable] = [
                "faults": AnyEncodable(result.faults), "checked": AnyEncodable(result.checked), "losses": AnyEncodable(result.losses),
                "duplicates": AnyEncodable(result.duplicates), "server_errors": AnyEncodable(result.serverErrors),
                "problems": AnyEncodable(result.problems),
            ]
            for (name, value) in result.figures { object[name] = AnyEncodable(value) }
            scenarios[result.scenario] = AnyEncodable(object)
        }
        let json: [String: AnyEncodable] = [
            "bench": AnyEncodable("faults"), "quick": AnyEncodable(scale), "scenarios": AnyEncodable(scenarios),
            "faults": AnyEncodable(results.map(\.faults).reduce(0, +)), "checked": AnyEncodable(results.map(\.checked).reduce(0, +)),
            "losses": AnyEncodable(results.map(\.losses).reduce(0, +)), "duplicates": AnyEncodable(results.map(\.duplicates).reduce(0, +)),
            "server_errors": AnyEncodable(results.map(\.serverErrors).reduce(0, +)),
            "passed": AnyEncodable(results.allSatisfy(\.passed)),
        ]
        print(try Terminal.json(json, pretty: false))
        if !results.allSatisfy(\.passed) { throw ExitCode(1) }
    }

    /// The workspace's admin token, a dry-run campaign with two variants, and a publication's tracking code.
    static func setUp(_ database: Database, logger: Logger) async throws -> Setup {
        let workspace = try await WorkspaceStore(database).ensure(slug: "default")
        let token = try await TokenStore(database).create(workspace: workspace, role: .admin, name: "faults").secret
        let spec = try CampaignSpec(
            name: "Faults \(UUID().uuidString.prefix(6))",
            channels: [.x],
            destination: "https://shop.example.com/sale",
            variants: [.init(key: "A", text: "Trail season is here."), .init(key: "B", text: "Ready for your first ultra?")],
            dryRun: true
        )
        let campaign = try await CampaignStore(database, workspace: workspace).create(spec)
        let fire = CampaignFire(database: database, publicURL: "https://h.example", logger: logger)
        guard let publication = try await fire.fire(campaign, at: Date().addingTimeInterval(-60), now: Date()).first else {
            throw CommandFailure(message: "the fault suite's campaign made no publication")
        }
        return Setup(token: token, campaign: campaign.id, variants: campaign.variants.map(\.id), trackingCode: publication.trackingCode)
    }

    static func printRow(_ result: FaultFigures) {
        let verdict = result.passed ? "ok" : "FAILED"
        print(
            "\(result.scenario.padding(toLength: 34, withPad: " ", startingAt: 0)) faults \(result.faults)  checked \(result.checked)  "
                + "lost \(result.losses)  doubled \(result.duplicates)  5xx \(result.serverErrors)  \(verdict)"
        )
        print("    " + result.figures.map { "\($0.0)=\($0.1)" }.joined(separator: "  "))
        for problem in result.problems { print("    problem: \(problem)") }
    }
}
