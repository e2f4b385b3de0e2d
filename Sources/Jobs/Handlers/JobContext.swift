import Foundation
import Logging
import Scheduling
import Storage

/// What a handler gets besides its job: the database, the clock and a logger.
public struct JobContext: Sendable {
    public let database: Database
    public let clock: any HeraldClock
    public let logger: Logger
    /// The id of the worker running the job.
    public let worker: String

    public init(database: Database, clock: any HeraldClock, logger: Logger, worker: String) {
        self.database = database
        self.clock = clock
        self.logger = logger
        self.worker = worker
    }
}
