import Foundation
import HeraldTestSupport
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import PostgresNIO
import Storage
import Synchronization
import Testing

@testable import HTTPAPI

/// The front door on real loopback sockets: connections that send nothing (or half a request head) are closed by the
/// header-read timeout while other clients are served, a body that trickles in is cut off with `408`, the connection
/// limit makes newcomers wait instead of failing, and token guessing is answered `429` after the limit while a valid
/// token from another address still works.
@Suite struct FrontDoorTests {
    /// A raw TCP connection to the server, for clients no HTTP library would be: half-open, trickling.
    struct RawConnection {
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>

        /// Connects to `port` on loopback from `source` (any address of 127/8; nil lets the system choose).
        static func open(port: Int, from source: String? = nil) async throws -> RawConnection {
            var bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            if let source { bootstrap = bootstrap.bind(to: try SocketAddress(ipAddress: source, port: 0)) }
            let channel = try await bootstrap.connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
            return RawConnection(channel: channel)
        }

        /// Connects to `port` on loopback and keeps the connection without reading from it (it notices when the server
        /// closes it: `isActive` turns false).
        static func hold(port: Int) async throws -> any Channel {
            try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port).get()
        }

        /// Sends `text` and reads until the server closes the connection.
        ///
        /// - Parameter trickle: Sent a byte at a time after `text`, one every 200 ms, while the answer is awaited.
        func exchange(_ text: String, trickle: String = "") async throws -> String {
            try await channel.executeThenClose { inbound, outbound in
                try await outbound.write(ByteBuffer(string: text))
                // Once the server answered (a 408 closes the connection), nothing more is written: a byte sent to a
                // closed socket is answered with a reset, which can reach the reader before the answer does.
                let answered = Flag()
                return try await withThrowingTaskGroup(of: String?.self) { group in
                    group.addTask {
                        var reply = ""
                        do {
                            for try await buffer in inbound {
                                answered.raise()
                                reply += String(buffer: buffer)
                            }
                        } catch  where !reply.isEmpty {
                            // A reset after the answer was read: the answer is what the test looks at.
                        }
                        return reply
                    }
                    group.addTask {
                        for character in trickle {
                            try await Task.sleep(for: .milliseconds(200))
                            if answered.isRaised { return nil }
                            do { try await outbound.write(ByteBuffer(string: String(character))) } catch { return nil }
                        }
                        return nil
                    }
                    while let next = try await group.next() {
                        if let reply = next {
                            group.cancelAll()
                            return reply
                        }
                    }
                    return ""
                }
            }
        }
    }

    /// Expects every connection of `held` to be closed by the server's header timeout, read from the server's own
    /// counts: the timeouts it recorded, and its open connections down to the one these metrics are read through. (A CI
    /// run once saw held connections still open at the client two minutes on; the message says what each side saw.)
    static func expectClosedByHeaderTimeout(
        _ held: [any Channel],
        server: TestServer,
        within timeout: Duration,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        var open = 0.0
        var timeouts = 0.0
        let closed = try await waitUntil(timeout: timeout, every: .milliseconds(250)) {
            open = try await metric(server, "herald_http_connections_open")
            timeouts = try await metric(server, #"herald_http_connections_timed_out_total{phase="header"}"#)
            return timeouts >= Double(held.count) && open <= 1
        }
        #expect(
            closed,
            "server: \(timeouts) header timeouts, \(open) connections open; client: \(held.filter { $0.isActive }.count) of \(held.count) still open",
            sourceLocation: sourceLocation
        )
    }

    /// Reads one value of the metrics text, e.g. `herald_http_connections_timed_out_total{phase="header"}`.
    static func metric(_ server: TestServer, _ series: String) async throws -> Double {
        let text = try await server.send(.GET, "/metrics").text
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.split(separator: " ").last ?? "") ?? 0
        }
        return 0
    }

    @Test func halfOpenConnectionsAreClosedByTheHeaderTimeoutWhileOthersAreServed() async throws {
        try await TestServer.live(configure: { settings in
            settings.headerReadTimeout = .seconds(2)
            settings.idleTimeout = .seconds(120)
        }) { server in
            var held: [any Channel] = []
            for index in 0..<300 {
                let connection = try await RawConnection.hold(port: server.port)
                // Half of them send half a request head and stop; the others send nothing at all.
                // On a loaded machine opening 300 takes longer than the 2 s timeout: the server may have closed this
                // one already, which is what is tested, so a failed write is fine.
                if index.isMultiple(of: 2) {
                    try? await connection.writeAndFlush(ByteBuffer(string: "GET /healthz HTTP/1.1\r\nHost: herald\r\n"))
                }
                held.append(connection)
            }
            // Served while those connections are held: a page with no database behind it (a loaded machine once made
            // /healthz's database check miss its deadline, a 503 that says nothing about the front door).
            for _ in 0..<20 {
                #expect(try await server.send(.GET, "/app/static/app.css").status == 200)
            }
            // The bound only catches connections never closed: a loaded machine once needed more than two minutes.
            try await Self.expectClosedByHeaderTimeout(held, server: server, within: .seconds(400))
            for connection in held { try? await connection.close() }
            #expect(try await server.send(.GET, "/healthz").status == 200)
        }
    }

    @Test func newcomersWaitForASlotWhileTheConnectionLimitIsReached() async throws {
        try await TestServer.live(configure: { settings in
            settings.headerReadTimeout = .seconds(5)
            settings.maximumConnections = 40
        }) { server in
            var held: [any Channel] = []
            for _ in 0..<40 { held.append(try await RawConnection.hold(port: server.port)) }
            // Accepted once the silent connections are closed by the header timeout, never refused: the metrics it is
            // answered already count header timeouts.
            let reply = try await RawConnection.open(port: server.port).exchange("GET /metrics HTTP/1.1\r\nHost: herald\r\nConnection: close\r\n\r\n")
            #expect(reply.hasPrefix("HTTP/1.1 200"), "\(reply.prefix(200))")
            let timedOut = reply.split(separator: "\n").first { $0.hasPrefix(#"herald_http_connections_timed_out_total{phase="header"} "#) }
            #expect((timedOut?.split(separator: " ").last).flatMap { Double($0) } ?? 0 >= 1, "served before any held connection was closed")
            try await Self.expectClosedByHeaderTimeout(held, server: server, within: .seconds(300))
            for connection in held { try? await connection.close() }
        }
    }

    @Test func aSlowBodyIsCutOffWith408() async throws {
        try await TestServer.live(configure: { settings in
            settings.bodyReadTimeout = .seconds(2)
            settings.idleTimeout = .seconds(120)
        }) { server in
            let token = try await server.token(workspace: "acme", role: .editor)
            let head =
                "POST /v1/events HTTP/1.1\r\nHost: herald\r\nAuthorization: Bearer \(token)\r\nContent-Type: application/json\r\n"
                + "Content-Length: 4000\r\n\r\n["
            // 2,000 bytes at 5 a second would take 400 s: the server gives up long before.
            let reply = try await RawConnection.open(port: server.port).exchange(head, trickle: String(repeating: " ", count: 2_000))
            #expect(reply.hasPrefix("HTTP/1.1 408"), "\(reply.prefix(300))")
            #expect(reply.contains(#""code":"http_408""#) || reply.contains(#""code": "http_408""#), "\(reply)")
            #expect(try await Self.metric(server, #"herald_http_connections_timed_out_total{phase="body"}"#) >= 1)
            #expect(try await server.count("SELECT count(*)::int FROM events") == 0)
            // A body sent at once is still taken.
            #expect(try await server.send(.POST, "/v1/events", token: token, json: "[]").status < 500)
        }
    }

    @Test func tokenGuessingGets429AfterTheLimitAndValidTokensElsewhereAreServed() async throws {
        let (logger, logs) = CapturingLogHandler.logger(label: "herald.test.front-door")
        try await TestServer.live(
            logger: logger,
            configure: { settings in settings.tokenAttempts = TokenAttemptLimit(failures: 5, window: .seconds(3_600)) }
        ) { server in
            let token = try await server.token(workspace: "acme", role: .viewer)
            func request(_ secret: String, from source: String) async throws -> String {
                try await RawConnection.open(port: server.port, from: source).exchange(
                    "GET /v1/workspace HTTP/1.1\r\nHost: herald\r\nAuthorization: Bearer \(secret)\r\nConnection: close\r\n\r\n"
                )
            }
            // The valid token, once from the guesser's address before the guessing: remembered as good.
            #expect(try await request(token, from: "127.0.0.1").hasPrefix("HTTP/1.1 200"))
            for _ in 0..<5 {
                let guess = TokenStore.tokenPrefix + UUID().uuidString
                #expect(try await request(guess, from: "127.0.0.1").hasPrefix("HTTP/1.1 401"))
            }
            for _ in 0..<10 {
                let refused = try await request(TokenStore.tokenPrefix + UUID().uuidString, from: "127.0.0.1")
                #expect(refused.hasPrefix("HTTP/1.1 429"), "\(refused.prefix(300))")
                #expect(refused.lowercased().contains("retry-after: "), "\(refused.prefix(300))")
                #expect(refused.contains("too_many_attempts"), "\(refused)")
            }
            // A valid token from another address is served; so is the valid token already seen from the guesser's.
            #expect(try await request(token, from: "127.0.0.2").hasPrefix("HTTP/1.1 200"))
            #expect(try await request(token, from: "127.0.0.1").hasPrefix("HTTP/1.1 200"))
            // Guessing one token prefix from many addresses fills the prefix's count.
            let prefix = String(token.prefix(TokenStore.tokenPrefix.count + 6))
            for host in 10..<15 {
                #expect(try await request(prefix + "guess\(host)", from: "127.0.0.\(host)").hasPrefix("HTTP/1.1 401"))
            }
            let byPrefix = try await request(prefix + "guess", from: "127.0.0.20")
            #expect(byPrefix.hasPrefix("HTTP/1.1 429"), "\(byPrefix.prefix(300))")
            #expect(try await request(token, from: "127.0.0.21").hasPrefix("HTTP/1.1 200"))

            #expect(try await Self.metric(server, #"herald_auth_throttled_total{scope="address"}"#) == 10)
            #expect(try await Self.metric(server, #"herald_auth_throttled_total{scope="prefix"}"#) == 1)
            #expect(try await Self.metric(server, #"herald_auth_failures_total{reason="unknown"}"#) == 10)
            let warnings = logs.all.filter { $0.level == .warning && $0.message == "bearer token refused" }
            #expect(warnings.count == 10)
            #expect(warnings.first?.metadata["herald.client.address"] == "127.0.0.1")
            #expect(logs.all.contains { $0.level == .warning && $0.message.hasPrefix("too many failed token attempts") })
        }
    }

    @Test func theLimiterCountsPerAddressAndPrefixAndDrains() {
        let limiter = TokenAttemptLimiter(limit: TokenAttemptLimit(failures: 3, window: .seconds(30)))
        let start = ContinuousClock.now
        for _ in 0..<3 {
            #expect(limiter.refusal(address: "10.0.0.1", secret: "hrld_aaaaaaXX", now: start) == nil)
            limiter.failed(address: "10.0.0.1", secret: "hrld_aaaaaaXX", now: start)
        }
        let refusal = limiter.refusal(address: "10.0.0.1", secret: "hrld_bbbbbbYY", now: start)
        #expect(refusal == TokenAttemptLimiter.Refusal(scope: "address", retryAfterSeconds: 10))
        #expect(limiter.refusal(address: "10.0.0.2", secret: "hrld_aaaaaaZZ", now: start)?.scope == "prefix")
        #expect(limiter.refusal(address: "10.0.0.2", secret: "hrld_bbbbbbYY", now: start) == nil)
        // One attempt's worth drains in window / failures.
        #expect(limiter.refusal(address: "10.0.0.1", secret: "hrld_bbbbbbYY", now: start + .seconds(10)) == nil)
        limiter.succeeded(secret: "hrld_goodgoodtoken")
        #expect(limiter.refusal(address: "10.0.0.1", secret: "hrld_goodgoodtoken", now: start) == nil)
        // Revoked since: it fails once and is limited like any other from then on.
        limiter.failed(address: "10.0.0.1", secret: "hrld_goodgoodtoken", now: start)
        #expect(limiter.refusal(address: "10.0.0.1", secret: "hrld_goodgoodtoken", now: start)?.scope == "address")
        #expect(TokenAttemptLimiter.addressKey("2001:db8:1:2:3:4:5:6") == "2001:db8:1:2::/64")
        #expect(TokenAttemptLimiter.addressKey("2001:db8::7") == "2001:db8:0:0::/64")
        #expect(TokenAttemptLimiter.addressKey("::ffff:192.0.2.1") == "192.0.2.1")
        #expect(TokenAttemptLimiter.addressKey("192.0.2.1") == "192.0.2.1")
    }
}

/// A flag one task raises and another reads.
final class Flag: Sendable {
    private let raised = Atomic<Bool>(false)

    func raise() { raised.store(true, ordering: .relaxed) }

    var isRaised: Bool { raised.load(ordering: .relaxed) }
}
