import Foundation
import HeraldCore

/// Where and how to reach an OpenAI-compatible chat completions endpoint, read once at the edge
/// (`HERALD_LLM_URL`, `HERALD_LLM_MODEL`, `HERALD_LLM_API_KEY`, optionally `HERALD_LLM_TIMEOUT` in seconds, and
/// `HERALD_LLM_VISION=1` when the model accepts images).
public struct LLMConfiguration: Sendable, Equatable {
    /// The chat completions URL (`…/v1/chat/completions`; a URL ending in `/v1` gets `/chat/completions` added).
    public var endpoint: URL
    /// The model name sent with each request.
    public var model: String
    /// Sent as `Authorization: Bearer …` when set.
    public var apiKey: String?
    /// How long one request may take before it is abandoned (and retried).
    public var timeout: Duration
    /// Attempts per generation: the first try plus retries after timeouts, 429/5xx answers and malformed answers.
    public var maxAttempts: Int
    /// The pause before the first retry; doubled for each further one.
    public var retryDelay: Duration
    /// Sampling temperature.
    public var temperature: Double
    /// Per-workspace limits on requests and tokens.
    public var budget: LLMBudget.Limits
    /// Whether the model accepts images (`image_url` content parts), so Herald may ask it for alt text and caption
    /// ideas from an image. Set explicitly (`HERALD_LLM_VISION=1`): nothing can tell from outside whether a model sees.
    public var vision: Bool

    public init(
        endpoint: URL,
        model: String,
        apiKey: String? = nil,
        timeout: Duration = .seconds(30),
        maxAttempts: Int = 3,
        retryDelay: Duration = .milliseconds(500),
        temperature: Double = 0.9,
        budget: LLMBudget.Limits = .init(),
        vision: Bool = false
    ) {
        self.endpoint = Self.completionsURL(endpoint)
        self.model = model
        self.apiKey = apiKey
        self.timeout = timeout
        self.maxAttempts = max(1, maxAttempts)
        self.retryDelay = retryDelay
        self.temperature = temperature
        self.budget = budget
        self.vision = vision
    }

    /// The configuration from environment variables; nil when `HERALD_LLM_URL` is not set (use the rule generator).
    ///
    /// - Throws: ``ValidationError`` naming the variable when one is set but unusable.
    public init?(environment: [String: String]) throws(ValidationError) {
        guard let urlText = environment["HERALD_LLM_URL"], !urlText.isEmpty else { return nil }
        guard let url = URL(string: urlText), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", url.host != nil else {
            throw ValidationError(field: "HERALD_LLM_URL", reason: "\"\(urlText)\" is not an http or https URL")
        }
        guard let model = environment["HERALD_LLM_MODEL"], !model.isEmpty else {
            throw ValidationError(field: "HERALD_LLM_MODEL", reason: "must be set when HERALD_LLM_URL is (the model name to ask for)")
        }
        var timeout = Duration.seconds(30)
        if let text = environment["HERALD_LLM_TIMEOUT"] {
            guard let seconds = Double(text), seconds > 0, seconds <= 600 else {
                throw ValidationError(field: "HERALD_LLM_TIMEOUT", reason: "\"\(text)\" is not a number of seconds from 0 to 600")
            }
            timeout = .milliseconds(Int(seconds * 1000))
        }
        let key = environment["HERALD_LLM_API_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        var vision = false
        if let text = environment["HERALD_LLM_VISION"], !text.isEmpty {
            switch text.lowercased() {
            case "1", "true", "yes": vision = true
            case "0", "false", "no": vision = false
            default: throw ValidationError(field: "HERALD_LLM_VISION", reason: "\"\(text)\" is not 1 or 0 (whether the model accepts images)")
            }
        }
        self.init(endpoint: url, model: model, apiKey: key, timeout: timeout, vision: vision)
    }

    static func completionsURL(_ url: URL) -> URL {
        let path = url.path
        if path.hasSuffix("/chat/completions") { return url }
        if path.hasSuffix("/v1") || path.hasSuffix("/v1/") { return url.appendingPathComponent("chat").appendingPathComponent("completions") }
        return url
    }
}
