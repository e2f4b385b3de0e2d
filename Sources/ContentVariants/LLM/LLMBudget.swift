/// Counts each workspace's LLM requests and tokens against its limits, so one workspace cannot run up
/// the bill. Held by the process that calls the LLM (a worker, the CLI).
public actor LLMBudget {
    /// The most one workspace may use.
    public struct Limits: Sendable, Equatable {
        /// Requests (each attempt counts).
        public var requests: Int
        /// Tokens, as reported by the endpoint's `usage.total_tokens`.
        public var tokens: Int

        public init(requests: Int = 200, tokens: Int = 400_000) {
            self.requests = requests
            self.tokens = tokens
        }
    }

    /// What one workspace has used.
    public struct Usage: Sendable, Equatable {
        public var requests: Int
        public var tokens: Int

        public init(requests: Int = 0, tokens: Int = 0) {
            self.requests = requests
            self.tokens = tokens
        }
    }

    private let limits: Limits
    private var usage: [String: Usage] = [:]

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Takes one request from the workspace's budget.
    ///
    /// - Throws: ``LLMError/budgetExhausted(workspace:detail:)`` when it has none left.
    public func reserveRequest(for workspace: String) throws(LLMError) {
        var current = usage[workspace] ?? Usage()
        guard current.requests < limits.requests else {
            throw .budgetExhausted(workspace: workspace, detail: "\(current.requests) of \(limits.requests) requests used")
        }
        guard current.tokens < limits.tokens else {
            throw .budgetExhausted(workspace: workspace, detail: "\(current.tokens) of \(limits.tokens) tokens used")
        }
        current.requests += 1
        usage[workspace] = current
    }

    /// Records the tokens a request used.
    public func record(tokens: Int, for workspace: String) {
        usage[workspace, default: Usage()].tokens += max(0, tokens)
    }

    /// What the workspace has used so far.
    public func usage(of workspace: String) -> Usage { usage[workspace] ?? Usage() }
}
