import Foundation
import HeraldCore
import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// One SMTP session over SwiftNIO, ready to send: connected, greeted, EHLO (or HELO) done, upgraded with STARTTLS and
/// authenticated as the configuration asks.
///
/// Every command has a timeout (``SMTPConfiguration/commandTimeout``; ``SMTPConfiguration/dataTimeout`` for the final
/// `.`): a server that stops answering fails the command with ``SMTPError/Reason/timeout`` and the connection closes.
/// A connection sends one message or one batch (``send(_:)``) at a time; ``SMTPPool`` lends connections to senders.
public struct SMTPConnection: Sendable {
    let channel: any NIOCore.Channel
    let configuration: SMTPConfiguration
    let logger: Logger
    /// What the server offered in its last EHLO (empty after HELO).
    public let capabilities: SMTPCapabilities

    /// Whether the connection is still open.
    public var isActive: Bool { channel.isActive }

    /// Connects and prepares a session.
    ///
    /// - Throws: ``SMTPError`` at the step that failed (connect, greeting, ehlo, starttls, auth).
    public static func connect(
        _ configuration: SMTPConfiguration,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger
    ) async throws -> SMTPConnection {
        let server = configuration.server
        var logger = logger
        logger[metadataKey: "herald.smtp.server"] = "\(server.address)"
        let tlsContext: NIOSSLContext?
        do {
            tlsContext = server.security == .plain ? nil : try NIOSSLContext(configuration: configuration.tls)
        } catch {
            throw SMTPError(.connect, .unsupported("TLS cannot be set up: \(error)"), server: server.address)
        }
        let hostname = Self.isIPAddress(server.host) ? nil : server.host
        let implicitTLS = server.security == .implicitTLS
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(.nanoseconds(Int64(configuration.connectTimeout.seconds * 1e9)))
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if implicitTLS, let tlsContext {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tlsContext, serverHostname: hostname))
                    }
                    try channel.pipeline.syncOperations.addHandler(SMTPClientHandler())
                }
            }
        let channel: any NIOCore.Channel
        do {
            channel = try await bootstrap.connect(host: server.host, port: server.port).get()
        } catch {
            throw SMTPError(.connect, .connectionLost("cannot connect: \(error)"), server: server.address)
        }
        do {
            var connection = SMTPConnection(channel: channel, configuration: configuration, logger: logger, capabilities: .init())
            try await connection.expect(220, try await connection.request(nil, stage: .greeting), stage: .greeting)
            connection = try await connection.hello()
            if server.security == .startTLS {
                guard connection.capabilities.startTLS else {
                    throw SMTPError(.startTLS, .unsupported("STARTTLS is required (smtp+starttls://) but not offered"), server: server.address)
                }
                try await connection.expect(220, try await connection.command("STARTTLS", stage: .startTLS), stage: .startTLS)
                try await channel.eventLoop.submit {
                    guard let tlsContext else { return }
                    let handler = try NIOSSLClientHandler(context: tlsContext, serverHostname: hostname)
                    try channel.pipeline.syncOperations.addHandler(handler, position: .first)
                }.get()
                connection = try await connection.hello()
            }
            if let username = server.username {
                try await connection.authenticate(username: username, password: server.password ?? "")
            }
            logger.debug(
                "SMTP session ready",
                metadata: ["herald.smtp.capabilities": "\(connection.capabilities.keywords.keys.sorted().joined(separator: " "))"]
            )
            return connection
        } catch {
            try? await channel.close()
            if let error = error as? SMTPError { throw error }
            throw SMTPError(.startTLS, .connectionLost("\(error)"), server: server.address)
        }
    }

    /// EHLO, or HELO when the server does not know EHLO (a 5xx).
    func hello() async throws -> SMTPConnection {
        let ehlo = try await command("EHLO \(configuration.heloName)", stage: .ehlo)
        if ehlo.code == 250 {
            return SMTPConnection(channel: channel, configuration: configuration, logger: logger, capabilities: SMTPCapabilities(ehlo: ehlo))
        }
        guard ehlo.isPermanentFailure else { throw SMTPError(.ehlo, .reply(ehlo), server: server) }
        try await expect(250, try await command("HELO \(configuration.heloName)", stage: .helo), stage: .helo)
        return SMTPConnection(channel: channel, configuration: configuration, logger: logger, capabilities: SMTPCapabilities())
    }

    /// AUTH PLAIN (RFC 4616) when offered, else AUTH LOGIN; the password never reaches a log.
    func authenticate(username: String, password: String) async throws {
        let mechanisms = capabilities.authMechanisms
        if mechanisms.contains("PLAIN") {
            let token = Data(([0] + Array(username.utf8) + [0] + Array(password.utf8))).base64EncodedString()
            try await expect(235, try await command("AUTH PLAIN \(token)", stage: .auth), stage: .auth)
        } else if mechanisms.contains("LOGIN") {
            try await expect(334, try await command("AUTH LOGIN", stage: .auth), stage: .auth)
            try await expect(334, try await command(Data(username.utf8).base64EncodedString(), stage: .auth), stage: .auth)
            try await expect(235, try await command(Data(password.utf8).base64EncodedString(), stage: .auth), stage: .auth)
        } else {
            let offered = mechanisms.isEmpty ? "no AUTH" : "AUTH " + mechanisms.sorted().joined(separator: " ")
            throw SMTPError(
                .auth,
                .unsupported("credentials are given but the server offers \(offered) (Herald speaks PLAIN and LOGIN)"),
                server: server
            )
        }
        logger.debug("SMTP authenticated", metadata: ["herald.smtp.user": "\(username)"])
    }

    /// Sends one message: MAIL FROM, RCPT TO, DATA (pipelined when the server offers it), the dot-stuffed bytes and
    /// the final `.`, as a batch of one (``send(_:)``). After a refusal the transaction is reset (RSET), so the
    /// connection can carry the next message.
    ///
    /// - Parameters:
    ///   - message: The message's bytes as ``MIMEWriter`` writes them (CRLF lines, no final `.`).
    ///   - from: The envelope sender (the bounce address).
    ///   - to: The one envelope recipient.
    /// - Returns: The server's reply to the final `.` (2xx).
    /// - Throws: ``SMTPError``; ``SMTPOutcome`` says what it means.
    public func send(_ message: [UInt8], from: String, to: String) async throws -> SMTPReply {
        var content = channel.allocator.buffer(capacity: message.count + 8)
        SMTPDataEncoding.write(message, into: &content)
        return try await send([SMTPTransaction(from: from, to: to, content: content)])[0].get()
    }

    /// MAIL FROM, RCPT TO and DATA with the reply each expects.
    static func envelope(from: String, to: String) -> [(String, SMTPError.Stage, Int)] {
        [("MAIL FROM:<\(from)>", .mailFrom, 250), ("RCPT TO:<\(to)>", .rcptTo, 250), ("DATA", .data, 354)]
    }

    /// RSET: ends a transaction that failed half-way.
    public func reset() async throws {
        try await expect(250, try await command("RSET", stage: .reset), stage: .reset)
    }

    /// QUIT, then closes the connection (whatever the server answers, and within the command timeout).
    public func quit() async {
        _ = try? await command("QUIT", stage: .quit)
        try? await channel.close()
    }

    /// Closes the connection without a word (after a failure).
    public func close() async {
        try? await channel.close()
    }

    // MARK: - Commands

    var server: String { configuration.server.address }

    func command(_ text: String, stage: SMTPError.Stage) async throws -> SMTPReply {
        var buffer = channel.allocator.buffer(capacity: text.utf8.count + 2)
        buffer.writeString(text)
        buffer.writeStaticString("\r\n")
        return try await request(buffer, stage: stage, timeout: configuration.commandTimeout)
    }

    func request(_ bytes: ByteBuffer?, stage: SMTPError.Stage, timeout: Duration? = nil) async throws -> SMTPReply {
        let future = write(bytes, timeout: timeout ?? configuration.commandTimeout)
        channel.flush()
        return try await wait(future, stage: stage)
    }

    func write(_ text: String, timeout: Duration) -> EventLoopFuture<SMTPReply> {
        var buffer = channel.allocator.buffer(capacity: text.utf8.count + 2)
        buffer.writeString(text)
        buffer.writeStaticString("\r\n")
        return write(buffer, timeout: timeout)
    }

    /// Writes a request without flushing; the future is its reply.
    func write(_ bytes: ByteBuffer?, timeout: Duration) -> EventLoopFuture<SMTPReply> {
        let reply = channel.eventLoop.makePromise(of: SMTPReply.self)
        let written = channel.eventLoop.makePromise(of: Void.self)
        // A closed channel may fail the write before the handler sees it: the reply must fail too, not wait forever.
        written.futureResult.whenFailure { error in reply.fail(SMTPHandlerFailure.closed("\(error)")) }
        let request = SMTPRequest(bytes: bytes, reply: reply, timeout: .nanoseconds(Int64(timeout.seconds * 1e9)))
        channel.write(request, promise: written)
        return reply.futureResult
    }

    func wait(_ future: EventLoopFuture<SMTPReply>, stage: SMTPError.Stage) async throws -> SMTPReply {
        do {
            return try await future.get()
        } catch {
            throw failed(error, stage: stage)
        }
    }

    /// The ``SMTPError`` for a request that got no reply at `stage`.
    func failed(_ error: any Error, stage: SMTPError.Stage) -> SMTPError {
        guard let failure = error as? SMTPHandlerFailure else { return SMTPError(stage, .connectionLost("\(error)"), server: server) }
        return switch failure {
        case .timeout: SMTPError(stage, .timeout, server: server)
        case .closed(let detail): SMTPError(stage, .connectionLost(detail), server: server)
        case .malformed(let detail): SMTPError(stage, .malformed(detail), server: server)
        case .unexpected(let reply): SMTPError(stage, .reply(reply), server: server)
        }
    }

    func expect(_ code: Int, _ reply: SMTPReply, stage: SMTPError.Stage) throws {
        guard reply.code == code else { throw SMTPError(stage, .reply(reply), server: server) }
    }

    static func isIPAddress(_ host: String) -> Bool {
        host.contains(":") || host.split(separator: ".").count == 4 && host.allSatisfy { $0.isNumber || $0 == "." }
    }
}
