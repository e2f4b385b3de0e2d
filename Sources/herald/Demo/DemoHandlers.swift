import HeraldCore
import Jobs
import Storage
import Synchronization

/// Counts the `analyze` jobs whose handler has returned, autopilot included, so the demo knows when a day's analysis
/// and autopilot's actions are done (the job's completion commits with the analysis, before autopilot acts).
final class DemoSignals: Sendable {
    private let analyses = Mutex(0)

    var analysesDone: Int { analyses.withLock { $0 } }
    func analysisDone() { analyses.withLock { $0 += 1 } }
}

/// The standard `analyze` handler, telling ``DemoSignals`` when it has returned.
struct ObservedAnalyzeHandler: JobHandler {
    let inner = AnalyzeHandler()
    let signals: DemoSignals

    func run(_ job: ClaimedJob, payload: AnalyzePayload, context: JobContext) async throws {
        try await inner.run(job, payload: payload, context: context)
        signals.analysisDone()
    }
}

extension JobHandlers {
    /// `standard`, with its `analyze` handler observed by `signals`.
    static func observing(_ standard: JobHandlers, signals: DemoSignals) -> JobHandlers {
        JobHandlers(
            JobKind.allCases.compactMap { kind in
                kind == .analyze ? ObservedAnalyzeHandler(signals: signals) : standard[kind]
            }
        )
    }
}
