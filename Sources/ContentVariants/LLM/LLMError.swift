/// Why the LLM generator produced nothing.
public enum LLMError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The workspace has used its budget.
    case budgetExhausted(workspace: String, detail: String)
    /// The endpoint did not answer in time (after every attempt).
    case timedOut(attempts: Int)
    /// The endpoint answered with an error status.
    case http(status: Int, body: String)
    /// The connection failed.
    case transport(String)
    /// The answer was not the JSON asked for.
    case malformedAnswer(String)

    public var description: String {
        switch self {
        case .budgetExhausted(let workspace, let detail): return "LLM budget of workspace \(workspace) is used up (\(detail))"
        case .timedOut(let attempts): return "the LLM endpoint did not answer in time (\(attempts) attempts)"
        case .http(let status, let body): return "the LLM endpoint answered \(status): \(body)"
        case .transport(let message): return "could not reach the LLM endpoint: \(message)"
        case .malformedAnswer(let detail): return "the LLM answer was not the JSON asked for: \(detail)"
        }
    }

    /// Whether trying again may help.
    var isRetryable: Bool {
        switch self {
        case .budgetExhausted: return false
        case .timedOut, .transport, .malformedAnswer: return true
        case .http(let status, _): return status == 429 || status >= 500
        }
    }
}
