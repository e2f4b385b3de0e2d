import Foundation

/// The OpenAI chat completions request body Herald sends.
struct ChatCompletionRequest: Encodable, Sendable {
    struct Message: Codable, Sendable, Equatable {
        var role: String
        var content: String
    }

    struct ResponseFormat: Encodable, Sendable {
        var type = "json_object"
    }

    var model: String
    var messages: [Message]
    var temperature: Double
    var seed: UInt64?
    var responseFormat = ResponseFormat()

    enum CodingKeys: String, CodingKey {
        case model, messages, temperature, seed
        case responseFormat = "response_format"
    }
}

/// The parts of a chat completions answer Herald reads.
struct ChatCompletionResponse: Decodable, Sendable {
    struct Choice: Decodable, Sendable {
        var message: ChatCompletionRequest.Message
    }

    struct Usage: Decodable, Sendable {
        var totalTokens: Int?

        enum CodingKeys: String, CodingKey { case totalTokens = "total_tokens" }
    }

    var choices: [Choice]
    var usage: Usage?
}

/// The JSON Herald asks the model to answer with: `{"variants": [{"text": "...", "hook": "...", "tone": "..."}]}`.
struct LLMAnswer: Decodable, Sendable {
    struct Item: Decodable, Sendable {
        var text: String
        var hook: String?
        var tone: String?
    }

    var variants: [Item]

    /// Reads the model's message: the JSON object, possibly inside a ```json fence; a bare list of
    /// strings or objects is accepted too.
    static func parse(_ content: String) throws(LLMError) -> LLMAnswer {
        var text = content.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasPrefix("```") {
            text = text.split(separator: "\n", omittingEmptySubsequences: false).dropFirst().joined(separator: "\n")
            if let fence = text.range(of: "```", options: .backwards) { text = String(text[..<fence.lowerBound]) }
        }
        let data = Data(text.utf8)
        if let answer = try? JSONDecoder().decode(LLMAnswer.self, from: data) { return answer }
        if let items = try? JSONDecoder().decode([Item].self, from: data) { return LLMAnswer(variants: items) }
        if let texts = try? JSONDecoder().decode([String].self, from: data) {
            return LLMAnswer(variants: texts.map { Item(text: $0) })
        }
        let preview = text.count > 80 ? String(text.prefix(80)) + "…" : text
        throw .malformedAnswer("expected {\"variants\": [{\"text\": …}]}, got \(preview.isEmpty ? "nothing" : "\"\(preview)\"")")
    }
}
