import Foundation
import HeraldCore

/// Asks an OpenAI-compatible vision model for an image's alt text and three caption ideas.
///
/// The image goes as an `image_url` content part holding a `data:` URL (the chat completions vision format), so the
/// endpoint needs no access to Herald's storage. The answer is a suggestion only: callers store it for review.
public struct ImageDescriber: Sendable {
    public var configuration: LLMConfiguration
    public var transport: any ChatTransport

    /// The instruction sent with every image (stored with each suggestion, so a reviewer sees what was asked).
    public static let prompt = """
        Describe this image for people who cannot see it, as alt text: one to three plain sentences, what matters in it \
        first, no "image of", at most 1000 characters. Then give 3 short social media caption ideas the image suggests \
        (each under 200 characters, no hashtags unless they are in the context). Answer only with JSON: \
        {"alt_text": "...", "captions": ["...", "...", "..."]}
        """

    /// - Throws: ``HeraldCore/ValidationError`` on `HERALD_LLM_VISION` when the configured model is not marked as one that sees images.
    public init(configuration: LLMConfiguration, transport: any ChatTransport) throws(ValidationError) {
        guard configuration.vision else {
            throw ValidationError(
                field: "HERALD_LLM_VISION",
                reason: "the configured model (\(configuration.model)) is not marked as accepting images; set HERALD_LLM_VISION=1 if it does"
            )
        }
        self.configuration = configuration
        self.transport = transport
    }

    /// The request body: a system line, then one user message with the text (prompt and context) and the image.
    ///
    /// - Parameter context: What the post is about (the variant's text), so captions fit it.
    public static func requestBody(model: String, image: Data, mimeType: String, context: String, temperature: Double) -> Data {
        let body: [String: Any] = [
            "model": model,
            "temperature": temperature,
            "response_format": ["type": "json_object"],
            "messages": [
                [
                    "role": "system",
                    "content": "You write accurate, concise alt text and captions for social media images. You answer with JSON only.",
                ],
                [
                    "role": "user",
                    "content": [
                        ["type": "text", "text": prompt + (context.isEmpty ? "" : "\n\nThe post's text, for context: \(context)")],
                        ["type": "image_url", "image_url": ["url": "data:\(mimeType);base64,\(image.base64EncodedString())"]],
                    ],
                ],
            ],
        ]
        return (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data()
    }

    /// Sends the image and reads the suggestions; retries timeouts, 429/5xx and malformed answers up to the configured attempts.
    public func describe(image: Data, mimeType: String, context: String) async throws(LLMError) -> ImageDescription {
        let body = Self.requestBody(
            model: configuration.model,
            image: image,
            mimeType: mimeType,
            context: context,
            temperature: min(configuration.temperature, 0.7)
        )
        var lastError = LLMError.timedOut(attempts: 0)
        for attempt in 1...configuration.maxAttempts {
            do throws(LLMError) {
                let response = try await transport.send(
                    body,
                    to: configuration.endpoint,
                    apiKey: configuration.apiKey,
                    timeout: configuration.timeout
                )
                guard (200..<300).contains(response.status) else {
                    throw LLMError.http(status: response.status, body: String(decoding: response.body.prefix(300), as: UTF8.self))
                }
                guard let decoded = try? JSONDecoder().decode(ChatCompletionResponse.self, from: response.body),
                    let content = decoded.choices.first?.message.content
                else { throw LLMError.malformedAnswer("no choices[0].message.content in the answer") }
                return try ImageDescription.parse(content)
            } catch {
                lastError = error
                guard error.isRetryable, attempt < configuration.maxAttempts else { break }
                try? await Task.sleep(for: configuration.retryDelay * (1 << (attempt - 1)))
            }
        }
        throw lastError
    }
}
