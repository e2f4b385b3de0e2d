import Foundation
import HeraldTestSupport
import Testing

@testable import EmbeddedPostgres

#if canImport(Glibc)
import Glibc
#endif

/// The embedded cluster keeps its port across restarts: connections left in TIME-WAIT do not make it move, only a
/// program really listening there does.
@Suite struct StablePortTests {
    /// A listening socket on 127.0.0.1:`port` (0: any free port), as another program would hold; closed by `close`.
    struct Listener {
        let fd: Int32
        let port: Int

        init(port: Int = 0) throws {
            let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var reuse: Int32 = 1
            setsockopt(socketFD, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
            var address = Self.loopback(port)
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0, listen(socketFD, 16) == 0 else { throw CocoaError(.fileWriteUnknown) }
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socketFD, $0, &length) }
            }
            fd = socketFD
            self.port = Int(UInt16(bigEndian: address.sin_port))
        }

        /// Accepts one connection from a client and closes the server's side first, which leaves the connection in
        /// TIME-WAIT on this port (the side that closes first waits).
        func leaveTimeWait() throws {
            let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = Self.loopback(port)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(client, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else { throw CocoaError(.fileReadUnknown) }
            let accepted = accept(fd, nil, nil)
            guard accepted >= 0 else { throw CocoaError(.fileReadUnknown) }
            Glibc.close(accepted)
            // Read the FIN so the client's close completes the exchange.
            var byte: UInt8 = 0
            _ = recv(client, &byte, 1, 0)
            Glibc.close(client)
        }

        func close() { Glibc.close(fd) }

        static func loopback(_ port: Int) -> sockaddr_in {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = UInt16(port).bigEndian
            address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
            return address
        }
    }

    /// Whether `ss` lists a TIME-WAIT connection with local port `port` (nil when `ss` is not installed).
    static func hasTimeWait(on port: Int) async throws -> Bool? {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/ss") || FileManager.default.isExecutableFile(atPath: "/bin/ss") else {
            return nil
        }
        let output = try await ProcessRunner.run("/bin/sh", ["-c", "ss -tan state time-wait"])
        return output.standardOutput.contains("127.0.0.1:\(port) ")
    }

    /// A TCP connection to the PostgreSQL server on 127.0.0.1:`port` that a server process has taken up: it asks for
    /// SSL (an `SSLRequest`) and reads the one-byte answer. A connection only queued in the listen backlog (a loaded
    /// machine forks backends late) would be reset by the stop rather than closed, and leave no TIME-WAIT.
    static func session(on port: Int) throws -> Int32 {
        let client = try connect(to: port)
        // Length 8, then the SSLRequest code 80877103 (1234 << 16 | 5679), both big-endian.
        let request: [UInt8] = [0, 0, 0, 8, 0x04, 0xD2, 0x16, 0x2F]
        guard send(client, request, request.count, 0) == request.count else { throw CocoaError(.fileWriteUnknown) }
        var answer: UInt8 = 0
        guard recv(client, &answer, 1, 0) == 1, answer == UInt8(ascii: "N") || answer == UInt8(ascii: "S") else {
            throw CocoaError(.fileReadUnknown)
        }
        return client
    }

    /// A TCP connection to 127.0.0.1:`port`.
    static func connect(to port: Int) throws -> Int32 {
        let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = Listener.loopback(port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(client, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw CocoaError(.fileReadUnknown) }
        return client
    }

    @Test func aPortInTimeWaitIsFreeAndAListenedPortIsNot() async throws {
        let listener = try Listener()
        #expect(!FreePort.isFree(listener.port), "a port another program listens on is taken")
        try listener.leaveTimeWait()
        listener.close()
        if let waiting = try await Self.hasTimeWait(on: listener.port) { #expect(waiting, "the test did not leave a TIME-WAIT connection") }
        #expect(FreePort.isFree(listener.port), "a port with only TIME-WAIT connections is free for a server (SO_REUSEADDR)")
    }

    @Test func theClusterKeepsItsPortAcrossRestartsAndMovesOnlyWhenAnotherProgramListens() async throws {
        let directory = try HeraldCommand.temporaryDirectory().appendingPathComponent("pg")
        let cluster = EmbeddedCluster(
            directory: directory,
            binaries: try await PostgresBinaries.locate(),
            options: .init(unsafeFastWrites: true, maxConnections: 20),
            logger: TestDatabase.logger
        )
        defer { Task { try? await cluster.stop() } }
        let first = try await cluster.start().port

        // Sessions the server closes first (ended by the stop) leave TIME-WAIT on its port.
        for _ in 0..<3 {
            let clients = try (0..<3).map { _ in try Self.session(on: first) }
            try await cluster.stop()
            for client in clients {
                var byte: UInt8 = 0
                _ = recv(client, &byte, 1, 0)
                close(client)
            }
            if let waiting = try await Self.hasTimeWait(on: first) { #expect(waiting, "the stop left no TIME-WAIT connection") }
            #expect(try await cluster.start().port == first, "a restart keeps the port")
        }
        try await cluster.stop()
        let squatter = try Listener(port: first)
        defer { squatter.close() }
        let moved = try await cluster.start().port
        #expect(moved != first, "another program listens on the old port: the cluster moves")
        #expect(try cluster.readCredentials().port == moved, "cluster.json has the new port")
        #expect(try cluster.url(database: "herald").contains(":\(moved)/"))
        try await cluster.stop()
    }
}
