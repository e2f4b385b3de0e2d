import AsyncHTTPClient
import EmbeddedPostgres
import Foundation
import Glibc
import HeraldCore
import Logging
import NIOCore
import NIOHTTP1
import Storage
import Synchronization

#if canImport(Glibc)
#endif

extension FaultsBench {
    /// `seconds` of ingest from 8 clients (p99 per batch, the server's memory at start and end), then jobs: a drain of
    /// a queue filled beforehand, and `seconds` of jobs enqueued while two worker processes drain them (jobs/s and the
    /// lag p99 beside the drain-only figure).
    static func sustainedLoad(_ rig: FaultRig, _ database: Database, setup: Setup, seconds: Double) async throws -> FaultFigures {
        var figures = FaultFigures("sustained load \(Int(seconds)) s")
        let port = try FreePort.find()
        let server = try await rig.serve(port: port)
        let memoryStart = FaultRig.residentMiB(server.pid) ?? 0
        let stream = EventStream(rig: rig, port: port, token: setup.token, variants: setup.variants, batchSize: 100)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await stream.run(clients: 8) }
            try? await Task.sleep(for: .seconds(seconds))
            stream.stop()
        }
        let memoryEnd = FaultRig.residentMiB(server.pid) ?? 0
        let tally = stream.tally.withLock { $0 }
        figures.serverErrors = tally.serverErrors + tally.unavailable
        figures.checked = tally.acknowledged
        figures.record("ingest_events_per_s", Double(tally.acknowledged) / seconds)
        figures.record("ingest_batch_p99_ms", Percentile.of(tally.batchMilliseconds, 0.99))
        figures.record("server_rss_mib_start", memoryStart)
        figures.record("server_rss_mib_end", memoryEnd)
        server.signal(SIGTERM)
        _ = await FaultRig.exit(of: server, within: .seconds(30))

        // Jobs: drain only, then enqueue-while-draining.
        let queue = JobQueue(database)
        let fixtures = FaultFixtures(database)
        let request = JobRequest(job: EncodedJobPayload(kind: .noop, unvalidatedJSON: "{}"), runAt: Date())
        let drainJobs = 20_000
        let doneBefore = try await fixtures.jobCounts(kinds: ["noop"]).completed
        for _ in 0..<(drainJobs / 5_000) { _ = try await queue.enqueue(Array(repeating: request, count: 5_000)) }
        let workers = try (0..<2).map { _ in try rig.worker(concurrency: 100) }
        let drainStart = ContinuousClock.now
        while try await fixtures.jobCounts(kinds: ["noop"]).completed < doneBefore + drainJobs, ContinuousClock.now - drainStart < .seconds(300) {
            try await Task.sleep(for: .milliseconds(50))
        }
        let drainRate = Double(drainJobs) / (ContinuousClock.now - drainStart).seconds
        let rate = max(100, min(drainRate / 2, 5_000))
        let since = Date()
        let liveStart = ContinuousClock.now
        var enqueued = 0
        while ContinuousClock.now - liveStart < .seconds(seconds) {
            let target = Int(rate * (ContinuousClock.now - liveStart).seconds)
            if target > enqueued {
                let now = Date()
                let due = JobRequest(job: EncodedJobPayload(kind: .noop, unvalidatedJSON: "{}"), runAt: now)
                enqueued += try await queue.enqueue(Array(repeating: due, count: target - enqueued))
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        let target = doneBefore + drainJobs + enqueued
        while try await fixtures.jobCounts(kinds: ["noop"]).completed < target, ContinuousClock.now - liveStart < .seconds(seconds + 120) {
            try await Task.sleep(for: .milliseconds(50))
        }
        let liveSeconds = (ContinuousClock.now - liveStart).seconds
        let lags = try await fixtures.startLags(kind: "noop", since: since)
        for worker in workers {
            worker.signal(SIGTERM)
            _ = await FaultRig.exit(of: worker, within: .seconds(30))
        }
        let counts = try await fixtures.jobCounts(kinds: ["noop"])
        figures.losses += max(0, target - counts.completed)
        figures.checked += drainJobs + enqueued
        figures.record("drain_jobs_per_s", drainRate)
        figures.record("live_enqueued_per_s", rate)
        figures.record("live_jobs_per_s", Double(enqueued) / liveSeconds)
        figures.record("live_lag_p50_ms", Percentile.of(lags, 0.5))
        figures.record("live_lag_p99_ms", Percentile.of(lags, 0.99))
        return figures
    }
}
