import ArgumentParser
import Foundation
import HeraldCore
import Jobs
import Reports
import Scheduling
import Storage

/// `herald report CAMPAIGN`.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Analyze a campaign and write its report under DIR/<slug>/<timestamp>/, refreshing DIR/<slug>/latest/.",
        discussion: "An HTML report also refreshes the workspace overview, DIR/<workspace>/index.html."
    )

    @OptionGroup var options: CommonOptions
    @Argument(help: "The campaign's slug or id.") var campaign: String
    @Option(help: "html (one page with charts), md (tables and the recommendation), csv (per variant per day) or json (the whole model).")
    var format: ReportFormat = .md
    @Option(help: "The reports folder.") var out: String = "reports"

    func run() async throws {
        let reference = campaign
        let now = options.configuration().clock.now()
        let publisher = ReportPublisher(directory: URL(fileURLWithPath: out))
        let format = format
        let written = try await options.session().run { database, workspace in
            let found = try await CampaignStore(database, workspace: workspace).find(reference)
            let report = try await CampaignAnalysis(database: database, workspace: workspace).analyze(found, now: now).report
            let written = try publisher.write(report, formats: [format], at: now)
            if format == .html {
                let name = try await WorkspaceStore(database).name(of: workspace)
                try await publisher.writeOverview(database: database, workspace: workspace, name: name, at: now)
            }
            return written
        }
        for file in written { print(file.file.path) }
    }
}
