import EmbeddedPostgres
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Postfix's `smtp-sink` on a free loopback port, for the tests of what Herald does with a server that offers
/// PIPELINING (RFC 2920), which aiosmtpd (``SMTPTestServer``) does not. It accepts and discards every message
/// (`apt-get install postfix`; `.ci/run` installs it) and writes each one to a file of ``directory`` (`-d`): its
/// envelope as `X-…` headers, a `Received:` line, then the message with the dot-stuffing undone and LF line ends.
public final class SMTPSink: Sendable {
    public let port: Int
    public let directory: URL
    let process: RunningProcess

    init(port: Int, directory: URL, process: RunningProcess) {
        self.port = port
        self.directory = directory
        self.process = process
    }

    /// The transactions received so far, as smtp-sink wrote them.
    public func received() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted().map { name in
            try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
        }
    }

    /// Starts a sink with `arguments` before its address, runs `body` with it, and stops it.
    public static func with<T: Sendable>(_ arguments: [String] = [], _ body: (SMTPSink) async throws -> T) async throws -> T {
        let sink = try await start(arguments)
        do {
            let result = try await body(sink)
            await sink.stop()
            return result
        } catch {
            await sink.stop()
            throw error
        }
    }

    /// Starts a sink and waits until it accepts connections.
    public static func start(_ arguments: [String] = []) async throws -> SMTPSink {
        let binary = ["/usr/sbin/smtp-sink", "/usr/bin/smtp-sink"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let binary else { throw SMTPTestServerError("smtp-sink is not installed: apt-get install postfix") }
        let port = try FreePort.find()
        // Written by the unprivileged user smtp-sink runs as when started as root.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("herald-sink-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o777])
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: directory.path)
        // smtp-sink refuses to run as root without an unprivileged user to become.
        let user = getuid() == 0 ? ["-u", getpwnam("postfix") != nil ? "postfix" : "nobody"] : []
        let dump = ["-d", directory.path + "/%Y%m%d%H%M%S."]
        let process = try ProcessRunner.start(binary, user + dump + arguments + ["127.0.0.1:\(port)", "100"])
        // A bound for a sink that never comes up, not a margin: a loaded machine (the whole suite on 2 cores) has taken
        // over a minute to start one.
        let deadline = ContinuousClock.now + .seconds(240)
        while ContinuousClock.now < deadline {
            if FreePort.isAccepting(port) { return SMTPSink(port: port, directory: directory, process: process) }
            if kill(process.pid, 0) != 0 { break }
            try await Task.sleep(for: .milliseconds(25))
        }
        process.signal(SIGKILL)
        let output = await process.wait()
        throw SMTPTestServerError("smtp-sink did not start on 127.0.0.1:\(port) (exit \(output.status)): \(output.standardError.suffix(2_000))")
    }

    /// Stops the sink and removes its files.
    public func stop() async {
        process.signal(SIGTERM)
        _ = await process.wait()
        try? FileManager.default.removeItem(at: directory)
    }
}
