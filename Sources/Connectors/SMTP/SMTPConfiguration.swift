import NIOSSL

/// How Herald talks to its SMTP server: where (``SMTPServerURL``), how many connections, how fast, and how long each
/// step may take.
public struct SMTPConfiguration: Sendable {
    /// The server, its security and credentials (from `HERALD_SMTP_URL`).
    public var server: SMTPServerURL
    /// The name Herald gives in EHLO/HELO.
    public var heloName: String
    /// Connections kept to the server at most (the pool opens them as needed and reuses them).
    public var connections: Int
    /// Messages per second at most (a token bucket with ``burst``); nil: as fast as the connections go.
    public var messagesPerSecond: Double?
    /// Messages that may go at once after a quiet spell, when ``messagesPerSecond`` is set.
    public var burst: Int
    /// How long a TCP connection (and TLS handshake) may take.
    public var connectTimeout: Duration
    /// How long the server may take to answer one command (RFC 5321 §4.5.3.2 suggests minutes; a stuck server must
    /// still free the worker).
    public var commandTimeout: Duration
    /// How long the server may take to answer the final `.` of DATA (it may be scanning the message).
    public var dataTimeout: Duration
    /// TLS for STARTTLS and smtps (the system's trust roots by default).
    public var tls: TLSConfiguration
    /// Whether to pipeline MAIL, RCPT and DATA (RFC 2920) when the server offers PIPELINING.
    public var pipelining: Bool

    public init(
        server: SMTPServerURL,
        heloName: String = "localhost",
        connections: Int = 4,
        messagesPerSecond: Double? = nil,
        burst: Int = 10,
        connectTimeout: Duration = .seconds(10),
        commandTimeout: Duration = .seconds(60),
        dataTimeout: Duration = .seconds(180),
        tls: TLSConfiguration = .makeClientConfiguration(),
        pipelining: Bool = true
    ) {
        self.server = server
        self.heloName = heloName
        self.connections = max(1, connections)
        self.messagesPerSecond = messagesPerSecond
        self.burst = max(1, burst)
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.dataTimeout = dataTimeout
        self.tls = tls
        self.pipelining = pipelining
    }
}
