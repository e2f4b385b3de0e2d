import Foundation
import Synchronization

/// Faults a test asks a stand-in to inject into its next answers to a route, in order.
public enum StandInFault: Sendable, Equatable {
    /// Answer with this status, extra headers and body instead of doing the work (e.g. 429 with reset headers,
    /// 503, 401 with the platform's expired-token body, 422 refusing the content).
    case answer(status: Int, headers: [String: String] = [:], body: String)
    /// Do the work (store the post), then wait this long before answering, so the client times out after the
    /// platform stored the post.
    case storeThenStall(seconds: Double)
    /// Close the connection without answering, before doing any work.
    case stallBeforeWork(seconds: Double)
}

/// A queue of faults per route name (`"statuses"`, `"createRecord"`), shared by a stand-in's handlers.
public final class StandInFaults: Sendable {
    private let queued = Mutex<[String: [StandInFault]]>([:])

    public init() {}

    /// Queues `faults` for the next requests to `route`.
    public func inject(_ faults: StandInFault..., into route: String) {
        queued.withLock { $0[route, default: []].append(contentsOf: faults) }
    }

    /// The next fault for `route`, if any (removing it).
    public func next(for route: String) -> StandInFault? {
        queued.withLock { queues in
            guard var queue = queues[route], !queue.isEmpty else { return nil }
            let fault = queue.removeFirst()
            queues[route] = queue
            return fault
        }
    }
}
