import Foundation

/// The outcome of a finished child process.
public struct ProcessOutput: Sendable {
    /// The exit status (or the signal number when the process was killed).
    public var status: Int32
    /// Everything the process wrote to standard output, as UTF-8.
    public var standardOutput: String
    /// Everything the process wrote to standard error, as UTF-8.
    public var standardError: String

    /// Whether the process exited with status 0.
    public var succeeded: Bool { status == 0 }
}

/// Runs child processes without blocking the cooperative thread pool.
///
/// Output goes to temporary files rather than pipes: `pg_ctl start` leaves a server
/// running that inherits the descriptors, and a pipe would then never reach end of file.
public enum ProcessRunner {
    /// Runs `executable` with `arguments` and waits for it to exit.
    ///
    /// - Parameters:
    ///   - executable: Absolute path of the program.
    ///   - arguments: Arguments, passed as they are (no shell).
    ///   - environment: Extra environment variables on top of this process's environment.
    ///   - standardInput: Bytes written to the child's standard input, if any.
    ///   - workingDirectory: The child's working directory; this process's when nil.
    public static func run(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String] = [:],
        standardInput: Data? = nil,
        workingDirectory: URL? = nil
    ) async throws -> ProcessOutput {
        let scratch = FileManager.default.temporaryDirectory
            .appendingPathComponent("herald-proc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("stdout")
        let errURL = scratch.appendingPathComponent("stderr")
        let inURL = scratch.appendingPathComponent("stdin")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        FileManager.default.createFile(atPath: inURL.path, contents: standardInput ?? Data())

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        if let workingDirectory { process.currentDirectoryURL = workingDirectory }
        let outHandle = try FileHandle(forWritingTo: outURL)
        let errHandle = try FileHandle(forWritingTo: errURL)
        let inHandle = try FileHandle(forReadingFrom: inURL)
        process.standardOutput = outHandle
        process.standardError = errHandle
        process.standardInput = inHandle

        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { finished in
                continuation.resume(returning: finished.terminationStatus)
            }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        try? outHandle.close()
        try? errHandle.close()
        try? inHandle.close()
        let out = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
        let err = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        return ProcessOutput(status: status, standardOutput: out, standardError: err)
    }
}
