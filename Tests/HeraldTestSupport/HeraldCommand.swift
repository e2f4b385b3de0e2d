import EmbeddedPostgres
import Foundation
import Synchronization

/// Runs the built `herald` binary as a user would, for CLI tests.
public enum HeraldCommand {
    /// The `herald` executable next to the test bundle (`.build/<config>/herald`).
    public static func executable() throws -> URL {
        var candidates: [URL] = []
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = testBinary.deletingLastPathComponent()
        for _ in 0..<4 {
            candidates.append(directory.appendingPathComponent("herald"))
            directory = directory.deletingLastPathComponent()
        }
        candidates.append(Bundle.main.bundleURL.appendingPathComponent("herald"))
        if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) {
            return found
        }
        throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: candidates.map(\.path).joined(separator: ", ")])
    }

    /// Runs `herald arguments...` and returns its exit status and output.
    ///
    /// - Parameters:
    ///   - arguments: Command-line arguments.
    ///   - environment: Extra environment (e.g. `DATABASE_URL`).
    ///   - input: Standard input.
    ///   - workingDirectory: Where it runs.
    public static func run(
        _ arguments: [String],
        environment: [String: String] = [:],
        input: String? = nil,
        workingDirectory: URL? = nil
    ) async throws -> ProcessOutput {
        try await ProcessRunner.run(
            try executable().path,
            arguments,
            environment: environment,
            standardInput: input.map { Data($0.utf8) },
            workingDirectory: workingDirectory
        )
    }

    /// Starts `herald arguments...` in the background (a worker, a scheduler).
    public static func start(
        _ arguments: [String],
        environment: [String: String] = [:],
        workingDirectory: URL? = nil
    ) throws
        -> RunningProcess
    {
        try ProcessRunner.start(try executable().path, arguments, environment: environment, workingDirectory: workingDirectory)
    }

    /// A new empty temporary folder, removed when the test process exits.
    public static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("herald-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        let first = folders.withLock { folders in
            folders.append(url.path)
            return folders.count == 1
        }
        if first { atexit { HeraldCommand.removeFolders() } }
        return url
    }

    private static let folders = Mutex<[String]>([])

    /// Removes the temporary folders, except one an embedded cluster still runs in.
    static func removeFolders() {
        for path in folders.withLock({ $0 }) where !FileManager.default.fileExists(atPath: path + "/home/pg/data/postmaster.pid") {
            try? FileManager.default.removeItem(atPath: path)
        }
    }
}
