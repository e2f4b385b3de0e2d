import AsyncHTTPClient
import EmbeddedPostgres
import Foundation
import HeraldCore
import NIOCore
import NIOHTTP1
import Synchronization

/// Clients posting batches of events to `POST /v1/events` and retrying each batch, same ids, until it is acknowledged
/// (202), waiting as `Retry-After` says: what a well-behaved client does through a fault. Counts every answer.
final class EventStream: Sendable {
    struct Tally: Sendable {
        var acknowledged = 0
        var batches = 0
        var unavailable = 0
        var unavailableWithoutRetryAfter = 0
        var serverErrors = 0
        var otherStatuses: [Int: Int] = [:]
        var noAnswer = 0
        var batchMilliseconds: [Double] = []
        /// When each batch was acknowledged.
        var acknowledgedAt: [ContinuousClock.Instant] = []
    }

    let rig: FaultRig
    let url: String
    let token: String
    let variants: [VariantID]
    let batchSize: Int
    let tally = Mutex(Tally())
    let stopped = Atomic<Bool>(false)

    init(rig: FaultRig, port: Int, token: String, variants: [VariantID], batchSize: Int) {
        self.rig = rig
        self.url = "http://127.0.0.1:\(port)/v1/events"
        self.token = token
        self.variants = variants
        self.batchSize = batchSize
    }

    /// Runs `clients` loops until ``stop()``; each ends once its batch in flight is acknowledged.
    func run(clients: Int) async {
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<clients { group.addTask { await self.client() } }
        }
    }

    func stop() { stopped.store(true, ordering: .relaxed) }

    private func client() async {
        while !stopped.load(ordering: .relaxed) {
            let events = (0..<batchSize).map { index -> [String: Any] in
                [
                    "id": UUID().uuidString.lowercased(), "variant_id": variants[index % variants.count].uuid.uuidString.lowercased(),
                    "kind": index % 10 == 0 ? "click" : "impression", "occurred_at": Timestamp.format(Date()),
                ]
            }
            guard let body = try? JSONSerialization.data(withJSONObject: events) else { return }
            await send(body)
        }
    }

    /// Sends one batch until it is acknowledged (or a minute of trying has passed).
    private func send(_ body: Data) async {
        let giveUp = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < giveUp {
            let start = ContinuousClock.now
            let response = await rig.post(url, json: body, token: token, timeout: .seconds(15))
            let milliseconds = (ContinuousClock.now - start).seconds * 1_000
            guard let response else {
                tally.withLock { $0.noAnswer += 1 }
                try? await Task.sleep(for: .milliseconds(200))
                continue
            }
            let status = Int(response.status.code)
            switch status {
            case 202:
                tally.withLock {
                    $0.acknowledged += batchSize
                    $0.batches += 1
                    $0.batchMilliseconds.append(milliseconds)
                    $0.acknowledgedAt.append(.now)
                }
                return
            case 503:
                let retryAfter = response.headers.first(name: "Retry-After").flatMap(Double.init)
                tally.withLock {
                    $0.unavailable += 1
                    if retryAfter == nil { $0.unavailableWithoutRetryAfter += 1 }
                }
                try? await Task.sleep(for: .milliseconds(Int(min(retryAfter ?? 0.5, 1) * 1_000)))
            case 500...599:
                tally.withLock { $0.serverErrors += 1 }
                try? await Task.sleep(for: .milliseconds(200))
            default:
                tally.withLock { $0.otherStatuses[status, default: 0] += 1 }
                return
            }
        }
    }
}
