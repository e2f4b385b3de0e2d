import ArgumentParser
import Foundation
import Jobs
import HeraldCore
import Reports
import Storage

/// `herald report CAMPAIGN`.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Analyze a campaign and write its report under DIR/<slug>/<timestamp>/, refreshing DIR/<slug>/latest/."
    )

    @OptionGroup var options: CommonOptions
    @Argument(help: "The campaign's slug or id.") var campaign: String
    @Option(help: "md (tables and the recommendation), csv (per variant per day) or json (the whole model).")
    var format: ReportFormat = .md
    @Option(help: "The reports folder.") var out: String = "reports"

    func run() async throws {
        let reference = campaign
        let now = Date()
        let outcome = try await options.session().run { database, workspace in
            let found = try await CampaignStore(database, workspace: workspace).find(reference)
            return try await CampaignAnalysis(database: database, workspace: workspace).analyze(found, now: now).report
        }
        let written = try ReportWriter(directory: URL(fileURLWithPath: out))
            .write(try format.render(outcome), slug: outcome.campaignSlug, format: format.rawValue, at: now)
        print(written.file.path)
    }
}

extension ReportFormat: ExpressibleByArgument {}
