import Foundation
import Logging
import Scheduling
import Storage
import Synchronization

/// What a handler gets besides its job: the database, the clock and a logger.
public struct JobContext: Sendable {
    public let database: Database
    public let clock: any HeraldClock
    public let logger: Logger
    /// The id of the worker running the job.
    public let worker: String
    /// How audience email is sent; nil: this worker sends none (`send_messages` fails, naming the settings).
    public let mail: AudienceMail?
    /// How audience text messages are sent; nil: this worker sends none (`send_messages` of an SMS campaign fails,
    /// naming the settings).
    public let sms: AudienceSMS?
    /// Jobs whose completion committed with their effect, so the worker does not complete them again.
    let completedWithEffect: CompletedWithEffect

    public init(
        database: Database,
        clock: any HeraldClock,
        logger: Logger,
        worker: String,
        mail: AudienceMail? = nil,
        sms: AudienceSMS? = nil
    ) {
        self.mail = mail
        self.sms = sms
        self.database = database
        self.clock = clock
        self.logger = logger
        self.worker = worker
        self.completedWithEffect = CompletedWithEffect()
    }

    /// The completion of `job` by this worker, for a handler whose effect is only in the database to pass to the store
    /// write that makes it: effect and completion then commit in one transaction, so a rescued job never redoes an
    /// effect that was committed (see ``JobCompletion``).
    public func completion(of job: ClaimedJob) -> JobCompletion {
        let completed = completedWithEffect
        return JobCompletion(job: job, worker: worker, finishedAt: clock.now()) { completed.insert(job) }
    }

    /// Whether `job`'s completion was written with its effect; forgets it.
    func takeCompletedWithEffect(_ job: ClaimedJob) -> Bool {
        completedWithEffect.remove(job)
    }

    /// The jobs (id and attempt) a handler completed in its effect's transaction.
    final class CompletedWithEffect: Sendable {
        private let jobs = Mutex<Set<[Int64]>>([])

        func insert(_ job: ClaimedJob) { _ = jobs.withLock { $0.insert([job.id, Int64(job.attempt)]) } }
        func remove(_ job: ClaimedJob) -> Bool { jobs.withLock { $0.remove([job.id, Int64(job.attempt)]) != nil } }
    }
}
