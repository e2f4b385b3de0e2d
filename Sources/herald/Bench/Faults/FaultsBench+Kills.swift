import AsyncHTTPClient
import Connectors
import EmbeddedPostgres
import Foundation
import Glibc
import HeraldCore
import Jobs
import Logging
import NIOCore
import NIOHTTP1
import PlatformStandIns
import Storage
import Synchronization

#if canImport(Glibc)
#endif

extension FaultsBench {
    /// `kill -9` of a worker `kills` times while `jobs` jobs run (a fifth of them publications to a webhook receiver on
    /// loopback, the rest no-ops), a replacement started at once: every job completed once, no publication posted
    /// twice, and how long each killed worker's jobs stayed held.
    static func workerKills(
        _ rig: FaultRig,
        _ database: Database,
        workspace: WorkspaceID,
        jobs: Int,
        kills: Int,
        logger: Logger
    ) async throws
        -> FaultFigures
    {
        var figures = FaultFigures("worker kill -9")
        let receiver = WebhookReceiver(secret: "faults-secret")
        return try await StandInServer.run(receiver.router(), logger: logger) { base in
            let secrets = try SecretBox.load(environment: [:], home: rig.home)
            _ = try await AccountStore(database, workspace: workspace, secrets: secrets).connect(
                name: "faults-hook",
                kind: .webhook,
                baseURL: base + "/hook",
                handle: nil,
                credentials: Credentials(signingSecret: "faults-secret"),
                followers: nil,
                pace: AccountPace(perHour: 36_000_000, burst: Double(jobs))
            )
            let spec = try CampaignSpec(
                name: "Faults kills \(UUID().uuidString.prefix(6))",
                channels: [.webhook],
                destination: "https://shop.example.com",
                variants: [.init(key: "A", text: "Trail season is here.")],
                accounts: [.webhook: "faults-hook"]
            )
            let campaign = try await CampaignStore(database, workspace: workspace).create(spec)
            let publications = max(1, jobs / 5)
            let noops = jobs - publications
            let fire = CampaignFire(database: database, publicURL: "https://h.example", logger: logger)
            let queue = JobQueue(database)
            let fixtures = FaultFixtures(database)
            let host = ProcessInfo.processInfo.hostName

            var workers = try (0..<3).map { _ in try rig.worker() }
            let span = Double(kills) * 1.5
            let start = ContinuousClock.now
            let due = Date()
            var recoveries: [Double] = []
            var enqueuedNoops = 0
            var fired = 0
            var killed = 0
            try await withThrowingTaskGroup(of: Double?.self) { group in
                while enqueuedNoops < noops || fired < publications || killed < kills {
                    let elapsed = (ContinuousClock.now - start).seconds
                    let share = min(1, elapsed / span)
                    let noopTarget = Int(Double(noops) * share)
                    if noopTarget > enqueuedNoops {
                        let request = JobRequest(job: EncodedJobPayload(kind: .noop, unvalidatedJSON: "{}"), runAt: Date())
                        enqueuedNoops += try await queue.enqueue(Array(repeating: request, count: noopTarget - enqueuedNoops))
                    }
                    while fired < Int(Double(publications) * share) {
                        _ = try await fire.fire(campaign, at: due.addingTimeInterval(-Double(fired) - 1), now: Date())
                        fired += 1
                    }
                    if killed < kills, elapsed >= Double(killed + 1) * span / Double(kills + 1) {
                        let victim = workers[killed % workers.count]
                        let id = "\(host):\(victim.pid)"
                        let killedAt = ContinuousClock.now
                        victim.signal(SIGKILL)
                        _ = await victim.wait()
                        workers[killed % workers.count] = try rig.worker()
                        killed += 1
                        group.addTask {
                            // How long the dead worker's running jobs stayed held (nil: it held none).
                            guard try await fixtures.runningJobs(lockedBy: id) > 0 else { return nil }
                            while try await fixtures.runningJobs(lockedBy: id) > 0 {
                                guard ContinuousClock.now - killedAt < .seconds(120) else { return 120 }
                                try await Task.sleep(for: .milliseconds(50))
                            }
                            return (ContinuousClock.now - killedAt).seconds
                        }
                    }
                    try await Task.sleep(for: .milliseconds(100))
                }
                for try await recovery in group { if let recovery { recoveries.append(recovery) } }
            }
            // Every job done.
            let deadline = ContinuousClock.now + .seconds(300)
            var counts = try await fixtures.jobCounts(kinds: ["noop", "publish"])
            while counts.completed < noops + publications, counts.pending + counts.running > 0, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(200))
                counts = try await fixtures.jobCounts(kinds: ["noop", "publish"])
            }
            for worker in workers {
                worker.signal(SIGTERM)
                _ = await FaultRig.exit(of: worker, within: .seconds(30))
            }
            let states = try await fixtures.publicationStates(campaigns: [campaign.id.uuid])
            var keysByPublication: [String: Set<String>] = [:]
            for delivery in receiver.deliveries {
                guard let object = try? JSONSerialization.jsonObject(with: Data(delivery.body.utf8)) as? [String: Any],
                    let id = object["id"] as? String
                else { continue }
                keysByPublication[id, default: []].insert(delivery.idempotencyKey)
            }
            figures.faults = killed
            figures.checked = noops + publications
            figures.losses = max(0, noops + publications - counts.completed) + counts.dead
            let posted = keysByPublication.count
            // The receiver keeps one delivery per Idempotency-Key: a publication posted under two keys was posted twice.
            figures.duplicates = receiver.deliveries.count - posted
            if states["published", default: 0] != publications || posted != publications {
                figures.problems.append("\(states["published", default: 0]) of \(publications) publications published, \(posted) posted")
            }
            figures.record("jobs", Double(noops + publications))
            figures.record("jobs_rerun_after_kill", Double(counts.completedAfterRetry))
            figures.record("kills_holding_jobs", Double(recoveries.count))
            figures.record("recovery_p50_s", Percentile.of(recoveries, 0.5))
            figures.record("recovery_p99_s", Percentile.of(recoveries, 0.99))
            figures.record("recovery_max_s", recoveries.max() ?? 0)
            return figures
        }
    }
}
