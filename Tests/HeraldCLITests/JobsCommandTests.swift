import EmbeddedPostgres
import Foundation
import HeraldTestSupport
import Testing

struct JobsCommandTests {
    @Test func cronNextFollowsTheContract() async throws {
        let result = try await HeraldCommand.run(
            ["cron", "next", "30 2 * * *", "--tz", "Europe/Berlin", "--from", "2026-03-28T00:00:00Z", "--count", "3"]
        )
        #expect(result.standardOutput == "2026-03-28T02:30:00+01:00\n2026-03-29T03:00:00+02:00\n2026-03-30T02:30:00+02:00\n")
        // A list (as autopilot's schedule moves write): the times of each expression, in order, across the clock change.
        let list = try await HeraldCommand.run(
            ["cron", "next", "30 10 * * SUN; 30 19 * * SAT", "--tz", "Europe/Berlin", "--from", "2026-03-28T00:00:00Z", "--count", "3"]
        )
        #expect(list.standardOutput == "2026-03-28T19:30:00+01:00\n2026-03-29T10:30:00+02:00\n2026-04-04T19:30:00+02:00\n", "\(list.standardError)")
        let bad = try await HeraldCommand.run(["cron", "next", "0 9 * * FUN"])
        #expect(bad.status == 1)
        #expect(bad.standardError.hasPrefix("herald: day-of-week: \"FUN\""))
        #expect(isOneLine(bad.standardError))
        let zone = try await HeraldCommand.run(["cron", "next", "@daily", "--tz", "Moon/Base"])
        #expect(zone.standardError.contains("\"Moon/Base\" is not an IANA time zone"))
    }

    @Test func enqueueListStatsCancelAndRetry() async throws {
        let fixture = try await CLIFixture.make()
        #expect(try await fixture.run("jobs", "enqueue", "probe", "--count", "3").standardOutput == "enqueued 3\n")
        #expect(try await fixture.run("jobs", "enqueue", "probe", "--unique-key", "k").standardOutput == "enqueued 1\n")
        #expect(try await fixture.run("jobs", "enqueue", "probe", "--unique-key", "k").standardOutput == "enqueued 0\n")
        let bad = try await fixture.run("jobs", "enqueue", "probe", "--payload", "[1]")
        #expect(bad.status == 1 && bad.standardError.contains("--payload: must be a JSON object"))

        let listed = try await fixture.run("jobs", "list", "--json")
        let jobs = try #require(try JSONSerialization.jsonObject(with: Data(listed.standardOutput.utf8)) as? [[String: Any]])
        #expect(jobs.count == 4)
        let id = try #require(jobs.first?["id"] as? Int)

        let cancelled = try await fixture.run("jobs", "cancel", "\(id)", "--json")
        #expect(cancelled.standardOutput == #"{"id":\#(id),"state":"cancelled"}"# + "\n")
        let again = try await fixture.run("jobs", "cancel", "\(id)")
        #expect(again.status == 1 && again.standardError.contains("nothing to cancel"))
        let retried = try await fixture.run("jobs", "retry", "\(id)")
        #expect(retried.standardOutput == "job \(id) is due now\n")

        let stats = try await fixture.run("jobs", "stats", "--json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(stats.standardOutput.utf8)) as? [String: Any])
        #expect((object["counts"] as? [String: [String: Int]])?["probe"]?["pending"] == 4)
    }
}
