import Channels
import Foundation
import HeraldCore

/// Generates variants with an OpenAI-compatible chat completions endpoint, then holds every answer to the
/// same checks as the rule generator: channel rules, banned words and disclosures, near-duplicates. Anything
/// that fails is dropped with its reason; an answer that is not JSON is retried, then reported.
public struct LLMVariantGenerator: Sendable {
    public let configuration: LLMConfiguration
    let transport: any ChatTransport
    let budget: LLMBudget
    /// The workspace's safety policy (the brief's is added to it).
    public var policy: SafetyPolicy
    public var diversity: DiversitySelector

    public init(
        configuration: LLMConfiguration,
        transport: any ChatTransport,
        budget: LLMBudget,
        policy: SafetyPolicy = .none,
        diversity: DiversitySelector = DiversitySelector()
    ) {
        self.configuration = configuration
        self.transport = transport
        self.budget = budget
        self.policy = policy
        self.diversity = diversity
    }

    /// The generator name stored with its variants.
    public var name: String { "llm:\(configuration.model)" }

    /// Asks for `count` variants (plus a few spare, since some may be refused) and returns those that pass.
    ///
    /// - Throws: ``LLMError`` when no usable answer came back (budget, timeouts, errors, malformed JSON).
    public func generate(brief: Brief, channel: Channel, count: Int, seed: UInt64, workspace: String) async throws(LLMError) -> GenerationResult {
        let merged = policy.merged(with: brief.safety)
        let prompt = LLMPrompt(brief: brief, channel: channel, count: count + max(2, count / 2), policy: merged)
        let request = ChatCompletionRequest(
            model: configuration.model,
            messages: prompt.messages,
            temperature: configuration.temperature,
            seed: seed
        )
        let body: Data
        do {
            body = try JSONEncoder().encode(request)
        } catch {
            throw .malformedAnswer("could not encode the request: \(error)")
        }
        let answer = try await ask(body, workspace: workspace)
        let validator = VariantValidator(channel: channel, policy: merged)
        var candidates: [GeneratedVariant] = []
        var rejected: [Rejection] = []
        for item in answer.variants {
            let (text, check, reasons) = validator.prepare(item.text)
            guard reasons.isEmpty else {
                rejected.append(Rejection(text: text, reasons: reasons))
                continue
            }
            var features = ContentFeatures(text: text, channel: channel, rules: validator.rules, callToAction: brief.cta)
            if let hook = item.hook.flatMap(Hook.init(rawValue:)) { features.hook = hook }
            if let tone = item.tone.flatMap(Tone.init(rawValue:)) { features.tone = tone }
            candidates.append(GeneratedVariant(text: text, channel: channel, features: features, generator: name, warnings: check.warnings))
        }
        let (chosen, duplicates) = diversity.choose(count, from: candidates)
        return GenerationResult(variants: chosen, rejected: rejected + duplicates, candidates: answer.variants.count)
    }

    /// Sends the request with retries (timeouts, 429 and 5xx, malformed answers), within the workspace's budget.
    func ask(_ body: Data, workspace: String) async throws(LLMError) -> LLMAnswer {
        var lastError = LLMError.transport("no attempt made")
        var delay = configuration.retryDelay
        for attempt in 1...configuration.maxAttempts {
            try await budget.reserveRequest(for: workspace)
            do {
                let response = try await transport.send(
                    body,
                    to: configuration.endpoint,
                    apiKey: configuration.apiKey,
                    timeout: configuration.timeout
                )
                guard (200..<300).contains(response.status) else {
                    let text = String(decoding: response.body.prefix(200), as: UTF8.self)
                    throw LLMError.http(status: response.status, body: text)
                }
                let envelope: ChatCompletionResponse
                do {
                    envelope = try JSONDecoder().decode(ChatCompletionResponse.self, from: response.body)
                } catch {
                    throw LLMError.malformedAnswer("the response is not a chat completion (\(ValidationError(decoding: error).description))")
                }
                await budget.record(tokens: envelope.usage?.totalTokens ?? 0, for: workspace)
                guard let content = envelope.choices.first?.message.content else {
                    throw LLMError.malformedAnswer("the response has no choices")
                }
                return try LLMAnswer.parse(content)
            } catch let error as LLMError {
                if case .timedOut = error { lastError = .timedOut(attempts: attempt) } else { lastError = error }
                guard error.isRetryable, attempt < configuration.maxAttempts else { break }
            } catch {
                lastError = .transport("\(error)")
                guard attempt < configuration.maxAttempts else { break }
            }
            do {
                try await Task.sleep(for: delay)
            } catch {
                throw .transport("cancelled")
            }
            delay *= 2
        }
        throw lastError
    }
}
