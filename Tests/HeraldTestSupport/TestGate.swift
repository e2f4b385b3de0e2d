/// Lets at most `width` callers run their work at once; the others wait their turn, first come first served.
actor TestGate {
    private let width: Int
    private var running = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(width: Int) {
        self.width = width
    }

    /// Runs `work` once a place is free.
    func run<Result: Sendable>(_ work: @Sendable () async throws -> Result) async throws -> Result {
        await enter()
        defer { leave() }
        return try await work()
    }

    private func enter() async {
        if running < width {
            running += 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func leave() {
        if waiting.isEmpty {
            running -= 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}
