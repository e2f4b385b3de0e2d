import Foundation
import HeraldCore
import PostgresNIO
import Synchronization

/// Keeps the month partitions of `events` made ahead of the events that need them.
///
/// Partitions belong to the table, not to a workspace. Months known to exist are remembered by the
/// database's pool (``Database``), so a steady stream of batches costs no queries here and two databases in
/// one process never share what they know; a partition dropped behind Herald's back is forgotten and made
/// again by the ingest paths' retry. Each is made in a short transaction of its own and attached without
/// waiting for transactions that write events (migration 0007).
public struct PartitionManager: Sendable {
    let database: Database

    /// Months (`year * 12 + month - 1`) whose partition is known to exist, for one pool.
    final class Memory: Sendable {
        let months = Mutex<Set<Int>>([])
    }

    /// The partitions of `database`.
    public init(_ database: Database) {
        self.database = database
    }

    /// Creates this month's and next month's partitions unless they exist (the service runs this every few hours).
    public func ensureCurrent(now: Date) async throws {
        try await ensure(covering: [now])
    }

    /// Creates the month partitions the times fall in, and the next month's, each unless it exists.
    public func ensure(covering times: [Date]) async throws {
        var months = Set<Int>()
        for time in times { months.insert(EventRows.month(of: time)) }
        if let last = months.max() { months.insert(last + 1) }
        let memory = database.partitionMemory
        let missing = memory.months.withLock { known in months.subtracting(known) }
        for month in missing.sorted() {
            try await database.client.execute("SELECT herald_ensure_event_partition(\(EventRows.start(ofMonth: month)))", logger: database.logger)
        }
        memory.months.withLock { $0.formUnion(missing) }
    }

    /// Forgets what is known, so the next ``ensure(covering:)`` checks every month again.
    func forget() {
        database.partitionMemory.months.withLock { $0.removeAll() }
    }

    /// Runs `body`; if it fails because a month has no partition (check violation 23514 on `events`), makes the
    /// partitions for `times` again and runs `body` once more.
    func retryingOnMissingPartition<Result>(covering times: [Date], _ body: () async throws -> Result) async throws -> Result {
        do {
            return try await body()
        } catch  where StorageError.sqlState(error) == "23514" {
            forget()
            try await ensure(covering: times)
            return try await body()
        }
    }
}
