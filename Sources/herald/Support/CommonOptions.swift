import ArgumentParser
import Logging

/// Options every database command shares.
struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: "Workspace slug (default: HERALD_WORKSPACE or 'default').")
    var workspace: String?

    /// The configuration from the environment, with flags applied.
    func configuration() -> HeraldConfiguration {
        var configuration = HeraldConfiguration()
        if let workspace { configuration.workspace = workspace }
        return configuration
    }

    func logger(_ label: String = "herald") -> Logger {
        Logger(label: label)
    }

    func session() -> DatabaseSession {
        DatabaseSession(configuration: configuration(), logger: logger())
    }
}
