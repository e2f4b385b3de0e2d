import ArgumentParser
import Foundation
import HeraldCore
import Scheduling

/// `herald cron next '<expr>' --tz <zone> --from <ISO 8601> --count N`.
struct CronCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cron",
        abstract: "Work with cron expressions.",
        subcommands: [Next.self]
    )

    struct Next: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the next fire times of a cron expression, one per line, ISO 8601 with offset.",
            discussion: """
                Five fields (minute hour day-of-month month day-of-week), names, ranges, steps, lists and macros \
                (@hourly, @daily, @weekly, @monthly, @yearly). DST as in Vixie cron: expressions whose minute or \
                hour field starts with * follow real time; others fire once at the first instant after a gap \
                and once at the first occurrence of a repeated time. Several expressions separated by ; \
                (0 9 * * MON; 0 19 * * TUE) fire at the times of each.
                """
        )
        @Argument(help: "The expression, e.g. '0 9 * * MON-FRI'.") var expression: String
        @Option(help: "IANA time zone.") var tz: String = "UTC"
        @Option(help: "Start after this ISO 8601 instant (default now).") var from: String?
        @Option(help: "How many fire times.") var count: Int = 5

        func run() async throws {
            guard (1...100_000).contains(count) else {
                throw HeraldCore.ValidationError(field: "--count", reason: "must be between 1 and 100000, found \(count)")
            }
            // Several expressions separated by `;` (a list, as autopilot's schedule moves write) fire at each one's times.
            let list = expression.contains(";") ? try Schedule(parsing: expression) : nil
            let cron = list == nil ? try CronExpression(parsing: expression) : nil
            guard let zone = TimeZone(identifier: tz) else {
                throw HeraldCore.ValidationError(field: "--tz", reason: "\"\(tz)\" is not an IANA time zone (e.g. Europe/Berlin)")
            }
            let start = try from.map { try Timestamp.parse($0) } ?? Date()
            let formatter = ISO8601DateFormatter()
            formatter.timeZone = zone
            formatter.formatOptions = [.withInternetDateTime]
            var fires: [Date] = []
            if let cron {
                fires = cron.nextFires(after: start, in: zone, count: count)
            } else if var list {
                list.timeZone = zone
                while fires.count < count, let next = list.nextFire(after: fires.last ?? start) { fires.append(next) }
            }
            for fire in fires { print(formatter.string(from: fire)) }
            if fires.count < count {
                let after = fires.last.map { formatter.string(from: $0) } ?? formatter.string(from: start)
                throw CommandFailure(
                    message: "\"\(expression)\" fires only \(fires.count) times: none in the \(CronExpression.searchHorizonDays) days after \(after)"
                )
            }
        }
    }
}
