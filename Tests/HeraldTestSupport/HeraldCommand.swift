import EmbeddedPostgres
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

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

    /// Starts `herald serve --port 0 arguments...` and waits, up to `timeout`, for the line it prints once it listens.
    ///
    /// The port is the one the server bound: a port picked beforehand can be taken meanwhile by another test's
    /// connection on a busy machine, and the server would then exit with nothing listening there.
    ///
    /// - Throws: ``ServeDidNotStart`` with the server's standard error when it exits first or does not listen in time
    ///   (it is killed then).
    public static func serve(
        _ arguments: [String],
        environment: [String: String] = [:],
        workingDirectory: URL? = nil,
        within timeout: Duration = .seconds(300)
    ) async throws -> ServingHerald {
        let process = try start(["serve", "--port", "0"] + arguments, environment: environment, workingDirectory: workingDirectory)
        let end = ContinuousClock.now + timeout
        while true {
            let marker = "herald: serving on http://"
            if let line = process.standardOutputSoFar.split(separator: "\n").first(where: { $0.hasPrefix(marker) }),
                let port = line.split(separator: ":").last.flatMap({ Int($0) })
            {
                return ServingHerald(process: process, port: port)
            }
            if process.hasExited || ContinuousClock.now >= end {
                let running = !process.hasExited
                if running { process.signal(SIGKILL) }
                let output = await process.wait()
                throw ServeDidNotStart(
                    reason: running ? "it did not listen within \(timeout)" : "it exited with status \(output.status)",
                    standardError: output.standardError
                )
            }
            try await Task.sleep(for: .milliseconds(50))
        }
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

/// A `herald serve` started by ``HeraldCommand/serve(_:environment:workingDirectory:within:)`` and where it listens.
public struct ServingHerald: Sendable {
    public let process: RunningProcess
    public let port: Int

    /// `http://127.0.0.1:<port>`.
    public var base: String { "http://127.0.0.1:\(port)" }
}

/// `herald serve` exited, or did not listen, before it printed where it serves.
public struct ServeDidNotStart: Error, CustomStringConvertible {
    public let reason: String
    public let standardError: String

    public var description: String { "herald serve did not start: \(reason); its standard error:\n\(standardError)" }
}
