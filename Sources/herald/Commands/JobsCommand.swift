import ArgumentParser
import Foundation
import HeraldCore
import Scheduling
import Storage

/// `herald jobs list|stats|retry|cancel|enqueue`.
struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "Inspect and steer the job queue.",
        subcommands: [List.self, Stats.self, Retry.self, Cancel.self, Enqueue.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List jobs, newest first.")
        @OptionGroup var options: CommonOptions
        @Option(help: "Only jobs in this state (pending, running, completed, dead, cancelled).") var state: JobState?
        @Option(help: "Most jobs shown.") var limit: Int = 50
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let (state, limit) = (self.state, self.limit)
            let jobs = try await options.session().run { database, _ in try await JobQueue(database).list(state: state, limit: limit) }
            if json {
                print(try Terminal.json(jobs))
                return
            }
            print("ID        KIND              STATE      ATTEMPTS  RUN AT                    LAST ERROR")
            for job in jobs {
                print(
                    String(job.id).padding(toLength: 8, withPad: " ", startingAt: 0) + "  "
                        + job.kind.padding(toLength: 16, withPad: " ", startingAt: 0) + "  "
                        + job.state.padding(toLength: 9, withPad: " ", startingAt: 0) + "  "
                        + "\(job.attempts)/\(job.maxAttempts)".padding(toLength: 8, withPad: " ", startingAt: 0) + "  "
                        + Timestamp.format(job.runAt).padding(toLength: 24, withPad: " ", startingAt: 0) + "  "
                        + (job.lastError ?? "")
                )
            }
        }
    }

    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Count jobs per kind and state.")
        @OptionGroup var options: CommonOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let now = options.configuration().clock.now()
            let stats = try await options.session().run { database, _ in try await JobQueue(database).stats(now: now) }
            if json {
                print(try Terminal.json(stats))
                return
            }
            for (kind, counts) in stats.counts.sorted(by: { $0.key < $1.key }) {
                print("\(kind): " + counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
            }
            if let wait = stats.oldestPendingSeconds { print(String(format: "oldest due job waits %.1f s", wait)) }
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run a dead, cancelled or pending job now, with fresh attempts.")
        @OptionGroup var options: CommonOptions
        @Argument(help: "The job id.") var id: Int64
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await JobsCommand.steer(
                id,
                options: options,
                json: json,
                state: "pending",
                done: "is due now",
                refused: "not found or running/completed: nothing to retry"
            ) {
                try await $0.retryNow($1, now: $2)
            }
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel a pending or running job.")
        @OptionGroup var options: CommonOptions
        @Argument(help: "The job id.") var id: Int64
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await JobsCommand.steer(
                id,
                options: options,
                json: json,
                state: "cancelled",
                done: "cancelled",
                refused: "not found or already finished: nothing to cancel"
            ) {
                try await $0.cancel($1, now: $2)
            }
        }
    }

    struct Enqueue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Put a job (or several copies) on the queue.")
        @OptionGroup var options: CommonOptions
        @Argument(help: "The job kind (\(JobKind.names)).") var kind: String
        @Option(help: "JSON payload.") var payload: String = "{}"
        @Option(help: "Queue.") var queue: String = "default"
        @Option(help: "Priority; higher first.") var priority: Int = 0
        @Option(help: "Not before this ISO 8601 time.") var runAt: String?
        @Option(help: "Attempts before the job is dead.") var maxAttempts: Int = 5
        @Option(help: "No-op while a pending or running job has this key.") var uniqueKey: String?
        @Option(help: "How many copies.") var count: Int = 1

        func run() async throws {
            let kind = try JobKind(parsing: kind, field: "kind")
            guard (try? JSONSerialization.jsonObject(with: Data(payload.utf8))) is [String: Any] else {
                throw HeraldCore.ValidationError(field: "--payload", reason: "must be a JSON object, e.g. {\"campaign_id\": \"...\"}")
            }
            let when = try runAt.map { try Timestamp.parse($0) } ?? options.configuration().clock.now()
            let request = JobRequest(
                job: EncodedJobPayload(kind: kind, unvalidatedJSON: payload),
                queue: queue,
                priority: priority,
                runAt: when,
                maxAttempts: maxAttempts,
                uniqueKey: uniqueKey
            )
            let copies = count
            let added = try await options.session().run { database, _ in
                var added = 0
                var remaining = copies
                while remaining > 0 {
                    let batch = min(remaining, 5_000)
                    added += try await JobQueue(database).enqueue(Array(repeating: request, count: batch))
                    remaining -= batch
                }
                return added
            }
            print("enqueued \(added)")
        }
    }

    /// Runs one operator action on a job and reports it (`retry`, `cancel`).
    static func steer(
        _ id: Int64,
        options: CommonOptions,
        json: Bool,
        state: String,
        done: String,
        refused: String,
        _ action: @Sendable (JobQueue, Int64, Date) async throws -> Bool
    ) async throws {
        let now = options.configuration().clock.now()
        let changed = try await options.session().run { database, _ in try await action(JobQueue(database), id, now) }
        guard changed else { throw CommandFailure(message: "job \(id) \(refused)") }
        print(json ? #"{"id":\#(id),"state":"\#(state)"}"# : "job \(id) \(done)")
    }
}
