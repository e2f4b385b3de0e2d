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
    /// `pg_ctl stop -m immediate` and a start while 8 clients stream events: every acknowledged event stored once, no
    /// 5xx but 503 with Retry-After during the gap, and the server serving again by itself.
    static func databaseRestart(_ rig: FaultRig, _ database: Database, setup: Setup, seconds: Double, logger: Logger) async throws -> FaultFigures {
        var figures = FaultFigures("database restart -m immediate")
        let port = try FreePort.find()
        let server = try await rig.serve(port: port)
        let stream = EventStream(rig: rig, port: port, token: setup.token, variants: setup.variants, batchSize: 50)
        let restartedAt = Shared(ContinuousClock.now)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await stream.run(clients: 8) }
            group.addTask {
                try? await Task.sleep(for: .seconds(seconds / 3))
                try? rig.crashDatabase()
                try? await rig.waitForDatabaseDown()
                try? await Task.sleep(for: .seconds(1))
                _ = try? await rig.cluster.start()
                restartedAt.withLock { $0 = ContinuousClock.now }
                try? await Task.sleep(for: .seconds(seconds * 2 / 3))
                stream.stop()
            }
        }
        let tally = stream.tally.withLock { $0 }
        let stored = try await rig.withFreshDatabase { try await FaultFixtures($0).storedEvents(campaign: setup.campaign.uuid) }
        figures.faults = 1
        figures.checked = tally.acknowledged
        figures.losses = max(0, tally.acknowledged - stored.distinct)
        figures.duplicates = stored.rows - stored.distinct
        figures.serverErrors = tally.serverErrors
        if tally.unavailableWithoutRetryAfter > 0 { figures.problems.append("\(tally.unavailableWithoutRetryAfter) 503s without Retry-After") }
        if !tally.otherStatuses.isEmpty { figures.problems.append("unexpected answers \(tally.otherStatuses)") }
        if stored.distinct > tally.acknowledged {
            // Stored but never acknowledged: a write after the client was answered with an error.
            figures.problems.append("\(stored.distinct - tally.acknowledged) events stored that were never acknowledged")
        }
        figures.record("events_acknowledged", Double(tally.acknowledged))
        figures.record("answers_503", Double(tally.unavailable))
        figures.record("no_answer", Double(tally.noAnswer))
        let restarted = restartedAt.value
        let firstAfter = tally.acknowledgedAt.filter { $0 >= restarted }.min()
        figures.record("back_after_restart_s", firstAfter.map { ($0 - restarted).seconds } ?? -1)
        figures.record("batch_p99_ms", Percentile.of(tally.batchMilliseconds, 0.99))
        server.signal(SIGTERM)
        _ = await FaultRig.exit(of: server, within: .seconds(30))
        return figures
    }

    /// The database stopped for `seconds`: `/healthz` 503 within 1 s, ingestion 503 with Retry-After, tracking links
    /// still redirecting and their hits stored after the database returns, SIGTERM of a server and of a worker during
    /// the outage ending them within their grace, and the remaining workers running jobs again.
    static func databaseOutage(_ rig: FaultRig, _ database: Database, setup: Setup, seconds: Double, logger: Logger) async throws -> FaultFigures {
        var figures = FaultFigures("database down \(Int(seconds)) s")
        let port = try FreePort.find()
        let server = try await rig.serve(port: port)
        let doomedServer = try await rig.serve(port: try FreePort.find())
        let workersBefore = try await FaultFixtures(database).heldSessionLocks()
        let worker = try rig.worker()
        let doomedWorker = try rig.worker()
        let base = "http://127.0.0.1:\(port)"
        // The scenario is about running workers: the database goes down once both are connected and working (stopped
        // while one was still starting, it lost the race for the cluster and exited).
        let ready = ContinuousClock.now
        while try await FaultFixtures(database).heldSessionLocks() < workersBefore + 2, ContinuousClock.now - ready < .seconds(60) {
            try await Task.sleep(for: .milliseconds(100))
        }
        let clicksBefore = try await FaultFixtures(database).storedEvents(campaign: setup.campaign.uuid, kind: "click")
        let viewsBefore = try await FaultFixtures(database).storedEvents(campaign: setup.campaign.uuid, kind: "impression")

        try await rig.cluster.stop()
        let down = ContinuousClock.now
        figures.faults = 1
        // Health: 503 within a second.
        var healthMilliseconds: [Double] = []
        var healthAnswers: [String] = []
        for _ in 0..<5 {
            let start = ContinuousClock.now
            let response = try await rig.get(base + "/healthz", timeout: .seconds(10))
            healthMilliseconds.append((ContinuousClock.now - start).seconds * 1_000)
            if response?.status.code != 503 { healthAnswers.append(response.map { "\($0.status.code)" } ?? "nothing") }
        }
        if !healthAnswers.isEmpty { figures.problems.append("/healthz answered \(healthAnswers.joined(separator: ", ")) while down (503 expected)") }
        // Ingestion: 503 with Retry-After.
        let batch = try JSONSerialization.data(withJSONObject: [
            [
                "id": UUID().uuidString.lowercased(), "variant_id": setup.variants[0].uuid.uuidString.lowercased(), "kind": "click",
                "occurred_at": Timestamp.format(Date()),
            ]
        ])
        var ingestMilliseconds: [Double] = []
        var ingestAnswers: [String] = []
        for _ in 0..<3 {
            let start = ContinuousClock.now
            let response = await rig.post(base + "/v1/events", json: batch, token: setup.token, timeout: .seconds(10))
            ingestMilliseconds.append((ContinuousClock.now - start).seconds * 1_000)
            if response?.status.code != 503 || response?.headers.first(name: "Retry-After") == nil {
                ingestAnswers.append(response.map { "\($0.status.code)" } ?? "nothing")
            }
            if let code = response?.status.code, code >= 500, code != 503 { figures.serverErrors += 1 }
        }
        if !ingestAnswers.isEmpty {
            figures.problems.append("POST /v1/events answered \(ingestAnswers.joined(separator: ", ")) while down (503 with Retry-After expected)")
        }
        // Tracking: every click redirects, every pixel loads.
        var clicks = 0
        var views = 0
        var trackingFailures: [String: Int] = [:]
        var trackingMilliseconds: [Double] = []
        for index in 0..<200 {
            let start = ContinuousClock.now
            let path = index % 4 == 3 ? "/p/\(setup.trackingCode).gif" : "/r/\(setup.trackingCode)"
            let response = try await rig.get(base + path, headers: [("User-Agent", "Mozilla/5.0 faults-\(index)")], timeout: .seconds(10))
            trackingMilliseconds.append((ContinuousClock.now - start).seconds * 1_000)
            switch response?.status.code {
            case 302: clicks += 1
            case 200: views += 1
            case let code?:
                if code >= 500 { figures.serverErrors += 1 }
                trackingFailures["answered \(code)", default: 0] += 1
            case nil: trackingFailures["got no answer", default: 0] += 1
            }
        }
        for (failure, count) in trackingFailures.sorted(by: { $0.key < $1.key }) {
            figures.problems.append("\(count) tracking hits \(failure) while the database was down")
        }
        // SIGTERM during the outage: a server and a worker end within their grace.
        doomedServer.signal(SIGTERM)
        doomedWorker.signal(SIGTERM)
        let serverExit = await FaultRig.exit(of: doomedServer, within: .seconds(40))
        let workerExit = await FaultRig.exit(of: doomedWorker, within: .seconds(40))
        if serverExit?.status != 0 {
            figures.problems.append("serve after SIGTERM: \(serverExit.map { "exit \($0.status)" } ?? "still running after 40 s")")
        }
        if workerExit?.status != 0 {
            figures.problems.append("worker after SIGTERM: \(workerExit.map { "exit \($0.status)" } ?? "still running after 40 s")")
        }

        let remaining = seconds - (ContinuousClock.now - down).seconds
        if remaining > 0 { try await Task.sleep(for: .seconds(remaining)) }
        try await rig.cluster.start()
        let up = ContinuousClock.now
        // The hits arrive; the workers take jobs again.
        var arrived: Double = -1
        var storedClicks = 0
        var storedViews = 0
        while ContinuousClock.now - up < .seconds(120) {
            let counts = try? await rig.withFreshDatabase { database in
                let fixtures = FaultFixtures(database)
                return (
                    try await fixtures.storedEvents(campaign: setup.campaign.uuid, kind: "click"),
                    try await fixtures.storedEvents(campaign: setup.campaign.uuid, kind: "impression")
                )
            }
            if let (allClicks, allViews) = counts {
                storedClicks = allClicks - clicksBefore
                storedViews = allViews - viewsBefore
            }
            if storedClicks >= clicks && storedViews >= views {
                arrived = (ContinuousClock.now - up).seconds
                break
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        let probe = JobRequest(job: EncodedJobPayload(kind: .noop, unvalidatedJSON: "{}"), runAt: Date())
        let probeStart = ContinuousClock.now
        let before = try await rig.withFreshDatabase { database in
            let before = try await FaultFixtures(database).jobCounts(kinds: ["noop"]).completed
            _ = try await JobQueue(database).enqueue(Array(repeating: probe, count: 20))
            return before
        }
        var resumed: Double = -1
        while ContinuousClock.now - probeStart < .seconds(120) {
            let completed = try? await rig.withFreshDatabase { try await FaultFixtures($0).jobCounts(kinds: ["noop"]).completed }
            if completed ?? 0 >= before + 20 {
                resumed = (ContinuousClock.now - up).seconds
                break
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        if resumed < 0 { figures.problems.append("the worker did not run jobs within 120 s of the database's return") }
        figures.checked = clicks + views
        figures.losses = max(0, clicks - storedClicks) + max(0, views - storedViews)
        figures.duplicates = max(0, storedClicks - clicks) + max(0, storedViews - views)
        figures.record("healthz_max_ms", healthMilliseconds.max() ?? 0)
        figures.record("ingest_503_max_ms", ingestMilliseconds.max() ?? 0)
        figures.record("tracking_answered", Double(clicks + views))
        figures.record("tracking_p99_ms", Percentile.of(trackingMilliseconds, 0.99))
        figures.record("hits_stored_after_s", arrived)
        figures.record("serve_sigterm_exit_s", serverExit?.seconds ?? -1)
        figures.record("worker_sigterm_exit_s", workerExit?.seconds ?? -1)
        figures.record("worker_resumed_after_s", resumed)
        for process in [server, worker] {
            process.signal(SIGTERM)
            _ = await FaultRig.exit(of: process, within: .seconds(30))
        }
        return figures
    }
}
