import EmbeddedPostgres
import Foundation
import HeraldTestSupport
import Testing

struct CronCommandTests {
    @Test func leapDayRulePrintsEveryFireAskedFor() async throws {
        let result = try await HeraldCommand.run(["cron", "next", "0 0 29 2 *", "--tz", "UTC", "--from", "2026-11-30T00:00:00Z", "--count", "4"])
        #expect(result.succeeded, "\(result.standardError)")
        #expect(result.standardOutput == "2028-02-29T00:00:00Z\n2032-02-29T00:00:00Z\n2036-02-29T00:00:00Z\n2040-02-29T00:00:00Z\n")
        #expect(result.standardError.isEmpty, "\(result.standardError)")
    }

    @Test func ruleThatNeverFiresIsOneClearLine() async throws {
        let result = try await HeraldCommand.run(["cron", "next", "0 0 30 2 *", "--tz", "UTC", "--from", "2026-11-30T00:00:00Z", "--count", "4"])
        #expect(result.status == 1)
        #expect(result.standardOutput.isEmpty)
        #expect(isOneLine(result.standardError), "\(result.standardError)")
        #expect(result.standardError.contains("day-of-month: \"30\" never occurs in the months \"2\""), "\(result.standardError)")
    }
}
