import ArgumentParser
import Foundation
import HeraldCore
import Storage

/// `herald import events FILE.csv`.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Bulk-load data.",
        subcommands: [Events.self]
    )

    struct Events: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load engagement events from CSV through COPY: all rows or none.",
            discussion: """
                Header row: id,variant_id,kind,occurred_at,value (value may be empty or absent).
                id is the event's UUID (a repeated id is a duplicate and is counted once); variant_id is the id \
                that `herald campaigns show` prints; kind is impression, click, like, share, comment or \
                conversion; occurred_at is ISO 8601 with an offset (2026-03-01T09:30:00Z).
                """
        )
        @OptionGroup var options: CommonOptions
        @Argument(help: "The CSV file.") var file: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let url = URL(fileURLWithPath: file)
            guard FileManager.default.isReadableFile(atPath: url.path) else {
                throw HeraldCore.ValidationError(location: file, field: "", reason: "cannot read the file (does it exist?)")
            }
            let result = try await options.session().run { database, workspace in
                try await EventImporter(database: database, workspace: workspace)
                    .importFile(url, now: Date(), showProgress: !json && Terminal.isInteractive)
            }
            if json {
                print(try Terminal.json(result, pretty: false))
            } else {
                print("accepted \(Terminal.grouped(result.accepted)), duplicates \(Terminal.grouped(result.duplicates))")
            }
        }
    }
}
