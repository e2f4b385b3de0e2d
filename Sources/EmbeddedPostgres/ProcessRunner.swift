import Dispatch
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The outcome of a finished child process.
public struct ProcessOutput: Sendable {
    /// The exit status (128 + the signal number when the process was killed).
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
/// Uses `posix_spawn` and `waitpid` rather than Foundation's `Process`: `pg_ctl start` leaves a
/// server running that inherits the child's descriptors, and `Process` on Linux then never
/// reports the termination of `pg_ctl` itself. Output goes to temporary files for the same
/// reason (a pipe would never reach end of file while the server holds it).
public enum ProcessRunner {
    /// Makes the child start with standard input, output and error only.
    ///
    /// Without this, a child inherits every descriptor this process has open at that moment that was not opened
    /// close-on-exec: listening sockets and connections among them. A `postgres` started by `pg_ctl` keeps them for its
    /// whole life, so a server this process shut down would go on accepting connections into a backlog nobody reads,
    /// and a connection this process closed would never be seen closed by its peer (a test run once hung on such a
    /// port, with 278 sockets held by its database cluster).
    ///
    /// glibc 2.34 and later close them all in the child (`posix_spawn_file_actions_addclosefrom_np`, looked up at run
    /// time since Swift does not see it); otherwise each descriptor open now is closed in the child.
    static func closeInheritedDescriptors(_ fileActions: inout posix_spawn_file_actions_t) {
        typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        if let symbol = dlsym(dlopen(nil, RTLD_NOW), "posix_spawn_file_actions_addclosefrom_np"),
            unsafeBitCast(symbol, to: AddCloseFrom.self)(&fileActions, 3) == 0
        {
            return
        }
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        // A descriptor closed meanwhile is ignored by glibc's close action.
        for descriptor in open.compactMap(Int32.init) where descriptor > 2 {
            posix_spawn_file_actions_addclose(&fileActions, descriptor)
        }
    }

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
        try await start(
            executable,
            arguments,
            environment: environment,
            standardInput: standardInput,
            workingDirectory: workingDirectory
        ).wait()
    }

    /// Starts `executable` and returns at once; the caller waits for it (and may signal it).
    public static func start(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String] = [:],
        standardInput: Data? = nil,
        workingDirectory: URL? = nil
    ) throws -> RunningProcess {
        let scratch = FileManager.default.temporaryDirectory
            .appendingPathComponent("herald-proc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let outPath = scratch.appendingPathComponent("stdout").path
        let errPath = scratch.appendingPathComponent("stderr").path
        let inPath = scratch.appendingPathComponent("stdin").path
        FileManager.default.createFile(atPath: inPath, contents: standardInput ?? Data())

        var fileActions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&fileActions)
        defer { posix_spawn_file_actions_destroy(&fileActions) }
        posix_spawn_file_actions_addopen(&fileActions, 0, inPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&fileActions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&fileActions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        closeInheritedDescriptors(&fileActions)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaultSignals = sigset_t()
        sigfillset(&defaultSignals)
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigdefault(&attributes, &defaultSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let merged = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        // Glibc's posix_spawn_file_actions_addchdir_np is not visible to Swift: change directory through sh,
        // passing everything as positional parameters so nothing is re-parsed.
        var program = executable
        var commandLine = [executable] + arguments
        if let workingDirectory {
            program = "/bin/sh"
            commandLine = ["/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", workingDirectory.path, executable] + arguments
        }
        let argv = commandLine.map { strdup($0) } + [nil]
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv + envp { free(pointer) }
        }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, program, &fileActions, &attributes, argv, envp)
        guard spawned == 0 else {
            throw CocoaError(
                .fileNoSuchFile,
                userInfo: [
                    NSFilePathErrorKey: executable, NSLocalizedDescriptionKey: "cannot run \(executable): \(String(cString: strerror(spawned)))",
                ]
            )
        }
        return RunningProcess(pid: pid, scratch: scratch)
    }

    /// Waits for `pid` on a thread of its own, so the blocking `waitpid` stays off the cooperative pool and off
    /// Dispatch's global queue, whose threads the waits of long-lived children (servers, workers) would hold.
    static func waitForExit(_ pid: pid_t) async -> Int32 {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                var status: Int32 = 0
                while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
                let exited = status & 0x7F == 0
                continuation.resume(returning: exited ? (status >> 8) & 0xFF : 128 + (status & 0x7F))
            }
            thread.stackSize = 64 * 1_024
            thread.start()
        }
    }
}

/// A child process started by ``ProcessRunner/start(_:_:environment:standardInput:workingDirectory:)``.
public struct RunningProcess: Sendable {
    /// The child's process id.
    public let pid: pid_t
    let scratch: URL

    /// Sends `signal` (e.g. `SIGTERM`, `SIGKILL`) to the child.
    public func signal(_ signal: Int32) {
        kill(pid, signal)
    }

    /// What the child has written to standard output so far.
    public var standardOutputSoFar: String {
        (try? String(contentsOf: scratch.appendingPathComponent("stdout"), encoding: .utf8)) ?? ""
    }

    /// What the child has written to standard error so far.
    public var standardErrorSoFar: String {
        (try? String(contentsOf: scratch.appendingPathComponent("stderr"), encoding: .utf8)) ?? ""
    }

    /// Whether the child has exited (it stays a zombie until ``wait()`` reaps it): its state in `/proc` is `Z` or `X`,
    /// or it is gone.
    public var hasExited: Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return kill(pid, 0) != 0 }
        // The state follows the command name, which is in parentheses and may itself hold spaces or parentheses.
        guard let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(after: close)...].first { $0 != " " }
        return state == "Z" || state == "X"
    }

    /// Waits for the child to exit and returns its status and output (call once).
    public func wait() async -> ProcessOutput {
        let status = await ProcessRunner.waitForExit(pid)
        let out = (try? String(contentsOf: scratch.appendingPathComponent("stdout"), encoding: .utf8)) ?? ""
        let err = (try? String(contentsOf: scratch.appendingPathComponent("stderr"), encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(at: scratch)
        return ProcessOutput(status: status, standardOutput: out, standardError: err)
    }
}
