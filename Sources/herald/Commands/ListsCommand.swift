import ArgumentParser
import Foundation
import HeraldCore
import Storage

/// `herald lists create|list`.
struct ListsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lists",
        abstract: "Named lists of contacts (campaigns send to a list).",
        subcommands: [Create.self, List.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a list.")
        @OptionGroup var options: CommonOptions
        @Argument(help: "The list's name (1 to 200 characters, unique in the workspace).") var name: String

        func run() async throws {
            let name = name
            let list = try await options.session().run { database, workspace in
                try await ContactListStore(database).create(workspace: workspace, name: name)
            }
            print("created list \"\(list.name)\"")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the lists with how many contacts each has.")
        @OptionGroup var options: CommonOptions
        @Flag(help: "Print JSON: [{\"id\", \"name\", \"members\", \"created_at\"}].") var json = false

        func run() async throws {
            let lists = try await options.session().run { database, workspace in
                try await ContactListStore(database).lists(workspace: workspace)
            }
            if json {
                print(try Terminal.json(lists))
                return
            }
            if lists.isEmpty { Terminal.error("herald: no lists yet; create one with `herald lists create NAME`") }
            for list in lists { print("\(list.name)\t\(list.members)") }
        }
    }
}
