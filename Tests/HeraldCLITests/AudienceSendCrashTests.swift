import EmbeddedPostgres
import Foundation
import HeraldCore
import HeraldTestSupport
import PostgresNIO
import Testing

@testable import Storage

#if canImport(Glibc)
import Glibc
#endif

/// `kill -9` of a `herald worker` in the middle of sending an email campaign to a list, counted at a real SMTP server
/// (aiosmtpd on loopback): after a second worker has settled every message, no contact received the campaign twice;
/// every contact received it once except those whose message was in flight at the kill, which are failed as
/// `unknown_outcome` (and said so in the second worker's log) rather than sent again.
@Suite struct AudienceSendCrashTests {
    static let contacts = 300

    @Test func aWorkerKilledMidSendLeavesNoContactWithTwoCopies() async throws {
        let fixture = try await CLIFixture.make()
        let csv = (0..<Self.contacts).map { "reader\($0)@example.com,Reader \($0)" }.joined(separator: "\n")
        let imported = try await fixture.run("contacts", "import", try fixture.write("people.csv", "email,name\n" + csv), "--list", "newsletter")
        #expect(imported.succeeded, "\(imported.standardError)")
        let path = try fixture.write(
            "letter.yaml",
            """
            name: Crash letter
            channels: [email]
            destination: https://example.com/spring
            audience: {list: newsletter}
            variants:
              - {key: A, subject: "Spring sale", text: "20% off all trail shoes until Sunday.", body: "20% off all trail shoes."}
              - {key: B, subject: "Your spring run", text: "Ready for spring? 20% off trail shoes.", body: "Ready for spring?"}
            """
        )
        let created = try await fixture.run("campaigns", "create", path)
        #expect(created.succeeded, "\(created.standardError)")
        let slug = created.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)

        try await SMTPTestServer.with(.init(startTLS: false)) { server in
            // A message's lease is 300 clock seconds: a clock 30 times as fast, shared by every process, lets the second
            // worker take over the first one's claims after 10 s of wall time rather than 5 minutes.
            let now = Date()
            var environment = [
                "DATABASE_URL": fixture.database.url, "HERALD_HOME": fixture.folder.appendingPathComponent("home").path,
                "HERALD_CLOCK": "scaled:\(now.timeIntervalSince1970):\(Timestamp.format(now)):30", "HERALD_LOG_LEVEL": "warning",
                "HERALD_SMTP_URL": "smtp://127.0.0.1:\(server.port)", "HERALD_MAIL_FROM": "news@example.com",
                "HERALD_PUBLIC_URL": "https://t.example",
            ]
            // Slow enough (20 messages a second over 2 connections, 4 in flight) that the kill lands mid-send.
            environment["HERALD_SMTP_RATE"] = "20"
            environment["HERALD_SMTP_CONNECTIONS"] = "2"
            let published = try await HeraldCommand.run(["campaigns", "publish", slug], environment: environment)
            #expect(published.succeeded, "\(published.standardError)")

            let worker = ["worker", "--no-scheduler", "--lease", "60", "--poll-ms", "100"]
            let first = try HeraldCommand.start(worker, environment: environment)
            let started = try await waitUntil { try server.received().count >= 40 }
            first.signal(SIGKILL)
            let killed = await first.wait()
            try #require(started, "the first worker sent nothing: \(killed.standardError.suffix(2_000))")
            let receivedAtKill = try server.received().count
            #expect(receivedAtKill < Self.contacts, "the kill came after the whole send")
            // In flight at the kill: marked `sending`, and the server may or may not have taken them.
            let inFlight = Set(try await Self.addresses(fixture, state: "sending"))
            #expect(!inFlight.isEmpty, "no message was in flight at the kill (4 are at almost every moment)")

            let second = try HeraldCommand.start(worker, environment: environment)
            let settled = try await waitUntil(timeout: .seconds(300)) {
                try await Self.count(fixture, "SELECT count(*)::int FROM messages WHERE state IN ('queued', 'sending')") == 0
            }
            second.signal(SIGTERM)
            let output = await second.wait()
            try #require(settled, "messages still queued or sending: \(output.standardError.suffix(2_000))")

            // Counted at the server: nobody twice, everybody once but the messages whose outcome the kill left unknown.
            var copies: [String: Int] = [:]
            var messageIDs: [String: Int] = [:]
            for message in try server.received() {
                for recipient in message.rcptTos { copies[recipient, default: 0] += 1 }
                let raw = String(decoding: try message.raw(), as: UTF8.self)
                let header = raw.split(separator: "\r\n").first { $0.lowercased().hasPrefix("message-id:") }
                messageIDs[String(try #require(header)), default: 0] += 1
            }
            #expect(copies.values.allSatisfy { $0 == 1 }, "\(copies.filter { $0.value > 1 })")
            #expect(messageIDs.values.allSatisfy { $0 == 1 }, "\(messageIDs.filter { $0.value > 1 })")
            let everyone = Set((0..<Self.contacts).map { "reader\($0)@example.com" })
            let missing = everyone.subtracting(copies.keys)
            #expect(missing.isSubset(of: inFlight), "never sent although not in flight at the kill: \(missing.subtracting(inFlight).sorted())")
            #expect(Set(copies.keys).isSubset(of: everyone))

            // Reported as unknown, not sent again: failed with that class, one attempt each, and the worker said so.
            let unknown = Set(try await Self.addresses(fixture, state: "failed", failureClass: "unknown_outcome"))
            #expect(unknown == inFlight)
            #expect(Set(try await Self.addresses(fixture, state: "sent")) == everyone.subtracting(inFlight))
            #expect(
                try await Self.count(fixture, "SELECT count(*)::int FROM messages WHERE failure_class = 'unknown_outcome' AND attempts <> 1") == 0
            )
            let abandoned = output.standardError.split(separator: "\n")
                .filter { $0.contains("messages left sending by a stopped worker are failed, not sent again") }
                .compactMap { line in line.firstMatch(of: /herald\.send\.abandoned=(\d+)/).flatMap { Int($0.1) } }
            #expect(abandoned.reduce(0, +) == inFlight.count, "\(output.standardError.suffix(2_000))")
        }
    }

    static func count(_ fixture: CLIFixture, _ sql: PostgresQuery) async throws -> Int {
        try await Database.withDatabase(fixture.database, logger: TestDatabase.logger) { database in
            for try await value in try await database.client.query(sql, logger: database.logger).decode(Int.self) { return value }
            return -1
        }
    }

    /// The addresses of the messages in `state` (and of that failure class, if given).
    static func addresses(_ fixture: CLIFixture, state: String, failureClass: String? = nil) async throws -> [String] {
        try await Database.withDatabase(fixture.database, logger: TestDatabase.logger) { database in
            let rows = try await database.client.query(
                """
                SELECT c.email FROM messages m JOIN contacts c ON c.id = m.contact_id
                WHERE m.state = \(state) AND (\(failureClass)::text IS NULL OR m.failure_class = \(failureClass))
                """,
                logger: database.logger
            )
            var addresses: [String] = []
            for try await address in rows.decode(String.self) { addresses.append(address) }
            return addresses
        }
    }
}
